"""Dashboards of 11/2026 on the real structure (the merged province) and the shipped catalogue:
live targets first (2030 and the year's milestones), the 2025 results with their final verdicts
and judged values, and a programme selector whose programmes' targets stay side by side."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from attainment.engine import attainment_recompute
from attainment.models import Attainment
from dashboards.selectors import fmt_value, status_label
from targets.models import Comparator, Programme, ScopeLevel, Target
from tests.dashboards.helpers import make_report
from tests.divisions.factories import make_user
from tests.reports.factories import DataValueFactory

pytestmark = pytest.mark.django_db

URL = reverse("dashboards:province")
NOV_2026 = dt.date(2026, 11, 1)
PLAN = "test-plan-2026"


@pytest.fixture
def steering_user(reorganised):
    """Overrides the suite's fixture, which loads only the structure before 2025."""
    return make_user("steering", "96", username="bcd")


def month(year: int, m: int) -> dt.date:
    return dt.date(year, m, 1)


class ProvinceFigures:
    """Approved figures of the province's own report (provincial agencies), month by month."""

    def __init__(self, province):
        self.province = province
        self.reports = {}

    def add(self, indicator, period, *, value=None, num=None, den=None):
        if period not in self.reports:
            self.reports[period] = make_report(division=self.province, period=period)
        if num is not None:
            value = D(num) / D(den) * 100
        DataValueFactory(
            indicator=indicator,
            division=self.province,
            period=period,
            report=self.reports[period],
            value=D(value),
            numerator=None if num is None else D(num),
            denominator=None if den is None else D(den),
        )


@pytest.fixture
def present(reorganised, catalogue):
    """The province's figures from 2024 to 11/2026 and a 2026–2030 plan with a 2026 milestone
    and a 2030 target on the digital economy's share (05-NQ/TU says 20% by 2030, the plan 25%).

    Hand-computed verdicts of 2025: e-government level-4 services 100/100 in 12/2025 (target
    100%): met at 100%; e-commerce share 8% in 12/2024 and nothing in 2025: no data for 2025;
    digital economy 9% in 12/2025 (target 10%): not met at 9%.
    """
    plan = Programme.objects.create(
        code=PLAN,
        kind="plan",
        number="9999/KH-THU",
        issuer="UBND tỉnh Cà Mau",
        issued_on=dt.date(2025, 12, 31),
        title_vi="Kế hoạch thử chuyển đổi số năm 2026",
        first_year=2026,
        last_year=2030,
    )
    grdp = catalogue["digital_economy_grdp"]
    for deadline, value in ((dt.date(2026, 12, 31), 12), (dt.date(2030, 12, 31), 25)):
        Target.objects.create(
            programme=plan,
            indicator=grdp,
            wording_vi=f"Kinh tế số chiếm {value}% GRDP",
            deadline=deadline,
            scope_level=ScopeLevel.PROVINCE,
            value=D(value),
            comparator=Comparator.AT_LEAST,
        )
    figures = ProvinceFigures(reorganised.province)
    figures.add(catalogue["ecommerce_retail_share"], month(2024, 12), value=8)
    figures.add(catalogue["tthc_dvctt_level4"], month(2025, 12), num=100, den=100)
    figures.add(grdp, month(2025, 12), value=9)
    figures.add(grdp, month(2026, 6), value=11)
    figures.add(catalogue["dvctt_level4_multichannel"], NOV_2026, num=60, den=100)
    attainment_recompute()
    return {"plan": plan, "grdp": grdp}


