"""Reporting across the 2025 reorganisation: units valid in the month, commune reports from
07/2025, reconstructed series for new communes (hand-computed), continuous province totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from attainment.engine import attainment_recompute
from attainment.models import Attainment
from divisions import access
from reports.models import DataValue, Report, ReportStatus
from reports.selectors import completeness_board, entry_grid, structure_label
from reports.services import FigureErrors, FigureInput, data_values_upsert
from targets.models import TimeAggregation
from tests.attainment.test_attainment import make_report
from tests.divisions.factories import make_user
from tests.reports.factories import DataValueFactory, count_indicator, ratio_indicator

pytestmark = pytest.mark.django_db

JUNE, JULY, AUG = dt.date(2025, 6, 1), dt.date(2025, 7, 1), dt.date(2025, 8, 1)
START = dt.date(2022, 7, 1)
# New Xã Nguyễn Phích (32044) = old Thị trấn U Minh (32044) + half of old Xã Khánh Thuận (32048,
# split with Xã U Minh) + a third of old Xã Nguyễn Phích (32053, split between 32044, 32059 and
# 32062), all in U Minh.
NEW, OLD_WHOLE_1, OLD_HALF, OLD_SPLIT, U_MINH = "32044", "32044", "32048", "32053", "966"
THIRD = D("0.3333")


@pytest.fixture
def steering_user(reorganised):
    """Overrides the suite's fixture, which loads only the structure before 2025."""
    return make_user("steering", "96", username="bcd")


@pytest.fixture
def new_commune_officer(reorganised):
    return make_user("commune_officer", NEW, on=JULY, username="xa_moi")


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_figures_for_an_old_unit_after_june_2025_are_refused(reorganised, steering_user):
    count_indicator()
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(
            user=steering_user, rows=[FigureInput("people_guided", OLD_SPLIT, JULY, value=5)]
        )
    # Code 32053 has no unit from 07/2025 (it went to three new communes).
    message = exc.value.row_errors[0].message
    assert "Xã Nguyễn Phích" in message and "hết hiệu lực" in message and "30/06/2025" in message
    district_officer = make_user("district_officer", U_MINH, username="huyen")
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(
            user=district_officer, rows=[FigureInput("people_guided", U_MINH, JULY, value=5)]
        )
    assert "hết hiệu lực" in exc.value.row_errors[0].message
    assert not DataValue.objects.exists()


def test_figures_for_a_new_unit_before_july_2025_are_refused(reorganised, steering_user):
    # Every real new unit reuses an old code, which in June means the old unit (see the next
    # test); a code used only from 07/2025 on shows the refusal.
    from divisions.services import DivisionRow, divisions_upsert

    divisions_upsert(rows=[DivisionRow("39999", "Xã Thử Mới", "commune", "96", JULY)])
    count_indicator()
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(
            user=steering_user, rows=[FigureInput("people_guided", "39999", JUNE, value=5)]
        )
    message = exc.value.row_errors[0].message
    assert "chỉ có hiệu lực từ ngày 01/07/2025" in message
    assert not DataValue.objects.exists()


def test_a_reused_code_means_the_unit_valid_in_the_figures_month(reorganised, steering_user):
    count_indicator()
    data_values_upsert(
        user=steering_user,
        rows=[
            FigureInput("people_guided", NEW, JUNE, value=1),  # old Thị trấn U Minh
            FigureInput("people_guided", NEW, JULY, value=2),  # new Xã Nguyễn Phích
        ],
    )
    june, july = (DataValue.objects.get(period=p) for p in (JUNE, JULY))
    assert june.division == reorganised.old[OLD_WHOLE_1]
    assert june.report.division == reorganised.old[U_MINH]  # through the district
    assert july.division == reorganised.new[NEW]
    assert july.report.division == reorganised.new[NEW]  # the commune reports for itself


def test_commune_officer_of_a_new_commune_enters_own_figures(reorganised, new_commune_officer):
    count_indicator()
    new = reorganised.new[NEW]
    assert access.can_change(new_commune_officer, new)
    assert not access.can_change(new_commune_officer, reorganised.new["32059"])
    data_values_upsert(
        user=new_commune_officer, rows=[FigureInput("people_guided", NEW, AUG, value=7)]
    )
    assert Report.objects.get(period=AUG).division == new
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(
            user=new_commune_officer, rows=[FigureInput("people_guided", "32059", AUG, value=7)]
        )
    assert exc.value.row_errors[0].code == "denied"


