"""The report's sentences, written from `documents.composer.ReportData` in plain Vietnamese.

An administrative document is written in Vietnamese whatever the reader's interface language
(Decree 30/2020/NĐ-CP), so the sentences are Vietnamese text, not translated messages, and
numbers are written under the Vietnamese locale by the dashboard's own formatter
(`dashboards.selectors.fmt_value`: "95,2%", "1.250 người"), so a number in the report reads
exactly as on the dashboard. Changes are differences of those shown numbers; a change of a
percentage is in "điểm phần trăm".
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from dashboards import selectors as dash
from documents.composer import Completeness, Line, ReportData
from reports.models import ReportStatus
from targets.models import Indicator

NAMES_SHOWN = 10


def fmt(value: Decimal | None, indicator: Indicator) -> str:
    with translation.override("vi"):
        return dash.fmt_value(value, indicator)


def change_words(change: Decimal | None, indicator: Indicator, against: str) -> str:
    """ "tăng 3,1 điểm phần trăm so với cùng kỳ", "giảm 12 người so với kỳ trước"."""
    if change is None:
        return f"chưa có số liệu {against} để so sánh"
    if change == 0:
        return f"không đổi so với {against}"
    verb = "tăng" if change > 0 else "giảm"
    with translation.override("vi"):
        amount = dash.fmt_number(abs(change), indicator)
    unit = "điểm phần trăm" if indicator.is_percentage else (indicator.unit or "")
    return f"{verb} {amount}{' ' + unit if unit else ''} so với {against}"


def previous_words(data: ReportData) -> str:
    return {"month": "tháng trước", "quarter": "quý trước", "half": "6 tháng trước"}.get(
        data.period.kind, "năm trước"
    )


def status_words(line: Line) -> str:
    with translation.override("vi"):
        return str(line.card.status_label).lower()


def line_sentence(line: Line, data: ReportData) -> str:
    """One target's sentence: value, target, share, status, change on the two comparisons."""
    card, ind = line.card, line.card.indicator
    parts = [f"{card.name}: đạt {fmt(card.actual, ind)}"]
    if card.target is not None:
        parts.append(
            f"mục tiêu {fmt(card.target_number, ind)} đến {card.deadline_month}, "
            f"hoàn thành {card.share_display} chặng đường đến mục tiêu, {status_words(line)}"
        )
    parts.append(change_words(line.change_previous, ind, previous_words(data)))
    if data.period.kind != "year":
        parts.append(change_words(line.change_year, ind, "cùng kỳ"))
    return "; ".join(parts) + "."


def risk_reasons(line: Line, data: ReportData) -> list[str]:
    """What the data shows about a target that is not met: trend, projection, missing data."""
    card, ind = line.card, line.card.indicator
    reasons = []
    if card.status == "no_data":
        reasons.append("chưa có số liệu được duyệt của kỳ")
        if data.completeness.owed > data.completeness.approved:
            reasons.append(
                f"còn {data.completeness.owed - data.completeness.approved} lượt báo cáo "
                "tháng chưa được duyệt"
            )
        return reasons
    if card.final:
        return [f"đến hạn {card.deadline_month} đạt {card.judged_display}"]
    change = line.change_previous
    if change is not None and change != 0:
        worse = change < 0 if card.target.comparator == "gte" else change > 0
        if worse:
            reasons.append(change_words(change, ind, previous_words(data)))
    if card.status == "deteriorating":
        reasons.append("giá trị đang đi xuống so với mốc ban đầu")
    if card.row is not None and card.row.projected_value is not None:
        reasons.append(
            f"theo xu hướng hiện nay, đến {card.deadline_month} dự kiến đạt "
            f"{card.projected_display}"
        )
    if card.reached_in:
        reasons.append(f"với tốc độ hiện nay đến {card.reached_in} mới đạt mục tiêu")
    return reasons


def risk_sentence(line: Line, data: ReportData) -> str:
    reasons = risk_reasons(line, data)
    tail = f" ({'; '.join(reasons)})" if reasons else ""
    return f"{line.card.name}: {status_words(line)}{tail}."


def summary(data: ReportData) -> str:
    """The opening paragraph: how many targets are met, on track and at risk."""
    lines = data.lines
    if not lines:
        return (
            f"Tính đến hết {data.period.label()}, {data.division.name} không có mục tiêu riêng "
            "còn hạn; kết quả các chỉ số theo dõi được nêu dưới đây."
        )
    met, risk = len(data.met), len(data.at_risk)
    on_track = sum(1 for line in lines if line.card.status == "on_track")
    return (
        f"Tính đến hết {data.period.label()}, {data.division.name} theo dõi {len(lines)} "
        f"mục tiêu còn hạn: {met} mục tiêu đã đạt, {on_track} mục tiêu đúng tiến độ, "
        f"{risk} mục tiêu cần tập trung chỉ đạo (cần tăng tốc, chậm tiến độ, đi xuống hoặc "
        "chưa có số liệu)."
    )


STATUS_WORDS = (
    (ReportStatus.APPROVED.value, "đã duyệt"),
    (ReportStatus.SUBMITTED.value, "đã gửi chờ duyệt"),
    (ReportStatus.DRAFT.value, "đang soạn"),
    (ReportStatus.RETURNED.value, "bị trả lại"),
    ("not_started", "chưa lập"),
)


def completeness_sentences(done: Completeness, data: ReportData) -> list[str]:
    if not done.owed:
        return [f"Trong {data.period.label()} chưa đến kỳ gửi báo cáo tháng."]
    counts = ", ".join(
        f"{done.counts[key]} {words}" for key, words in STATUS_WORDS if done.counts.get(key)
    )
    sentences = [
        f"Trong {data.period.label()} có {done.owed} lượt báo cáo tháng phải gửi: {counts}; "
        f"{done.late} lượt gửi trễ hạn hoặc chưa gửi khi đã quá hạn."
    ]
    if done.missing_units:
        names = done.missing_units[:NAMES_SHOWN]
        more = len(done.missing_units) - len(names)
        extra = f" và {more} đơn vị khác" if more else ""
        sentences.append(
            f"Đơn vị còn báo cáo chưa được duyệt: {', '.join(names)}{extra}. Số liệu của các "
            "tháng này chưa được tính vào kết quả."
        )
    return sentences


def team_sentences(data: ReportData) -> list[str]:
    lines = data.team_lines
    if not lines:
        return ["Chưa có số liệu hoạt động của Tổ công nghệ số cộng đồng trong kỳ."]
    return [
        f"{line.card.name}: {fmt(line.card.actual, line.card.indicator)}, "
        f"{change_words(line.change_previous, line.card.indicator, previous_words(data))}."
        for line in lines
    ]