def section(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[start : html.index("</section>", start)]


def test_the_dashboard_of_november_2026_leads_with_2030_and_2026_targets(
    client, steering_user, present
):
    client.force_login(steering_user)
    response = client.get(URL, {"period": "2026-11"})
    html = response.content.decode()
    overview = response.context["overview"]
    deadlines = {c.target.deadline.year for c in overview.cards}
    assert {2026, 2030} <= deadlines and min(deadlines) == 2026
    # The live cards come before the results: the first status badge of the page is a live one.
    live, results = html.index("data-live-targets"), html.index('data-results="2025"')
    assert live < results
    assert "data-card=" not in html[:live]
    # No ended target is shown as a card (no "hết hạn" badge among them).
    assert "hết hạn" not in html[live:results]
    # The plan's 2026 milestone is a card of its own, beside 05-NQ/TU's 2030 target.
    grdp_cards = [c for c in overview.cards if c.indicator.code == "digital_economy_grdp"]
    pairs = [(c.target.deadline.year, c.target.programme.code) for c in grdp_cards]
    assert pairs[0] == (2026, PLAN)
    assert sorted(pairs[1:]) == [(2030, "05-nq-tu"), (2030, PLAN)]
    twenty = [c.target_display for c in grdp_cards[1:]]
    assert sorted(twenty) == ["20%", "25%"]


def test_the_2025_results_section_matches_the_final_verdicts(client, steering_user, present):
    client.force_login(steering_user)
    html = client.get(URL, {"period": "2026-11"}).content.decode()
    results = section(html, 'data-results="2025"')
    assert "Kết quả năm 2025" in results
    rows = Attainment.objects.filter(
        division__code="96",
        period=NOV_2026,
        provisional=False,
        target__deadline__year=2025,
    ).select_related("indicator", "target")
    assert rows.count() == 3
    # Every 2025 province target has its line, with or without figures.
    expected = Target.objects.filter(scope_level=ScopeLevel.PROVINCE, deadline__year=2025)
    assert results.count("<tr data-card=") == expected.count() > rows.count()
    assert results.count("Chưa có số liệu năm 2025") == expected.count() - 2
    for row in rows:
        start = results.index(f'data-card="{row.indicator.code}"')
        line = results[start : results.index("</tr>", start)]
        label = status_label(row.status, target=row.target, period=row.period)
        assert f'data-status="{row.status}"' in line and label in line
        assert fmt_value(row.judged_value, row.indicator) in line

    # By hand: met at 100%, no figure of 2025, not met at 9%.
    def line_of(code):
        start = results.index(f'data-card="{code}"')
        return results[start : results.index("</tr>", start)]

    assert 'data-status="met"' in line_of("tthc_dvctt_level4")
    assert "100%" in line_of("tthc_dvctt_level4")
    assert "Chưa có số liệu năm 2025" in line_of("ecommerce_retail_share")
    assert "8%" not in line_of("ecommerce_retail_share")
    assert 'data-status="not_met"' in line_of("digital_economy_grdp")
    assert "9%" in line_of("digital_economy_grdp")


def test_open_data_page_and_csv_put_live_targets_before_the_2025_results(client, present):
    html = client.get(reverse("dashboards:open_data")).content.decode()
    live_table = html[html.index("dash-open") : html.index("</table>", html.index("dash-open"))]
    assert "dvctt_level4_multichannel" in live_table and "31/12/2025" not in live_table
    results = section(html, 'data-results="2025"')
    assert "tthc_dvctt_level4" in results and "Chưa có số liệu năm 2025" in results
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("dashboards:open_data_csv")).content.decode("utf-8-sig"))
        )
    )
    november = [r for r in rows[1:] if r[0] == "2026-11" and r[6]]
    live = [r[8] for r in november]
    assert live == sorted(live, reverse=True) and "1" in live and "0" in live
    judged = {r[1]: r[9] for r in november if r[8] == "0"}
    assert judged["tthc_dvctt_level4"] == "100" and judged["ecommerce_retail_share"] == ""


def test_programme_selector_shows_one_programme_and_names_the_programme_of_each_card(
    client, steering_user, present, count_queries
):
    client.force_login(steering_user)
    every, before = count_queries(f"{URL}?period=2026-11")
    html = every.content.decode()
    assert 'id="dash-programme"' in html and f'value="{PLAN}"' in html
    assert f'data-programme="{PLAN}"' in html and 'data-programme="05-nq-tu"' in html
    only, after = count_queries(f"{URL}?period=2026-11&programme={PLAN}")
    cards = only.context["overview"].cards
    assert cards and {c.target.programme.code for c in cards} == {PLAN}
    # The query for the export and the period links keeps the programme.
    assert f"programme={PLAN}" in only.context["query"]
    assert after == before
    unknown = client.get(URL, {"period": "2026-11", "programme": "khong-co"}).content.decode()
    assert "Không có chương trình mã “khong-co”" in unknown
    # 05-NQ/TU alone: its 2030 target, not the plan's 2026 milestone.
    nq = client.get(URL, {"period": "2026-11", "programme": "05-nq-tu"}).context["overview"]
    assert {c.target.programme.code for c in nq.cards} == {"05-nq-tu"}


