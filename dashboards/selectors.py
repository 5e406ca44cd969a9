"""One file over 500 lines: every page's reads share the card, cell and period types; exports live in dashboards/exports.py.

Dashboard selectors: set-based reads of attainment rows (never of raw figures).

Every page loads the rows it shows with a fixed number of queries (rows of a period window
for a set of divisions, the catalogue targets of a level, the list of periods), so its cost
does not grow with the number of figures, divisions or months behind it.

With the provisional switch a provisional row (submitted figures included) replaces the
approved one for the same indicator × division × period × target, and is marked as such.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Case, F, Max, Min, Q, QuerySet, When
from django.http import Http404
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attainment.engine import targets_assessed_at
from attainment.method import STATUS_LABELS, Status, month_from_index, month_index
from attainment.models import Attainment
from core.months import parse_period
from divisions.access import get_access
from divisions.models import REORG_DATE, Division
from reports import selectors as reports_selectors
from reports.models import RecomputeRequest
from targets.milestones import DERIVED_LABEL, expected_path
from targets.models import Indicator, Pillar, Programme, Target, in_page_language

SPARK_MONTHS = 12
# Units per page of the district comparison table: the province had 9 districts, so before
# 07/2025 it is one page; the ~64 commune-level units after it are paged, and so the page's
# cost stays flat whatever the number of units.
HEAT_PAGE_SIZE = 10
HUNDRED = Decimal(100)

# Bootstrap colour per status: badges use text-bg-<colour>, heat cells table-<colour>.
STATUS_COLOURS = {
    Status.ACHIEVED: "success",
    Status.ON_TRACK: "primary",
    Status.NEEDS_ACCELERATION: "warning",
    Status.OFF_TRACK: "danger",
    Status.DETERIORATING: "dark",
    Status.NO_DATA: "secondary",
    Status.MET: "success",
    Status.NOT_MET: "danger",
}
STATUS_ORDER = list(Status)
PILLAR_ORDER = {p.value: i for i, p in enumerate(Pillar)}
PROVISIONAL_LABEL = gettext_lazy("tạm tính")


# ---------------------------------------------------------------------------- formatting


def shift_month(period: dt.date, months: int) -> dt.date:
    return month_from_index(month_index(period) + months)


def decimals_for(indicator: Indicator) -> int:
    """Percentages with one decimal, whole counts without, other amounts with two."""
    if indicator.is_percentage:
        return 1
    return 0 if indicator.whole_numbers else 2


def fmt_number(value: Decimal | None, indicator: Indicator) -> str:
    """A value in the current language's number format (decimal comma in Vietnamese)."""
    if value is None:
        return "—"
    places = decimals_for(indicator)
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places))
    if rounded == rounded.to_integral_value():
        places, rounded = 0, rounded.quantize(Decimal(1))
    return number_format(rounded, decimal_pos=places, force_grouping=True)


# The catalogue's units are a short closed list of Vietnamese words; English pages name them in
# English. The msgids carry the words "đơn vị tính" because the bare words are already msgids
# with other meanings ("ngày" is a form's "date"); a unit without a translation stays as written.
UNIT_NAMES = {
    "dịch vụ": gettext_lazy("đơn vị tính: dịch vụ"),
    "hộ": gettext_lazy("đơn vị tính: hộ"),
    "ngày": gettext_lazy("đơn vị tính: ngày"),
    "người": gettext_lazy("đơn vị tính: người"),
    "tài khoản": gettext_lazy("đơn vị tính: tài khoản"),
    "tổ": gettext_lazy("đơn vị tính: tổ"),
    "xã": gettext_lazy("đơn vị tính: xã"),
}


def unit_label(unit: str | None) -> str:
    """A catalogue unit in the page's language ("người" → "people" in English)."""
    name = str(UNIT_NAMES.get(unit or "", unit or ""))
    return unit or "" if name.startswith("đơn vị tính: ") else name


def fmt_value(value: Decimal | None, indicator: Indicator) -> str:
    """The number with its unit ("26,7%", "1.250 người"; "1,250 people" in English)."""
    if value is None:
        return "—"
    unit = unit_label(indicator.unit)
    sep = "" if unit == "%" or not unit else " "
    return f"{fmt_number(value, indicator)}{sep}{unit}"