def test_officers_of_old_units_keep_their_history(reorganised):
    old_commune_officer = make_user("commune_officer", OLD_SPLIT, username="xa_cu")
    assert not access.can_change(old_commune_officer, reorganised.old[OLD_SPLIT])
    # The district ended on 30/06/2025: its officer reads its history and changes nothing.
    district_officer = make_user("district_officer", U_MINH, username="huyen")
    assert access.can_view(district_officer, reorganised.old[OLD_SPLIT])
    count_indicator()
    with pytest.raises(FigureErrors):
        data_values_upsert(
            user=district_officer, rows=[FigureInput("people_guided", OLD_SPLIT, JUNE, value=3)]
        )
    assert not DataValue.objects.exists()


def test_entry_grid_of_a_new_commune_has_one_row(reorganised, new_commune_officer):
    count_indicator()
    c = client_for(new_commune_officer)
    url = reverse("reports:entry", args=[NEW, "2025-08"])
    response = c.get(url)
    assert response.status_code == 200
    grid = entry_grid(district=reorganised.new[NEW], period=AUG)
    assert [r.division for r in grid.rows] == [reorganised.new[NEW]]
    assert all(cell is not None for cell in grid.rows[0].cells)  # commune indicators apply
    response = c.post(
        reverse("reports:save_all", args=[NEW, "2025-08"]),
        {f"people_guided__{NEW}__value": "12"},
    )
    assert response.status_code == 302
    assert DataValue.objects.get().value == 12
    # District pages of the new months do not exist; old months still open for the district.
    assert c.get(reverse("reports:entry", args=[U_MINH, "2025-08"])).status_code == 404
    assert c.get(reverse("reports:entry", args=[NEW, "2025-06"])).status_code == 404


def test_month_links_lead_only_to_report_pages_that_exist(reorganised, steering_user):
    """A district's last month (06/2025) offers no "next month" (its 07/2025 page is a 404),
    a new commune's first month (07/2025) no "previous month"; months in between offer both."""
    count_indicator()
    c = client_for(steering_user)

    def links(code, month):
        html = c.get(reverse("reports:entry", args=[code, month])).content.decode()
        return {
            slug
            for slug in ("2025-05", "2025-06", "2025-07", "2025-08")
            if f'href="{reverse("reports:entry", args=[code, slug])}"' in html
        }

    assert links(U_MINH, "2025-06") == {"2025-05"}
    assert links(NEW, "2025-07") == {"2025-08"}
    assert links(U_MINH, "2025-05") == {"2025-06"}
    for slug in links(U_MINH, "2025-06") | links(NEW, "2025-07"):
        code = U_MINH if slug < "2025-07" else NEW
        assert c.get(reverse("reports:entry", args=[code, slug])).status_code == 200


def test_index_sends_a_new_commune_officer_to_their_report(reorganised, new_commune_officer):
    response = client_for(new_commune_officer).get(reverse("reports:index"))
    assert response.status_code == 302 and f"/{NEW}/" in response.url


def test_board_follows_the_structure_of_the_month(reorganised):
    # The province reports its own figures in every month (provincial agencies), first.
    rows, units = completeness_board(months=[AUG], today=dt.date(2025, 9, 1))
    assert units[0].code == "96" and len(units) == 1 + 64 and {u.level for u in units[1:]} == {3}
    rows, units = completeness_board(months=[JUNE], today=dt.date(2025, 7, 1))
    assert units[0].code == "96"
    assert len(units) == 1 + 9 and {u.parent.code for u in units[1:]} == {"96"}
    assert str(structure_label(JUNE)) == "Cơ cấu trước 01/07/2025"
    assert str(structure_label(AUG)) == "Cơ cấu từ 01/07/2025"


def _figures(reorganised, indicator, period, values: dict[str, dict], *, new: bool):
    units = reorganised.new if new else reorganised.old
    unit = units[NEW] if new else units[U_MINH]
    report = Report.objects.filter(division=unit, period=period).first() or make_report(
        division=unit, period=period, status=ReportStatus.APPROVED
    )
    for code, numbers in values.items():
        DataValueFactory(
            indicator=indicator, division=units[code], period=period, report=report, **numbers
        )