def test_api_attainment_filters_by_programme(client, steering_user, present):
    client.force_login(steering_user)
    url = "/api/v1/attainment/"
    results = client.get(url, {"programme": PLAN, "period": "2026-11"}).json()["results"]
    assert results and {r["target_programme"] for r in results} == {PLAN}
    bad = client.get(url, {"programme": "khong-co"})
    assert bad.status_code == 422 and "khong-co" in bad.content.decode()


NEW_COMMUNE = "32069"  # Xã Biển Bạch, from 07/2025


@pytest.fixture
def commune_figures(present, reorganised, catalogue):
    """Work records of Xã Biển Bạch in its own reports, 08/2025 to 11/2026."""
    unit = reorganised.new[NEW_COMMUNE]
    indicator = catalogue["work_records_online"]
    period = month(2025, 8)
    while period <= NOV_2026:
        report = make_report(division=unit, period=period)
        DataValueFactory(
            indicator=indicator,
            division=unit,
            period=period,
            report=report,
            value=D(50),
            numerator=D(50),
            denominator=D(100),
        )
        period = month(period.year + period.month // 12, period.month % 12 + 1)
    attainment_recompute()
    return unit


def _texts(response) -> list[str]:
    """What a user reads of a response: the page, or the cells of a CSV or xlsx download."""
    kind = response.get("Content-Type", "")
    if kind.startswith("application/vnd.openxmlformats"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content))
        return [
            str(v)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for v in row
            if v is not None
        ] + book.sheetnames
    disposition = response.get("Content-Disposition", "")
    return [response.content.decode("utf-8-sig"), disposition]


@pytest.mark.parametrize("period", ["2025-08", "2026-11"])
def test_no_dashboard_page_or_export_of_a_post_2025_period_says_huyen(
    client, steering_user, commune_figures, period
):
    client.force_login(steering_user)
    pages = [
        URL,
        reverse("dashboards:districts"),
        reverse("dashboards:division", args=[NEW_COMMUNE]),
        reverse("dashboards:indicator", args=["work_records_online"]),
        reverse("dashboards:indicator", args=["digital_economy_grdp"]),
    ]
    checked = 0
    for page in pages:
        extra = {"division": NEW_COMMUNE} if "work_records" in page else {}
        for export in ("", "xlsx", "csv"):
            params = {"period": period, **extra, **({"export": export} if export else {})}
            response = client.get(page, params)
            assert response.status_code == 200, (page, export)
            for text in _texts(response):
                assert "huyện" not in text.lower(), (page, export, period)
                assert "huyen" not in text.lower(), (page, export, period)
            checked += 1
    html = client.get(reverse("dashboards:districts"), {"period": period}).content.decode()
    assert "So sánh đơn vị cấp xã" in html and 'data-division="' in html
    exported = client.get(reverse("dashboards:districts"), {"period": period, "export": "csv"})
    assert f"\n{NEW_COMMUNE},Xã Biển Bạch," in exported.content.decode("utf-8-sig")
    assert checked == 15


def test_the_comparison_tab_before_the_reorganisation_still_says_district(
    client, steering_user, commune_figures
):
    client.force_login(steering_user)
    html = client.get(reverse("dashboards:districts"), {"period": "2025-05"}).content.decode()
    assert "So sánh cấp huyện" in html


@pytest.fixture
def both_provinces(present, reorganised, catalogue):
    """The digital economy's share: old Cà Mau 7% and old Bạc Liêu 5% in 03/2025 (each in its
    own province report), the merged province 11% in 03/2026."""
    grdp = present["grdp"]
    bac_lieu = reorganised.old["95"]
    ProvinceFigures(reorganised.province).add(grdp, month(2025, 3), value=7)
    ProvinceFigures(reorganised.province).add(grdp, month(2026, 3), value=11)
    ProvinceFigures(bac_lieu).add(grdp, month(2025, 3), value=5)
    attainment_recompute()
    return {"grdp": grdp, "bac_lieu": bac_lieu}


def _chart(html: str) -> dict:
    import json

    return json.loads(
        html.split('id="dash-indicator-data" type="application/json">')[1].split("</script>")[0]
    )


