"""The province reports its own figures (provincial agencies: Sở, ban, ngành) in every month:
grid, Excel, API and the workflow at /reports/96/<month>/, entered by a province officer and
approved by steering staff. And every indicator with a target has a reporting unit in every
month it is reported, before and after the 2025 reorganisation."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from core import months as periods
from divisions import access
from divisions.models import REORG_DATE, Level
from reports.models import DataValue, DataValueChange, Report, ReportStatus
from reports.selectors import completeness_board, entry_grid, is_due, reporting_units
from reports.services import FigureErrors, FigureInput, data_values_upsert
from reports.views.common import is_reporting_unit
from targets.models import Target
from tests.divisions.factories import make_user

pytestmark = pytest.mark.django_db

PROVINCE = "96"
NEW_COMMUNE = "32044"  # Xã Nguyễn Phích, from 07/2025
DISTRICT = "967"  # Huyện Thới Bình, until 06/2025
JUNE_2025, AUG_2025 = dt.date(2025, 6, 1), dt.date(2025, 8, 1)
# Monthly, province only: what the provincial agencies' officer types in the journeys below.
PROVINCE_RATIO = "tthc_dvctt_level4"


@pytest.fixture
def steering(reorganised):
    return make_user("steering", PROVINCE, username="bcd")


@pytest.fixture
def agency_officer(reorganised):
    """An officer of a provincial agency (Sở, ban, ngành), scoped to the province."""
    return make_user("province_officer", PROVINCE, username="so_khcn")


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def slug(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def province_cell(code: str, **values) -> dict:
    return {f"{code}__{PROVINCE}__{k}": v for k, v in values.items()}


# --- every indicator with a target has somebody to report it ---------------------------------


def _reportable(month: dt.date) -> set[str]:
    """Codes of the indicators some reporting unit's grid asks for in the month.

    The grid's columns and rows depend on the kind of reporting unit (its level), not on
    which unit of that kind: one unit of each kind stands for the others.
    """
    kinds = {}
    for unit in reporting_units(period=month):
        kinds.setdefault(unit.level, unit)
    codes: set[str] = set()
    for unit in kinds.values():
        assert is_reporting_unit(unit), f"{unit} listed as reporting unit but its page is a 404"
        grid = entry_grid(district=unit, period=month)
        for col, indicator in enumerate(grid.indicators):
            if any(row.cells[col] is not None for row in grid.rows):
                codes.add(indicator.code)
    return codes


def test_every_indicator_with_a_target_has_a_reporting_unit_in_every_month(reorganised, catalogue):
    """Catalogue × structure (before and after 07/2025) × month, up to the last deadline: an
    indicator due in a month, with a target still to be judged, is asked for by some unit."""
    targets = list(Target.objects.select_related("indicator").filter(indicator__is_active=True))
    assert targets, "the shipped catalogue has targets"
    last_deadline = max(t.deadline for t in targets)
    months = periods.months_between(periods.REPORTING_START, last_deadline)
    assert months[0] < REORG_DATE < months[-1]
    missing: dict[str, list[str]] = {}
    for month in months:
        open_targets = {t.indicator for t in targets if t.deadline >= month}
        due = {i for i in open_targets if is_due(i, month)}
        if not due:
            continue
        reportable = _reportable(month)
        for indicator in due:
            if indicator.code not in reportable:
                missing.setdefault(indicator.code, []).append(periods.label(month))
    assert not missing, "indicators with a target that nobody can report: " + "; ".join(
        f"{code} ({months_[0]}…{months_[-1]}, {len(months_)} months)"
        for code, months_ in sorted(missing.items())
    )


def test_the_province_is_a_reporting_unit_before_and_after_the_reorganisation(reorganised):
    province = reorganised.province
    for month in (JUNE_2025, AUG_2025):
        units = list(reporting_units(period=month))
        assert units[0] == province and is_reporting_unit(province)
    rows, units = completeness_board(months=[AUG_2025], today=dt.date(2025, 9, 1))
    assert province in units and len(units) == 1 + 64


# --- the province's page, grid and Excel template --------------------------------------------


@pytest.mark.parametrize("month", [dt.date(2023, 3, 1), JUNE_2025, AUG_2025])
def test_province_report_page_has_one_row_with_the_province_level_indicators(
    reorganised, catalogue, steering, month
):
    response = client_for(steering).get(reverse("reports:entry", args=[PROVINCE, slug(month)]))
    assert response.status_code == 200
    grid = response.context["grid"]
    assert [r.division.code for r in grid.rows] == [PROVINCE]
    codes = {i.code for i in grid.indicators}
    province_level = {
        c for c, i in catalogue.items() if i.reports_province and i.is_active and is_due(i, month)
    }
    assert codes == province_level
    assert PROVINCE_RATIO in codes and "people_guided" not in codes
    page = response.content.decode()
    assert f'name="{PROVINCE_RATIO}__{PROVINCE}__numerator"' in page
    assert "Xã Nguyễn Phích" not in page and "Huyện Thới Bình" not in page
    # A unit reporting alone has no communes to add up: no empty totals row.
    assert "Tổng các xã (tự tính)" not in page and 'id="grid-totals"' not in page


def test_a_commune_reporting_alone_has_no_totals_row_but_a_district_has(
    reorganised, catalogue, steering
):
    commune = client_for(steering).get(reverse("reports:entry", args=["32069", slug(AUG_2025)]))
    assert commune.status_code == 200
    assert "Tổng các xã (tự tính)" not in commune.content.decode()
    district = client_for(steering).get(reverse("reports:entry", args=["967", slug(JUNE_2025)]))
    assert district.status_code == 200
    assert "Tổng các xã (tự tính)" in district.content.decode()


def test_province_excel_template_lists_only_the_provinces_own_figures(
    reorganised, catalogue, agency_officer
):
    response = client_for(agency_officer).get(
        reverse("reports:template", args=[PROVINCE, slug(AUG_2025)])
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]]
    assert rows and {r[2] for r in rows} == {PROVINCE}
    assert PROVINCE_RATIO in {r[0] for r in rows}


# --- the workflow: a provincial agency's officer enters and submits, steering approves --------


def test_agency_officer_enters_and_submits_steering_approves(
    reorganised, catalogue, agency_officer, steering
):
    month = periods.previous_month(periods.current_month())
    officer = client_for(agency_officer)
    index = officer.get(reverse("reports:index"))
    assert index.status_code == 302 and f"/reports/{PROVINCE}/" in index.url
    base = [PROVINCE, slug(month)]
    response = officer.post(
        reverse("reports:save_all", args=base),
        {**province_cell(PROVINCE_RATIO, numerator="1234", denominator="2000", version="0")},
    )
    assert response.status_code == 302
    figure = DataValue.objects.get(indicator__code=PROVINCE_RATIO)
    assert figure.division.code == PROVINCE and figure.division.level == Level.PROVINCE
    assert (figure.numerator, figure.denominator) == (1234, 2000)
    assert figure.report.division.code == PROVINCE and figure.report.period == month
    change = DataValueChange.objects.get(data_value=figure)
    assert change.changed_by == agency_officer and change.new_numerator == 1234

    assert officer.post(reverse("reports:submit", args=base)).status_code == 302
    # The agency's officer enters figures; approving is the steering committee's.
    assert officer.post(reverse("reports:approve", args=base)).status_code == 403
    assert Report.objects.get(division__code=PROVINCE).status == ReportStatus.SUBMITTED
    assert client_for(steering).post(reverse("reports:approve", args=base)).status_code == 302
    report = Report.objects.get(division__code=PROVINCE)
    assert report.status == ReportStatus.APPROVED and report.approved_by == steering


def test_province_figures_through_the_api(reorganised, catalogue, agency_officer):
    month = periods.previous_month(periods.current_month())
    row = {
        "indicator": PROVINCE_RATIO,
        "division": PROVINCE,
        "period": slug(month),
        "numerator": 50,
        "denominator": 80,
    }
    response = client_for(agency_officer).post(
        reverse("api:values"), [row], content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert DataValue.objects.get().report.division.code == PROVINCE
    # A commune's figure is the commune's: the agency's officer may not write it.
    commune_row = {**row, "indicator": "work_records_online", "division": NEW_COMMUNE}
    response = client_for(agency_officer).post(
        reverse("api:values"), [commune_row], content_type="application/json"
    )
    assert response.status_code == 403
    assert DataValue.objects.count() == 1


# --- what the province officer may and may not do ----------------------------------------------


def test_agency_officer_changes_only_the_provinces_own_figures(
    reorganised, catalogue, agency_officer
):
    province, commune = reorganised.province, reorganised.new[NEW_COMMUNE]
    old_district = reorganised.old[DISTRICT]
    assert access.can_change(agency_officer, province)
    assert not access.can_change(agency_officer, commune)
    assert not access.can_change(agency_officer, old_district)
    assert access.can_view(agency_officer, commune) and access.can_view(
        agency_officer, old_district
    )
    assert not access.can_approve(agency_officer)
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(
            user=agency_officer,
            rows=[
                FigureInput(
                    "work_records_online", NEW_COMMUNE, AUG_2025, numerator=1, denominator=2
                )
            ],
        )
    assert exc.value.row_errors[0].code == "denied"
    c = client_for(agency_officer)
    assert c.get(reverse("reports:entry", args=[NEW_COMMUNE, slug(AUG_2025)])).status_code == 200
    save = reverse("reports:save_all", args=[NEW_COMMUNE, slug(AUG_2025)])
    assert c.post(save, {f"work_records_online__{NEW_COMMUNE}__numerator": "1"}).status_code == 403
    assert not DataValue.objects.exists()


def test_province_officer_scoped_below_the_province_gets_nothing(reorganised):
    """Deny by default: the role needs the province as its scope."""
    misplaced = make_user("province_officer", NEW_COMMUNE, on=AUG_2025, username="sai_pham_vi")
    assert access.get_access(misplaced).actions == frozenset()
    assert not access.can_change(misplaced, reorganised.new[NEW_COMMUNE])
    assert client_for(misplaced).get(reverse("reports:index")).status_code == 403


# --- validation: which level reports which indicator ---------------------------------------------


def test_province_level_only_indicator_on_a_commune_report_is_refused(
    reorganised, catalogue, steering
):
    with pytest.raises(FigureErrors) as exc:
        data_values_upsert(
            user=steering,
            rows=[FigureInput(PROVINCE_RATIO, NEW_COMMUNE, AUG_2025, numerator=1, denominator=2)],
            unit=reorganised.new[NEW_COMMUNE],
            period=AUG_2025,
        )
    message = exc.value.row_errors[0].message
    assert "không báo cáo ở cấp xã" in message and catalogue[PROVINCE_RATIO].name_vi in message
    assert not DataValue.objects.exists()


def test_einvoices_after_the_districts_ended_are_reported_by_the_province(
    reorganised, catalogue, steering
):
    """Reported by province and district; from 07/2025 only the province is left."""
    september = dt.date(2025, 9, 1)
    with pytest.raises(FigureErrors):
        data_values_upsert(
            user=steering,
            rows=[
                FigureInput("business_einvoice", DISTRICT, september, numerator=9, denominator=10)
            ],
        )
    data_values_upsert(
        user=steering,
        rows=[FigureInput("business_einvoice", PROVINCE, september, numerator=9, denominator=10)],
        unit=reorganised.province,
        period=september,
    )
    figure = DataValue.objects.get()
    assert figure.report.division == reorganised.province
    grid = entry_grid(district=reorganised.province, period=september)
    assert "business_einvoice" in {i.code for i in grid.indicators}


def test_demo_accounts_include_a_provincial_agency_officer(reorganised, settings):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from devtools.management.commands.seed_accounts import DEMO_PASSWORD

    settings.DEBUG = True
    call_command("seed_accounts", stdout=io.StringIO())
    user = get_user_model().objects.get(username="so_khcn")
    assert access.role_of(user) == access.Role.PROVINCE_OFFICER
    assert access.can_change(user, reorganised.province)
    assert not access.can_change(user, reorganised.new[NEW_COMMUNE])
    assert user.check_password(DEMO_PASSWORD)
    response = client_for(user).get(reverse("reports:index"))
    assert response.status_code == 302 and f"/reports/{PROVINCE}/" in response.url