def _row(indicator, division, period):
    return Attainment.objects.get(
        indicator=indicator, division=division, period=period, provisional=False, target_key=0
    )


def test_new_commune_series_from_2022_is_reconstructed_from_predecessors(reorganised):
    """Hand-computed: sums × share, numerators and denominators × share, marked."""
    people = count_indicator()  # summed over communes and months
    ratio = ratio_indicator(time_aggregation=TimeAggregation.LATEST)
    _figures(
        reorganised,
        people,
        START,
        {OLD_WHOLE_1: {"value": D(4)}, OLD_SPLIT: {"value": D(3)}},
        new=False,
    )
    _figures(
        reorganised,
        people,
        JUNE,
        {OLD_WHOLE_1: {"value": D(10)}, OLD_HALF: {"value": D(20)}, OLD_SPLIT: {"value": D(30)}},
        new=False,
    )
    _figures(
        reorganised,
        ratio,
        JUNE,
        {
            OLD_WHOLE_1: {"numerator": D(30), "denominator": D(100), "value": D(30)},
            OLD_SPLIT: {"numerator": D(60), "denominator": D(90), "value": D("66.67")},
        },
        new=False,
    )
    _figures(reorganised, people, JULY, {NEW: {"value": D(5)}}, new=True)
    _figures(
        reorganised,
        ratio,
        JULY,
        {NEW: {"numerator": D(50), "denominator": D(100), "value": D(50)}},
        new=True,
    )
    attainment_recompute()
    new = reorganised.new[NEW]

    # People guided, cumulative: 07/2022 = 4 + 3 × 0.3333; 06/2025 adds 10 + 20 × 0.5 + 30 × 0.3333.
    first = _row(people, new, START)
    assert first.actual == D("4.9999") and first.reconstructed
    june = _row(people, new, JUNE)
    assert june.actual == D("4.9999") + D("29.999") and june.reconstructed
    july = _row(people, new, JULY)
    assert july.actual == D("34.9989") + 5 and not july.reconstructed
    # The old units' own rows end with them; the province series is continuous.
    assert _row(people, reorganised.old[OLD_SPLIT], JUNE).actual == 33
    assert not Attainment.objects.filter(division=reorganised.old[OLD_SPLIT], period=JULY).exists()
    province = reorganised.province
    assert _row(people, province, START).actual == 7
    assert _row(people, province, JUNE).actual == 67
    assert _row(people, province, JULY).actual == 72
    assert not _row(people, province, JULY).reconstructed

    # Ratio (latest month): numerators and denominators × share, then the ratio of sums.
    r_june = _row(ratio, new, JUNE)
    num, den = D(30) + D(60) * THIRD, D(100) + D(90) * THIRD
    assert r_june.numerator == num and r_june.denominator == den
    assert round(r_june.actual, 4) == round(num / den * 100, 4) and r_june.reconstructed
    r_july = _row(ratio, new, JULY)
    assert r_july.actual == 50 and not r_july.reconstructed
    assert round(_row(ratio, province, JUNE).actual, 4) == round(D(90) / D(190) * 100, 4)


def test_dashboards_say_which_structure_and_mark_reconstructed_values(
    reorganised, steering_user, client
):
    people = count_indicator()
    _figures(reorganised, people, JUNE, {OLD_WHOLE_1: {"value": D(10)}}, new=False)
    _figures(reorganised, people, JULY, {NEW: {"value": D(5)}}, new=True)
    attainment_recompute()
    client.force_login(steering_user)
    # The indicator page of the new commune: the whole series, old months marked.
    html = client.get(
        reverse("dashboards:indicator", args=["people_guided"]), {"division": NEW}
    ).content.decode()
    june = html.split('data-period="2025-06"')[1].split("</tr>")[0]
    july = html.split('data-period="2025-07"')[1].split("</tr>")[0]
    assert "data-reconstructed" in june and "Cơ cấu trước 01/07/2025" in june
    assert "data-reconstructed" not in july and "Cơ cấu từ 01/07/2025" in july
    # A division page resolves the code in the chosen month and names the structure.
    page = client.get(reverse("dashboards:division", args=[NEW]), {"period": "2025-06"})
    assert page.status_code == 200
    assert page.context["unit"] == reorganised.old[OLD_WHOLE_1]
    assert "Cơ cấu trước 01/07/2025" in page.content.decode()
    page = client.get(reverse("dashboards:division", args=[NEW]), {"period": "2025-07"})
    assert page.context["unit"] == reorganised.new[NEW]
    assert "Cơ cấu từ 01/07/2025" in page.content.decode()