def test_province_series_marks_the_merger_and_shows_old_bac_lieu_apart(
    client, steering_user, both_provinces, count_queries
):
    target = Target.objects.get(
        indicator=both_provinces["grdp"], deadline__year=2030, programme__code="05-nq-tu"
    )
    # The engine keeps old Bạc Liêu's own rows (to 06/2025) beside the province's.
    bac_lieu_rows = Attainment.objects.filter(
        division=both_provinces["bac_lieu"], target=target, provisional=False
    )
    assert bac_lieu_rows.filter(period=month(2025, 3), actual=D(5)).exists()
    assert not bac_lieu_rows.filter(period__gte=month(2025, 7)).exists()
    client.force_login(steering_user)
    page = reverse("dashboards:indicator", args=["digital_economy_grdp"])
    query = f"{page}?division=96&target={target.pk}&period=2026-11"
    response, before = count_queries(query)
    html = response.content.decode()
    chart = _chart(html)
    march_2025, march_2026 = chart["labels"].index("03/2025"), chart["labels"].index("03/2026")
    assert chart["merger"] == {
        "index": chart["labels"].index("07/2025"),
        "label": "Sáp nhập: từ 07/2025 gồm cả tỉnh Bạc Liêu cũ",
    }
    assert chart["actual"][march_2025] == 7.0 and chart["actual"][march_2026] == 11.0
    assert chart["former"][march_2025] == 5.0
    assert all(v is None for v in chart["former"][chart["merger"]["index"] :])
    assert "data-merger-note" in html and "Sáp nhập: từ 07/2025 gồm cả tỉnh Bạc Liêu cũ" in html
    # The monthly table marks the merger below 07/2025, and old Bạc Liêu has its own table.
    table = html[html.index('data-period="2025-07"') :]
    assert table.index("data-merger") < table.index('data-period="2025-06"')
    former = section(html, "data-former-province")
    assert 'data-former-period="2025-03"' in former and "5%" in former
    assert 'data-former-period="2025-07"' not in former
    # More months of old Bạc Liêu cost no more queries.
    for m in range(4, 7):
        ProvinceFigures(both_provinces["bac_lieu"]).add(
            both_provinces["grdp"], month(2025, m), value=m
        )
    attainment_recompute()
    _, after = count_queries(query)
    assert after == before


def test_a_commune_page_has_no_merger_mark_and_province_sparklines_mark_it_when_they_cross(
    client, steering_user, both_provinces, commune_figures
):
    client.force_login(steering_user)
    commune = client.get(
        reverse("dashboards:indicator", args=["work_records_online"]),
        {"division": NEW_COMMUNE, "period": "2026-11"},
    ).content.decode()
    assert "data-merger" not in commune and "data-former-province" not in commune
    crossing = client.get(URL, {"period": "2025-12"})
    assert "data-spark-merger" in crossing.content.decode()
    sparks = crossing.context["overview"].sparks
    assert sparks and all(s["merger"] == {"index": 6, "label": ""} for s in sparks)
    after = client.get(URL, {"period": "2026-11"})
    assert "data-spark-merger" not in after.content.decode()


def test_live_cards_show_this_years_point_on_the_expected_path_labelled_derived(
    client, steering_user, present
):
    """The digital economy's share starts at 9% (12/2025, the series' first figure): a 2030
    target of 20% puts 2026 at 9 + (20 − 9) × 1/5 = 11,2%; the plan's 25% at 9 + 16/5 = 12,2%.
    The 2026 milestone itself is a target of its own, with no derived line."""
    client.force_login(steering_user)
    response = client.get(URL, {"period": "2026-11"})
    cards = {
        (c.target.deadline.year, c.target.programme.code): c
        for c in response.context["overview"].cards
        if c.indicator.code == "digital_economy_grdp"
    }
    label = "lộ trình dự kiến (tự tính, không phải chỉ tiêu)"
    assert cards[(2030, "05-nq-tu")].milestone == ("2026", "11,2%", label)
    assert cards[(2030, PLAN)].milestone == ("2026", "12,2%", label)
    assert cards[(2026, PLAN)].milestone is None
    html = response.content.decode()
    assert f"Năm 2026: 11,2% — {label}" in " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(
        "( ", "("
    ).replace(" )", ")")