def plain(value: Decimal | None) -> str:
    """A machine-readable number for CSV: dot decimal, at most 4 places, no trailing zeros."""
    if value is None:
        return ""
    text = format(Decimal(value).quantize(Decimal("0.0001")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


SOURCE_LABELS = {
    "manual": gettext_lazy("nhập báo cáo"),
    "teams": gettext_lazy("Tổ CNSCĐ"),
}


def sources_label(sources: str) -> str:
    """Which figures the value came from ("manual+teams" → "nhập báo cáo + Tổ CNSCĐ")."""
    return " + ".join(str(SOURCE_LABELS.get(s, s)) for s in sources.split("+") if s)


def name_of(indicator: Indicator) -> str:
    """The indicator's name in the page's language (English when asked and available)."""
    return in_page_language(indicator.name_vi, indicator.name_en)[0]


def period_label(period: dt.date | None) -> str:
    return f"{period:%m/%Y}" if period else ""


# A final verdict in words a citizen reads without a contradiction: the method's "Đạt (đã hết
# hạn)" in green read as "met (expired)". The verdict is about the deadline, so it says so.
FINAL_LABELS = {
    Status.MET: gettext_lazy("Đạt mục tiêu đúng hạn"),
    Status.NOT_MET: gettext_lazy("Không đạt mục tiêu khi đến hạn"),
}


def status_label(
    status: str, *, target: Target | None = None, period: dt.date | None = None
) -> str:
    """The status in words; a deadline passed with no figure of its year says which year."""
    if status == Status.NO_DATA and target is not None and period and period > target.deadline:
        return _("Chưa có số liệu năm %(year)s") % {"year": target.deadline.year}
    if not status:
        return ""
    return str(FINAL_LABELS.get(Status(status)) or STATUS_LABELS[Status(status)])


def status_colour(status: str) -> str:
    return STATUS_COLOURS[Status(status)] if status else "light"


def row_status(row: Attainment | None, *, has_target: bool) -> str:
    """A card's or cell's status: none without a target, "no data" without a row or status."""
    if not has_target:
        return ""
    return (row.status if row else "") or Status.NO_DATA.value


def status_legend() -> list[tuple[str, str, str]]:
    """(status, label, colour) of every status, in the order of the method."""
    return [(s.value, status_label(s.value), status_colour(s.value)) for s in STATUS_ORDER]


# ---------------------------------------------------------------------------- access


def require_scope(user) -> Division:
    """The user's scope root; users without a role or scope see no dashboard (403)."""
    scope = get_access(user).scope
    if scope is None:
        raise PermissionDenied(_("Tài khoản chưa được phân quyền xem bảng điều khiển."))
    return scope


def province() -> Division | None:
    return Division.objects.province()


def division_for_user(
    user, code: str, *, allow_province: bool = False, on: dt.date | None = None
) -> Division:
    """A division the user may look at, or 404 (outsiders learn nothing about other units).

    With `allow_province`, the province itself is open to every scoped user: its figures are
    province-level aggregates that every officer may read. Codes are unique per validity
    period: the unit in force on `on` (the chosen month; default today) wins, else the most
    recent unit with the code (an ended district is still shown, as history).
    """
    qs = Division.objects.for_user(user)
    if allow_province:
        qs = Division.objects.filter(Q(pk__in=qs.values("pk")) | Q(level=1))
    candidates = list(qs.filter(code=code, level__lte=3))
    day = on or timezone.localdate()
    division = next((d for d in candidates if d.valid_in_month(day.replace(day=1))), None)
    if division is None and candidates:
        division = max(candidates, key=lambda d: d.valid_from or dt.date.min)
    if division is None:
        raise Http404(_("Không có đơn vị này trong phạm vi của bạn."))
    return division


def structure_label(period: dt.date | None) -> str:
    """Which administrative structure the period uses."""
    return reports_selectors.structure_label(period) if period else ""


# ---------------------------------------------------------------------------- periods


def available_periods() -> list[dt.date]:
    """Months that have approved attainment rows, newest first.

    Every series runs without gaps to one common last month (attainment.engine), so the
    months are those between the first and the last: two index lookups instead of a
    DISTINCT over the whole table.
    """
    span = Attainment.objects.filter(provisional=False).aggregate(
        first=Min("period"), last=Max("period")
    )
    if span["first"] is None:
        return []
    months, current = [], span["last"]
    while current >= span["first"]:
        months.append(current)
        current = shift_month(current, -1)
    return months


@dataclass
class PeriodChoice:
    period: dt.date | None
    periods: list[dt.date]
    error: str = ""

    @property
    def value(self) -> str:
        return f"{self.period:%Y-%m}" if self.period else ""

    @property
    def label(self) -> str:
        return period_label(self.period)

    @property
    def options(self) -> list[tuple[str, str]]:
        return [(f"{p:%Y-%m}", period_label(p)) for p in self.periods]

    @property
    def structure(self) -> str:
        return structure_label(self.period)

    @property
    def has_districts(self) -> bool:
        return has_districts(self.period)

    @property
    def comparison_label(self) -> str:
        return comparison_label(self.period)


def has_districts(period: dt.date | None) -> bool:
    """Whether the structure of the month (default: this month) has a district level."""
    return (period or timezone.localdate()) < REORG_DATE


def comparison_label(period: dt.date | None) -> str:
    """The comparison tab's name in the words of the period's structure."""
    if has_districts(period):
        return _("So sánh cấp huyện")
    return _("So sánh đơn vị cấp xã")


def choose_period(text: str | None) -> PeriodChoice:
    """The month asked for (`YYYY-MM`), else the latest month with rows, with a message
    explaining any fallback."""
    periods = available_periods()
    latest = periods[0] if periods else None
    if not text:
        return PeriodChoice(latest, periods)
    asked = parse_period(text)
    if asked is None:
        return PeriodChoice(
            latest,
            periods,
            _(
                "Không đọc được kỳ “%(text)s” (cần dạng NNNN-TT, ví dụ 2025-06); đang hiển thị kỳ mới nhất."
            )
            % {"text": text[:20]},
        )
    if asked not in periods:
        periods = sorted([*periods, asked], reverse=True)
        return PeriodChoice(
            asked,
            periods,
            _("Kỳ %(period)s chưa có số liệu đã tính.") % {"period": period_label(asked)},
        )
    return PeriodChoice(asked, periods)


# ---------------------------------------------------------------------------- programmes


@dataclass
class ProgrammeChoice:
    """The programme asked for (`?programme=<code>`), else every programme in force in the
    month shown. Targets of different programmes are never merged: each keeps its card."""

    selected: Programme | None
    programmes: list[Programme]
    in_force: list[Programme]
    error: str = ""

    @property
    def value(self) -> str:
        return self.selected.code if self.selected else ""

    @property
    def ids(self) -> list[int]:
        """The programmes whose targets are shown."""
        return [self.selected.pk] if self.selected else [p.pk for p in self.in_force]

    @property
    def options(self) -> list[tuple[str, str]]:
        return [(p.code, programme_label(p)) for p in self.programmes]

    @property
    def several(self) -> bool:
        """More than one programme on the page: each card names its own."""
        return len(self.ids) > 1

    def keeps(self, target: Target | None, *, live: bool) -> bool:
        """Whether a target is shown: the chosen programme's only; by default the live targets
        of the programmes in force and the final verdicts of every programme (history)."""
        if target is None:
            return True
        if self.selected is not None:
            return target.programme_id == self.selected.pk
        return not live or target.programme_id in self.ids


def programme_label(programme: Programme) -> str:
    return f"{programme.get_kind_display()} {programme.number}"


def choose_programme(text: str | None, period: dt.date | None) -> ProgrammeChoice:
    """One query: every programme; those in force on the month shown are the default."""
    programmes = list(Programme.objects.all())
    day = period or timezone.localdate()
    first_day, last_day = day.replace(day=1), shift_month(day.replace(day=1), 1)
    in_force = [
        p
        for p in programmes
        if p.first_year <= first_day.year <= p.last_year
        and (p.issued_on is None or p.issued_on < last_day)
    ]
    if not text:
        return ProgrammeChoice(None, programmes, in_force)
    selected = next((p for p in programmes if p.code == text), None)
    if selected is None:
        return ProgrammeChoice(
            None,
            programmes,
            in_force,
            _("Không có chương trình mã “%(code)s”; đang hiển thị mọi chương trình còn hiệu lực.")
            % {"code": text[:40]},
        )
    return ProgrammeChoice(selected, programmes, in_force)


# ---------------------------------------------------------------------------- row loading


RowKey = tuple[int, int, dt.date, int]  # indicator, division, period, target_key


def effective_rows(
    *,
    division_ids: Iterable[int],
    period_from: dt.date,
    period_to: dt.date,
    provisional: bool,
    indicator_id: int | None = None,
    programme_ids: list[int] | None = None,
) -> dict[RowKey, Attainment]:
    """One query: the rows to show, the provisional one replacing the approved one when asked.

    With `programme_ids`, only targets of those programmes (and the rows without a target).
    A shown provisional row carries `shown_provisional = True`.
    """
    ids = division_ids if isinstance(division_ids, QuerySet) else list(division_ids)
    qs = Attainment.objects.filter(
        division_id__in=ids, period__gte=period_from, period__lte=period_to
    ).select_related("indicator", "target", "target__programme")
    if indicator_id is not None:
        qs = qs.filter(indicator_id=indicator_id)
    if programme_ids is not None:
        qs = qs.filter(Q(target__isnull=True) | Q(target__programme_id__in=programme_ids))
    if not provisional:
        qs = qs.filter(provisional=False)
    rows: dict[RowKey, Attainment] = {}
    # Approved rows first, so that provisional ones overwrite them.
    for row in qs.order_by("provisional"):
        row.shown_provisional = row.provisional
        rows[(row.indicator_id, row.division_id, row.period, row.target_key)] = row
    return rows


def _target_sort(indicator: Indicator, target: Target | None) -> tuple:
    """Pillar, indicator, deadline, then programme: two programmes' targets of the same
    indicator and deadline sit side by side."""
    return (
        PILLAR_ORDER.get(indicator.pillar, 99),
        indicator.position,
        indicator.code,
        target.deadline if target else dt.date.max,
        target.programme.position if target else 0,
        target.programme_id if target else 0,
    )


def attach_programmes(targets: list[Target], known: list[Programme] | None = None) -> None:
    """Give targets loaded without their programme its row: from `known` (the programme
    choice's list, no query) or in one query for all of them."""
    missing = {t.programme_id for t in targets if not Target.programme.is_cached(t)}
    if not missing:
        return
    found = {p.pk: p for p in known or []}
    if not missing <= found.keys():
        found.update(Programme.objects.in_bulk(missing - found.keys()))
    for target in targets:
        if not Target.programme.is_cached(target):
            target.programme = found[target.programme_id]


def level_targets(level: int, programme_ids: list[int] | None = None) -> list[Target]:
    """Catalogue targets set for units of one level (so a target with no data still shows)."""
    qs = Target.objects.filter(scope_level=level, indicator__is_active=True)
    if programme_ids is not None:
        qs = qs.filter(programme_id__in=programme_ids)
    return list(qs.select_related("indicator", "programme"))


# ---------------------------------------------------------------------------- cards


@dataclass
class Card:
    indicator: Indicator
    target: Target | None
    row: Attainment | None
    spark: list[float | None] = field(default_factory=list)
    # The month shown: a target without any row still says "no data for <year>" after its
    # deadline.
    as_of: dt.date | None = None

    @property
    def key(self) -> str:
        return f"{self.indicator.pk}-{self.target.pk if self.target else 0}"

    @property
    def name(self) -> str:
        return name_of(self.indicator)

    @property
    def status(self) -> str:
        return row_status(self.row, has_target=self.target is not None)

    @property
    def status_label(self) -> str:
        period = self.row.period if self.row else self.as_of
        return status_label(self.status, target=self.target, period=period)

    @property
    def colour(self) -> str:
        return status_colour(self.status)

    @property
    def provisional(self) -> bool:
        return bool(self.row and self.row.shown_provisional)

    @property
    def programme_label(self) -> str:
        return programme_label(self.target.programme) if self.target else ""

    @property
    def live(self) -> bool:
        """A target still to be reached in the month shown (its deadline not passed)."""
        return self.target is not None and is_live(self.target, self.as_of)

    @property
    def actual(self) -> Decimal | None:
        return self.row.actual if self.row else None

    @property
    def actual_display(self) -> str:
        return fmt_value(self.actual, self.indicator)

    @property
    def target_number(self) -> Decimal | None:
        if self.row and self.row.target_value is not None:
            return self.row.target_value
        return self.target.resolved_value() if self.target else None

    @property
    def target_display(self) -> str:
        return fmt_value(self.target_number, self.indicator)

    @property
    def milestone(self) -> tuple[str, str, str] | None:
        """(year, value, label) of the shown year's point on the straight path from the baseline to a
        later deadline: derived for reading progress, never a target (the card says so)."""
        row, target = self.row, self.target
        if row is None or target is None or target.deadline.year <= row.period.year:
            return None
        start = None
        if row.baseline_period is not None and row.baseline_value is not None:
            start = (row.baseline_period.year, row.baseline_value)
        value = expected_path(target, row.period.year, start=start)
        if value is None:
            return None
        # The year as text: a number would be localised with a thousands separator ("2.026").
        return str(row.period.year), fmt_value(value, self.indicator), str(DERIVED_LABEL)

    @property
    def share_pct(self) -> int:
        """Share of the target reached, clamped to 0–100 for the progress bar."""
        share = self.row.share_reached if self.row else None
        if share is None:
            return 0
        return int(max(Decimal(0), min(HUNDRED, share * HUNDRED)).to_integral_value())

    @property
    def share_display(self) -> str:
        share = self.row.share_reached if self.row else None
        if share is None:
            return "—"
        return number_format((share * HUNDRED).quantize(Decimal(1)), decimal_pos=0) + "%"

    @property
    def progress_note(self) -> str:
        """What the bar measures, in words. The share of the way from the baseline to the
        target is not the value's own percentage (a card reads "47,9%" beside a bar of 13%),
        and beyond the target it is no percentage anyone can read ("1.467%" of a count)."""
        share = self.row.share_reached if self.row else None
        if share is None:
            return ""
        if share >= 1:
            return _("đã đi hết chặng đường từ giá trị gốc đến mục tiêu")
        if share < 0:
            return _("thấp hơn giá trị gốc: chưa tiến về phía mục tiêu")
        percent = number_format((share * HUNDRED).quantize(Decimal(1)), decimal_pos=0)
        return _("đạt %(share)s%% chặng đường từ giá trị gốc đến mục tiêu") % {"share": percent}

    @property
    def share_brief(self) -> str:
        """The share for a table column headed "Chặng đường đến mục tiêu": "13%", "≥ 100%"
        past the target, "< 0%" below the baseline."""
        share = self.row.share_reached if self.row else None
        if share is None:
            return "—"
        if share >= 1:
            return "≥ 100%"
        if share < 0:
            return "< 0%"
        return self.share_display

    @property
    def final(self) -> bool:
        return self.status in (Status.MET, Status.NOT_MET)

    @property
    def judged_display(self) -> str:
        """The value a final verdict rests on (at the deadline); "—" when it has none."""
        return fmt_value(self.row.judged_value if self.row else None, self.indicator)

    @property
    def verdict_display(self) -> str:
        """The value a final verdict was judged on (at the deadline), else the current one."""
        if self.final and self.row is not None and self.row.judged_value is not None:
            return fmt_value(self.row.judged_value, self.indicator)
        return self.actual_display

    @property
    def deadline_month(self) -> str:
        return period_label(self.target.deadline.replace(day=1)) if self.target else ""

    @property
    def sources(self) -> str:
        return sources_label(self.row.sources) if self.row else ""

    @property
    def data_period(self) -> str:
        return period_label(self.row.data_period) if self.row else ""

    @property
    def projected_display(self) -> str:
        return fmt_value(self.row.projected_value if self.row else None, self.indicator)

    @property
    def reached_in(self) -> str:
        return period_label(self.row.reached_in) if self.row else ""

    @property
    def reconstructed(self) -> bool:
        return bool(self.row and self.row.reconstructed)


def is_live(target: Target, as_of: dt.date | None) -> bool:
    """A target whose deadline has not passed in the month `as_of` (default: this month)."""
    month = (as_of or timezone.localdate()).replace(day=1)
    return target.deadline >= month


@dataclass
class PillarGroup:
    pillar: str
    label: str
    cards: list[Card]


@dataclass
class ResultGroup:
    """The final verdicts of the targets whose deadline fell in one year."""

    year: int
    cards: list[Card]

    @property
    def title(self) -> str:
        return _("Kết quả năm %(year)s") % {"year": self.year}

    @property
    def several(self) -> bool:
        return several_programmes(self.cards)


def several_programmes(cards: list[Card]) -> bool:
    """Targets of more than one programme among the cards: each then names its programme."""
    return len({c.target.programme_id for c in cards if c.target is not None}) > 1


def pillar_groups(cards: list[Card]) -> list[PillarGroup]:
    groups: dict[str, list[Card]] = defaultdict(list)
    for card in cards:
        groups[card.indicator.pillar].append(card)
    return [
        PillarGroup(p, str(Pillar(p).label), cs)
        for p, cs in sorted(groups.items(), key=lambda kv: PILLAR_ORDER.get(kv[0], 99))
    ]


def result_groups(cards: list[Card]) -> list[ResultGroup]:
    """Ended targets by the year of their deadline, the latest year first."""
    years: dict[int, list[Card]] = defaultdict(list)
    for card in cards:
        years[card.target.deadline.year].append(card)
    return [ResultGroup(y, years[y]) for y in sorted(years, reverse=True)]


@dataclass
class Overview:
    division: Division | None
    period: dt.date | None
    # Live targets (deadline not passed in the month shown), by pillar: what is still to reach.
    groups: list[PillarGroup]
    monitoring: list[Card]
    status_counts: list[tuple[str, str, str, int]]  # status, label, colour, count (live only)
    # Targets whose deadline has passed, with their final verdicts, by year (latest first).
    results: list[ResultGroup]
    spark_labels: list[str]
    computed_at: dt.datetime | None
    pending: bool
    provisional_shown: bool

    @property
    def cards(self) -> list[Card]:
        return [c for g in self.groups for c in g.cards]

    @property
    def result_cards(self) -> list[Card]:
        return [c for g in self.results for c in g.cards]

    @property
    def several_programmes(self) -> bool:
        return several_programmes(self.cards)

    @property
    def spark_merger(self) -> int | None:
        """Where the merged province's sparklines cross 07/2025 (old Cà Mau before it)."""
        label = period_label(REORG_DATE)
        if self.division is None or not spans_merger(self.division):
            return None
        return self.spark_labels.index(label) if label in self.spark_labels else None

    @property
    def sparks(self) -> list[dict]:
        merger = self.spark_merger
        mark = None if merger is None else {"index": merger, "label": ""}
        return [{"id": f"spark-{c.key}", "values": c.spark, "merger": mark} for c in self.cards]


def recompute_pending() -> bool:
    """True while approved changes wait in the outbox: the page says it may lag behind."""
    return RecomputeRequest.objects.filter(processed_at__isnull=True).exists()


def division_overview(
    *,
    division: Division | None,
    period: dt.date | None,
    provisional: bool,
    programmes: ProgrammeChoice | None = None,
) -> Overview:
    """Cards per target (grouped by pillar) of one division at one month, with sparklines of
    the last 12 months, counts by status of the live targets and the final verdicts of the
    ended ones, by year; only the targets `programmes` keeps. Four queries."""
    if division is None:
        return Overview(None, period, [], [], [], [], [], None, recompute_pending(), False)
    months: list[dt.date] = []
    rows: dict[RowKey, Attainment] = {}
    if period is not None:
        start = shift_month(period, -(SPARK_MONTHS - 1))
        months = [shift_month(start, i) for i in range(SPARK_MONTHS)]
        rows = effective_rows(
            division_ids=[division.pk], period_from=start, period_to=period, provisional=provisional
        )
    cards: dict[tuple[int, int], Card] = {}
    for t in level_targets(division.level):
        cards[(t.indicator_id, t.pk)] = Card(t.indicator, t, None, as_of=period)
    series: dict[tuple[int, int], dict[dt.date, Attainment]] = defaultdict(dict)
    for (ind_id, _div, p, tkey), row in rows.items():
        series[(ind_id, tkey)][p] = row
        if (ind_id, tkey) not in cards:
            cards[(ind_id, tkey)] = Card(row.indicator, row.target, None, as_of=period)
    for key, card in cards.items():
        by_month = series.get(key, {})
        card.row = by_month.get(period)
        card.spark = [
            float(by_month[m].actual) if m in by_month and by_month[m].actual is not None else None
            for m in months
        ]
    ordered = sorted(cards.values(), key=lambda c: _target_sort(c.indicator, c.target))
    if programmes is not None:
        ordered = [c for c in ordered if programmes.keeps(c.target, live=c.live)]
    live = [c for c in ordered if c.live]
    counts = Counter(c.status for c in live)
    shown_rows = [c.row for c in ordered if c.row is not None]
    return Overview(
        division=division,
        period=period,
        groups=pillar_groups(live),
        monitoring=[c for c in ordered if c.target is None],
        status_counts=[
            (s.value, status_label(s.value), status_colour(s.value), counts.get(s.value, 0))
            for s in STATUS_ORDER
            if counts.get(s.value)
        ],
        results=result_groups([c for c in ordered if c.target is not None and not c.live]),
        spark_labels=[period_label(m) for m in months],
        computed_at=max((r.computed_at for r in shown_rows), default=None),
        pending=recompute_pending(),
        provisional_shown=any(r.shown_provisional for r in shown_rows),
    )


# ---------------------------------------------------------------------------- heat table


@dataclass
class HeatColumn:
    indicator: Indicator
    target: Target | None
    target_value: Decimal | None = None

    @property
    def key(self) -> str:
        return f"{self.indicator.pk}-{self.target.pk if self.target else 0}"

    @property
    def label(self) -> str:
        if self.target is None:
            return name_of(self.indicator)
        return (
            f"{name_of(self.indicator)} ({self.target.deadline:%Y}, {self.target.programme.number})"
        )


@dataclass
class HeatCell:
    row: Attainment | None
    column: HeatColumn

    @property
    def status(self) -> str:
        return row_status(self.row, has_target=self.column.target is not None)

    @property
    def status_label(self) -> str:
        period = self.row.period if self.row else None
        return status_label(self.status, target=self.column.target, period=period)

    @property
    def colour(self) -> str:
        return status_colour(self.status)

    @property
    def display(self) -> str:
        return fmt_value(self.row.actual if self.row else None, self.column.indicator)

    @property
    def provisional(self) -> bool:
        return bool(self.row and self.row.shown_provisional)


@dataclass
class HeatRow:
    division: Division
    cells: list[HeatCell]
    can_drill: bool


@dataclass
class HeatTable:
    parent: Division | None
    period: dt.date | None
    columns: list[HeatColumn]
    rows: list[HeatRow]
    computed_at: dt.datetime | None = None
    # The page of units shown when the table is paged (None: every unit is in `rows`).
    page: Page | None = None

    @property
    def page_links(self) -> list[int | str]:
        """Page numbers for the pager, long runs elided (`Paginator.ELLIPSIS`)."""
        if self.page is None:
            return []
        return list(
            self.page.paginator.get_elided_page_range(self.page.number, on_each_side=2, on_ends=1)
        )

    def chart_data(self) -> dict:
        """Per column: the units' values for the bar chart (drawn by static/js/dashboards.js)."""
        return {
            "target_label": _("Mục tiêu"),
            "units": [r.division.name for r in self.rows],
            "series": [
                {
                    "key": col.key,
                    "label": col.label,
                    "unit": col.indicator.unit,
                    "target": float(col.target_value) if col.target_value is not None else None,
                    "values": [
                        float(r.cells[i].row.actual)
                        if r.cells[i].row and r.cells[i].row.actual is not None
                        else None
                        for r in self.rows
                    ],
                    "statuses": [r.cells[i].status for r in self.rows],
                }
                for i, col in enumerate(self.columns)
            ],
        }


def heat_table(
    *,
    user,
    parent: Division | None,
    period: dt.date | None,
    provisional: bool,
    page_size: int | None = None,
    page_number: str | int | None = None,
    programmes: ProgrammeChoice | None = None,
) -> HeatTable:
    """Children of `parent` (those the user may see) × targets, coloured by status.

    Unpaged (`page_size` None): every child, two queries. Paged: the children of page
    `page_number` (garbage → page 1, out of range → the last page), in five queries whatever
    the number of children (count, page of units, their rows, the catalogue's targets).
    """
    if parent is None or period is None or parent.level >= 3:
        return HeatTable(parent, period, [], [])
    units = (
        Division.objects.for_user(user)
        .filter(parent=parent, level__lte=3)
        .valid_on(period)
        .order_by("code", "pk")
    )
    page = None
    if page_size is None:
        children = list(units)
    else:
        page = Paginator(units, page_size).get_page(page_number)
        children = list(page.object_list)
    rows = effective_rows(
        division_ids=[c.pk for c in children],
        period_from=period,
        period_to=period,
        provisional=provisional,
    )
    columns: dict[int | tuple, HeatColumn] = {}
    for (ind_id, _div, _p, tkey), row in rows.items():
        if tkey and (ind_id, tkey) not in columns:
            columns[(ind_id, tkey)] = HeatColumn(row.indicator, row.target, row.target_value)
    if page is not None and children:
        # Every page shows the same columns, the targets its units are assessed against, so
        # pages line up when compared: a target with no figure on this page shows "no data".
        # From the catalogue, not the data: the page costs the same at any number of units.
        assessed = targets_assessed_at(children[0].level)
        attach_programmes(assessed, programmes.programmes if programmes else None)
        for target in assessed:
            columns.setdefault(
                (target.indicator_id, target.pk), HeatColumn(target.indicator, target)
            )
    ordered = sorted(columns.items(), key=lambda kv: _target_sort(kv[1].indicator, kv[1].target))
    if programmes is not None:
        ordered = [
            (k, col)
            for k, col in ordered
            if programmes.keeps(col.target, live=col.target is None or is_live(col.target, period))
        ]
    table_rows = [
        HeatRow(
            division=child,
            cells=[
                HeatCell(rows.get((ind, child.pk, period, tk)), col) for (ind, tk), col in ordered
            ],
            can_drill=child.level < 3,
        )
        for child in children
    ]
    return HeatTable(
        parent=parent,
        period=period,
        columns=[col for _k, col in ordered],
        rows=table_rows,
        computed_at=max((r.computed_at for r in rows.values()), default=None),
        page=page,
    )


# ---------------------------------------------------------------------------- indicator page


@dataclass
class IndicatorMonth:
    row: Attainment
    indicator: Indicator

    @property
    def period(self) -> str:
        return period_label(self.row.period)

    @property
    def actual_display(self) -> str:
        return fmt_value(self.row.actual, self.indicator)

    @property
    def target_display(self) -> str:
        return fmt_value(self.row.target_value, self.indicator)

    @property
    def projected_display(self) -> str:
        return fmt_value(self.row.projected_value, self.indicator)

    @property
    def data_period(self) -> str:
        return period_label(self.row.data_period)

    @property
    def sources(self) -> str:
        return sources_label(self.row.sources)

    @property
    def numerator_display(self) -> str:
        return (
            fmt_number(self.row.numerator, self.indicator)
            if self.row.numerator is not None
            else "—"
        )

    @property
    def denominator_display(self) -> str:
        if self.row.denominator is None:
            return "—"
        return fmt_number(self.row.denominator, self.indicator)

    @property
    def share_display(self) -> str:
        return Card(self.indicator, self.row.target, self.row).share_display

    @property
    def share_brief(self) -> str:
        return Card(self.indicator, self.row.target, self.row).share_brief

    @property
    def status(self) -> str:
        return self.row.status

    @property
    def status_label(self) -> str:
        return status_label(self.row.status, target=self.row.target, period=self.row.period)

    @property
    def colour(self) -> str:
        return status_colour(self.row.status)

    @property
    def reconstructed(self) -> bool:
        return self.row.reconstructed

    @property
    def structure(self) -> str:
        return structure_label(self.row.period)

    @property
    def merger_after(self) -> bool:
        """The merger's first month (the page says whether its unit is the merged province)."""
        return self.row.period == REORG_DATE


def merger_text() -> str:
    return _("Sáp nhập: từ 07/2025 gồm cả tỉnh Bạc Liêu cũ")


def spans_merger(division: Division) -> bool:
    """The province in force: its series is old Cà Mau before 07/2025, the merged one after."""
    return division.level == 1 and division.valid_to is None


@dataclass
class IndicatorPage:
    indicator: Indicator
    division: Division
    targets: list[Target]
    target: Target | None
    months: list[IndicatorMonth]
    chart: dict
    computed_at: dt.datetime | None
    # The merged province's page: old Bạc Liêu's own months (to 06/2025), newest first.
    former: list[IndicatorMonth] = field(default_factory=list)
    merger: bool = False

    @property
    def name(self) -> str:
        return name_of(self.indicator)

    @property
    def several_programmes(self) -> bool:
        return len({t.programme_id for t in self.targets}) > 1


def indicator_page(
    *,
    indicator: Indicator,
    division: Division,
    target_id: int | None,
    provisional: bool,
    period: dt.date | None,
) -> IndicatorPage:
    """Monthly rows of one indicator in one division for one of its targets, and the chart
    data: actual values, the straight target path from baseline to deadline, the projection."""
    rows = effective_rows(
        division_ids=[division.pk],
        period_from=dt.date(2000, 1, 1),
        period_to=period or dt.date(2100, 1, 1),
        provisional=provisional,
        indicator_id=indicator.pk,
    )
    targets: dict[int, Target] = {
        t.pk: t
        for t in indicator.targets.filter(scope_level=division.level).select_related("programme")
    }
    for row in rows.values():
        if row.target is not None:
            targets.setdefault(row.target.pk, row.target)
    ordered_targets = sorted(targets.values(), key=lambda t: t.deadline)
    today = timezone.localdate()
    target = targets.get(target_id) if target_id else None
    if target is None and ordered_targets:
        target = next((t for t in ordered_targets if t.deadline >= today), ordered_targets[-1])
    tkey = target.pk if target else 0
    mine = sorted((r for (_i, _d, _p, k), r in rows.items() if k == tkey), key=lambda r: r.period)
    months = [IndicatorMonth(r, indicator) for r in mine]
    former = _former_province_rows(indicator, division, tkey, provisional, period)
    chart = _indicator_chart(indicator, target, mine)
    merger = spans_merger(division) and _mark_merger(chart, former)
    return IndicatorPage(
        indicator=indicator,
        division=division,
        targets=ordered_targets,
        target=target,
        months=list(reversed(months)),
        chart=chart,
        computed_at=max((r.computed_at for r in mine), default=None),
        former=[IndicatorMonth(r, indicator) for r in reversed(former)],
        merger=merger,
    )


def _former_province_rows(
    indicator: Indicator, division: Division, tkey: int, provisional: bool, period
) -> list[Attainment]:
    """Old Bạc Liêu's rows (the provinces merged in 2025, valid to 06/2025) for the merged
    province's page, oldest first: one query, none for any other unit."""
    if not spans_merger(division):
        return []
    last = shift_month(REORG_DATE, -1)
    rows = effective_rows(
        division_ids=Division.objects.filter(level=1, valid_to__isnull=False).values("pk"),
        period_from=dt.date(2000, 1, 1),
        period_to=min(period, last) if period else last,
        provisional=provisional,
        indicator_id=indicator.pk,
    )
    return sorted((r for (_i, _d, _p, k), r in rows.items() if k == tkey), key=lambda r: r.period)


def _mark_merger(chart: dict, former: list[Attainment]) -> bool:
    """Put the merger's month and old Bạc Liêu's series on the chart; False when the chart
    does not reach 07/2025 (nothing to mark)."""
    labels = chart["labels"]
    merger_label = period_label(REORG_DATE)
    if merger_label not in labels:
        return False
    chart["merger"] = {"index": labels.index(merger_label), "label": merger_text()}
    position = {label: i for i, label in enumerate(labels)}
    series: list[float | None] = [None] * len(labels)
    for r in former:
        if r.actual is not None and period_label(r.period) in position:
            series[position[period_label(r.period)]] = float(r.actual)
    if any(v is not None for v in series):
        chart["former"] = series
        chart["names"]["former"] = _("Tỉnh Bạc Liêu cũ (đến 06/2025)")
    chart["names"]["actual"] = _("Thực hiện (đến 06/2025: tỉnh Cà Mau cũ; từ 07/2025: tỉnh mới)")
    return True


def _indicator_chart(indicator: Indicator, target: Target | None, rows: list[Attainment]) -> dict:
    first = rows[0].period if rows else None
    last = rows[-1].period if rows else None
    goal = (rows[-1].target_value if rows else None) or (
        target.resolved_value() if target else None
    )
    base_period = base_value = deadline = None
    if target is not None:
        deadline = target.deadline.replace(day=1)
        if target.baseline_value is not None and target.baseline_period is not None:
            base_period, base_value = target.baseline_period.replace(day=1), target.baseline_value
        else:
            start = next((r for r in rows if r.actual is not None), None)
            if start is not None:
                base_period, base_value = start.period, start.actual
    bounds = [d for d in (first, last, base_period, deadline) if d is not None]
    if not bounds:
        return {"labels": [], "actual": [], "target": [], "projection": [], "unit": indicator.unit}
    lo, hi = month_index(min(bounds)), month_index(max(bounds))
    labels = [month_from_index(i) for i in range(lo, hi + 1)]
    position = {p: i for i, p in enumerate(labels)}
    actual: list[float | None] = [None] * len(labels)
    for r in rows:
        if r.actual is not None:
            actual[position[r.period]] = float(r.actual)
    path: list[float | None] = [None] * len(labels)
    projection: list[float | None] = [None] * len(labels)
    if deadline is not None and goal is not None and base_period is not None:
        path[position[base_period]] = float(base_value)
        path[position[deadline]] = float(goal)
    latest = rows[-1] if rows else None
    if (
        latest is not None
        and deadline is not None
        and latest.actual is not None
        and latest.projected_value is not None
        and latest.period < deadline
    ):
        projection[position[latest.period]] = float(latest.actual)
        projection[position[deadline]] = float(latest.projected_value)
    return {
        "labels": [period_label(p) for p in labels],
        "actual": actual,
        "target": path,
        "projection": projection,
        "unit": indicator.unit,
        "names": {
            "actual": _("Thực hiện"),
            "target": _("Lộ trình mục tiêu"),
            "projection": _("Dự báo theo tốc độ hiện tại"),
        },
    }


# ---------------------------------------------------------------------------- open data


@dataclass
class OpenData:
    period: dt.date | None
    cards: list[Card]
    computed_at: dt.datetime | None
    results: list[ResultGroup] = field(default_factory=list)

    @property
    def several_programmes(self) -> bool:
        return several_programmes(self.cards)


def open_data_latest() -> OpenData:
    """Province-level approved attainment of the latest month (provisional rows never)."""
    root = province()
    periods = Attainment.objects.filter(provisional=False, division__level=1).order_by("-period")
    latest = periods.values_list("period", flat=True).first()
    if root is None or latest is None:
        return OpenData(latest, [], None)
    rows = effective_rows(
        division_ids=[root.pk], period_from=latest, period_to=latest, provisional=False
    )
    cards = sorted(
        (Card(r.indicator, r.target, r, as_of=latest) for r in rows.values()),
        key=lambda c: _target_sort(c.indicator, c.target),
    )
    return OpenData(
        latest,
        [c for c in cards if c.target is None or c.live],
        max((r.computed_at for r in rows.values()), default=None),
        result_groups([c for c in cards if c.target is not None and not c.live]),
    )


OPEN_DATA_HEADERS = [
    gettext_lazy("Kỳ"),
    gettext_lazy("Mã chỉ tiêu"),
    gettext_lazy("Tên chỉ tiêu"),
    gettext_lazy("Đơn vị tính"),
    gettext_lazy("Thực hiện"),
    gettext_lazy("Mục tiêu"),
    gettext_lazy("Thời hạn"),
    gettext_lazy("Mã trạng thái"),
    gettext_lazy("Còn hạn"),
    gettext_lazy("Giá trị xét kết quả"),
    # The status in words, as the page says it; the code column stays for machines.
    gettext_lazy("Trạng thái"),
]


def open_data_rows() -> Iterable[list[str]]:
    """Every province-level approved row, oldest month first (streamed, one query). Within a
    month, as on the page: targets still live first, then the ended ones with the value their
    final verdict was judged on ("Còn hạn": 1 live, 0 ended, empty without a target); the
    status as a code and in words."""
    # The month's first day against the deadline: live while the deadline is in or after it.
    ended = Case(When(target__deadline__lt=F("period"), then=1), default=0)
    qs = (
        Attainment.objects.filter(provisional=False, division__level=1)
        .select_related("indicator", "target")
        .annotate(ended=ended)
        .order_by(
            "period",
            "ended",
            "indicator__pillar",
            "indicator__position",
            "indicator__code",
            "target_key",
        )
    )
    for r in qs.iterator(chunk_size=2000):
        yield [
            f"{r.period:%Y-%m}",
            r.indicator.code,
            r.indicator.name_vi,
            r.indicator.unit,
            plain(r.actual),
            plain(r.target_value),
            f"{r.target.deadline:%Y-%m-%d}" if r.target else "",
            r.status,
            "" if r.target is None else ("0" if r.ended else "1"),
            plain(r.judged_value) if r.ended else "",
            status_label(r.status, target=r.target, period=r.period),
        ]