def test_attainment_api_marks_reconstructed_rows(reorganised, steering_user, client):
    people = count_indicator()
    _figures(reorganised, people, JUNE, {OLD_WHOLE_1: {"value": D(10)}}, new=False)
    attainment_recompute()
    client.force_login(steering_user)
    rows = client.get(
        "/api/v1/attainment/", {"division": NEW, "period_from": "2025-06", "period_to": "2025-06"}
    ).json()["results"]
    # Code 32044 in 06/2025: the old unit's own row and the new unit's reconstructed one.
    assert sorted((r["reconstructed"], float(r["actual"])) for r in rows) == [
        (False, 10.0),
        (True, 10.0),
    ]


def test_demo_seed_follows_the_structure_of_each_month(reorganised, settings):
    from devtools.demo import demo_seed

    count_indicator()
    demo_seed(until=AUG)
    divisions_in = {
        (r.division.level, r.period >= JULY) for r in Report.objects.select_related("division")
    }
    assert (2, True) not in divisions_in and (3, False) not in divisions_in
    assert (3, True) in divisions_in and (2, False) in divisions_in
    assert not Report.objects.filter(division__path__startswith="95/").exists()
    for dv in DataValue.objects.select_related("division")[:500]:
        assert dv.division.valid_in_month(dv.period)


def test_admin_import_places_a_hamlet_under_the_unit_valid_when_it_starts(reorganised):
    import tablib

    from divisions.admin import DivisionResource
    from divisions.models import Division

    data = tablib.Dataset(headers=["code", "name", "kind", "parent_code", "valid_from"])
    data.append(["32002-01", "Khóm 1", "khom", "32002", "2025-07-01"])
    data.append(["32002-90", "Khóm cũ", "khom", "32002", "2024-01-01"])
    result = DivisionResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Division.objects.get(code="32002-01").parent == reorganised.new["32002"]
    assert Division.objects.get(code="32002-90").parent == reorganised.old["32002"]


def test_team_filter_by_a_reused_code_picks_the_unit_in_force(reorganised, steering_user, client):
    client.force_login(steering_user)
    response = client.get(reverse("teams:list"), {"commune": "32002"})
    assert response.status_code == 200
    assert response.context["form"].cleaned_data["commune"] == reorganised.new["32002"]
    # Today's structure has no districts: the registry offers no district filter at all.
    assert "district" not in response.context["form"].fields


def test_api_within_a_reused_code_uses_the_unit_in_force_at_the_end_of_the_range(
    reorganised, steering_user, client
):
    people = count_indicator()
    _figures(reorganised, people, JUNE, {OLD_WHOLE_1: {"value": D(10)}}, new=False)
    _figures(reorganised, people, JULY, {NEW: {"value": D(5)}}, new=True)
    client.force_login(steering_user)
    old = client.get("/api/v1/values/", {"within": U_MINH, "period_to": "2025-06"}).json()
    assert [(r["division"], r["period"]) for r in old["results"]] == [(NEW, "2025-06")]
    new = client.get("/api/v1/values/", {"within": NEW, "period_from": "2025-07"}).json()
    assert [(r["division"], r["period"]) for r in new["results"]] == [(NEW, "2025-07")]


def test_template_and_import_of_a_new_commune(reorganised, new_commune_officer):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    from reports.imports import COLUMNS, figures_import, template_workbook

    count_indicator()
    new = reorganised.new[NEW]
    sheet = load_workbook(io.BytesIO(template_workbook(unit=new, period=AUG))).active
    codes = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert NEW in codes and U_MINH not in codes
    lines = [
        ",".join(COLUMNS),
        ",".join(
            {
                "indicator_code": "people_guided",
                "division_code": NEW,
                "period": "2025-08",
                "value": "9",
            }.get(h, "")
            for h in COLUMNS
        ),
    ]
    upload = SimpleUploadedFile("bao-cao.csv", "\n".join(lines).encode("utf-8"))
    outcome = figures_import(
        user=new_commune_officer, upload=upload, unit=new, period=AUG, dry_run=False
    )
    assert outcome.ok, [e.message for e in outcome.errors]
    assert DataValue.objects.get().division == new
