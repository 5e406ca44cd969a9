"""One Excel/CSV file covering many units and months of the uploader's scope: accepted with the
same rules, locking, versions, history and all-or-nothing write as a unit's monthly file, in a
number of SQL statements that does not grow with the file."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import months as periods
from divisions.models import REORG_DATE, Level
from reports.imports import figures_import
from reports.models import (
    Channel,
    DataValue,
    DataValueChange,
    Report,
    ReportStatus,
    ReportTransition,
)
from tests.divisions.factories import make_user
from tests.reports.factories import count_indicator, ratio_indicator, stock_indicator
from tests.reports.fixtures import _report
from tests.reports.test_import import csv_file, row, xlsx

pytestmark = pytest.mark.django_db

AUG = dt.date(2025, 8, 1)


def months_from(first: dt.date, n: int) -> list[dt.date]:
    out = [first]
    while len(out) < n:
        out.append(periods.next_month(out[-1]))
    return out


def new_units(reorganised) -> list:
    """The 64 commune-level units in force from 01/07/2025 (each sends its own report)."""
    units = {
        d.pk: d
        for d in reorganised.new.values()
        if d.level == Level.COMMUNE and d.valid_from == REORG_DATE
    }
    return sorted(units.values(), key=lambda d: d.code)


def province_rows(units, months, indicators) -> list[dict]:
    rows = []
    for month in months:
        for unit in units:
            for ind in indicators:
                if ind.measurement == "ratio":
                    rows.append(row(ind.code, unit.code, month, numerator=3, denominator=4))
                else:
                    rows.append(row(ind.code, unit.code, month, value=7))
    return rows


def fresh(user):
    """The account as a new object: role and scope are cached on the instance, and each
    request starts without them."""
    return get_user_model().objects.get(pk=user.pk)


def statements(user, upload, **scope) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        outcome = figures_import(user=fresh(user), upload=upload, dry_run=False, **scope)
    return len(ctx.captured_queries), outcome


@pytest.fixture
def steering(reorganised):
    return make_user("steering", "96", username="bcd_tinh")


@pytest.fixture
def indicators(db):
    return [count_indicator(), ratio_indicator(), stock_indicator()]


# --- (a) a province-wide file is accepted and stored with its history ------------------------


def test_province_wide_file_stores_every_figure_with_history_and_draft_reports(
    reorganised, steering, indicators
):
    units, months = new_units(reorganised), months_from(AUG, 3)
    assert len(units) == 64
    rows = province_rows(units, months, indicators)

    outcome = figures_import(user=steering, upload=xlsx(rows), dry_run=False)

    assert outcome.ok, [e.message for e in outcome.errors[:3]]
    assert outcome.result.created == len(rows) == 64 * 3 * 3
    assert DataValue.objects.count() == len(rows)
    assert set(DataValue.objects.values_list("version", flat=True)) == {1}
    history = DataValueChange.objects.all()
    assert history.count() == len(rows)
    assert set(history.values_list("channel", flat=True)) == {Channel.IMPORT}
    assert set(history.values_list("changed_by", flat=True)) == {steering.pk}
    # Each unit-month has its own draft report, created with its first transition.
    reports = Report.objects.filter(division__in=units, period__in=months)
    assert reports.count() == 64 * 3
    assert set(reports.values_list("status", flat=True)) == {ReportStatus.DRAFT}
    assert ReportTransition.objects.filter(report__in=reports).count() == 64 * 3
    ratio = DataValue.objects.filter(indicator__code="work_records_online").first()
    assert ratio.value == 75 and ratio.report.division_id == ratio.division_id


# --- (b) statements do not grow with the file ------------------------------------------------


def test_statement_count_is_the_same_for_a_file_twice_as_large(reorganised, steering, indicators):
    units = new_units(reorganised)
    small = province_rows(units, months_from(AUG, 3), indicators)  # 576 figures
    large = province_rows(units, months_from(AUG, 6), indicators)  # 1,152 figures

    small_count, small_outcome = statements(steering, csv_text(small))
    assert small_outcome.ok
    DataValueChange.objects.all().delete()
    DataValue.objects.all().delete()
    Report.objects.all().delete()
    large_count, large_outcome = statements(steering, csv_text(large))

    assert large_outcome.ok and large_outcome.result.created == 2 * len(small)
    assert large_count == small_count, (small_count, large_count)


def test_a_unit_month_file_costs_at_most_twelve_statements(
    camau, officer_a, last_month, indicators
):
    district = camau["967"]
    communes = sorted(
        (d for d in camau.values() if d.parent_id == district.pk), key=lambda d: d.code
    )
    rows = province_rows(communes, [last_month], indicators)

    count, outcome = statements(officer_a, xlsx(rows), unit=district, period=last_month)

    assert outcome.ok, [e.message for e in outcome.errors[:3]]
    assert outcome.result.created == len(rows)
    assert count <= 12, count


@pytest.mark.services
def test_a_units_first_file_of_a_month_costs_no_statement_more_than_a_later_one(
    reorganised, steering, indicators
):
    # The statement that locks the month's report creates it (with its first transition)
    # when the unit has none yet.
    unit, month = new_units(reorganised)[0], AUG
    rows = province_rows([unit], [month], indicators)

    first, outcome = statements(steering, csv_text(rows), unit=unit, period=month)

    assert outcome.ok, [e.message for e in outcome.errors[:3]]
    report = Report.objects.get(division=unit, period=month)
    assert report.status == ReportStatus.DRAFT and report.created_by == steering
    assert list(report.transitions.values_list("from_status", "to_status")) == [("", "draft")]
    assert DataValue.objects.filter(report=report).count() == len(rows)
    changed = [{**r, "value": 8} if r.get("value") else {**r, "numerator": 2} for r in rows]
    later, outcome = statements(steering, csv_text(changed), unit=unit, period=month)
    assert outcome.ok and outcome.result.updated == len(rows)
    assert first <= later <= 12, (first, later)


def test_updating_a_province_wide_file_costs_the_same_statements_as_creating_it(
    reorganised, steering, indicators
):
    units, months = new_units(reorganised), months_from(AUG, 2)
    rows = province_rows(units, months, indicators)
    created, _outcome = statements(steering, xlsx(rows))
    changed = [{**r, "value": 8} if r.get("value") else r for r in rows]
    updated, outcome = statements(steering, xlsx(changed))
    assert outcome.ok and outcome.result.updated == 64 * 2 * 2
    assert updated <= created
    assert set(
        DataValue.objects.exclude(indicator__code="work_records_online").values_list(
            "version", flat=True
        )
    ) == {2}


# --- (c) a row outside the uploader's scope refuses the whole file ---------------------------


def test_a_row_outside_the_scope_refuses_the_whole_file_naming_the_row(
    camau, officer_a, last_month, indicators
):
    own = sorted(d.code for d in camau.values() if d.parent_id == camau["967"].pk)
    months = [periods.previous_month(last_month), last_month]
    rows = [row("people_guided", code, m, value=5) for m in months for code in own]
    rows.insert(7, row("people_guided", "32047", last_month, value=5))  # another district

    outcome = figures_import(user=officer_a, upload=xlsx(rows), dry_run=False)

    assert not outcome.ok
    assert [(e.row, e.column) for e in outcome.errors] == [(7 + 3, "division_code")]
    assert outcome.errors[0].message.startswith("Dòng 10, cột Mã đơn vị:")
    assert "không có quyền nhập số liệu cho đơn vị này" in outcome.errors[0].message
    assert not DataValue.objects.exists() and not DataValueChange.objects.exists()
    assert not Report.objects.exists()


def test_a_province_agency_may_not_send_commune_figures(
    camau, province_officer, last_month, indicators
):
    rows = [row("people_guided", "32068", last_month, value=5)]
    outcome = figures_import(user=province_officer, upload=xlsx(rows), dry_run=False)
    assert not outcome.ok and "không có quyền" in outcome.errors[0].message
    assert not DataValue.objects.exists() and not Report.objects.exists()


# --- (d) what else a user expects of a many-month file --------------------------------------


def test_an_approved_month_in_the_file_refuses_every_month(reorganised, steering, indicators):
    units, months = new_units(reorganised), months_from(AUG, 3)
    _report(reorganised.new, units[5].code, months[1], ReportStatus.APPROVED)
    rows = province_rows(units, months, indicators[:1])

    outcome = figures_import(user=steering, upload=xlsx(rows), dry_run=False)

    assert not outcome.ok
    assert all("đã được duyệt và khoá" in e.message for e in outcome.errors)
    # The approved unit-month's one row, named by its file row (note + header rows above).
    assert [e.row for e in outcome.errors] == [64 + 5 + 1 + 2]
    assert not DataValue.objects.exists() and Report.objects.count() == 1


def test_a_large_file_of_months_waiting_for_approval_is_refused_row_by_row_in_seconds(
    reorganised, steering
):
    # 10,240 rows, every one in a submitted report: each is refused and named. Setting the
    # refused rows apart once took time growing with the square of their number (minutes
    # for a province-wide file).
    units, months = new_units(reorganised), months_from(AUG, 4)
    many = [count_indicator(f"count_{n:02d}") for n in range(40)]
    for month in months:
        for unit in units:
            _report(reorganised.new, unit.code, month, ReportStatus.SUBMITTED)
    rows = province_rows(units, months, many)

    started = time.monotonic()
    outcome = figures_import(user=steering, upload=csv_text(rows), dry_run=False)
    elapsed = time.monotonic() - started

    assert len(rows) == 10_240 and len(outcome.errors) == len(rows)
    assert all("đang chờ duyệt" in e.message for e in outcome.errors)
    assert not DataValue.objects.exists()
    assert elapsed < 10, f"refusing {len(rows):,} rows took {elapsed:.1f}s"


def test_the_figures_an_import_changed_are_saved_figures_of_the_uploader(
    reorganised, steering, indicators
):
    units, months = new_units(reorganised)[:4], months_from(AUG, 2)
    rows = province_rows(units, months, indicators)
    assert figures_import(user=steering, upload=csv_text(rows), dry_run=False).ok
    for r in rows:
        if "value" in r:
            r["value"] = 8
        else:
            r["numerator"] = 2

    outcome = figures_import(user=fresh(steering), upload=csv_text(rows), dry_run=False)

    assert outcome.ok and outcome.result.updated == len(rows)
    figure = outcome.result.values[0]
    with CaptureQueriesContext(connection) as ctx:
        assert figure.updated_by.username == steering.username
    assert not ctx.captured_queries
    # What the import hands back can be saved again as the stored figure it is.
    figure.note = "Sửa lại sau khi nhập"
    figure.save()
    assert DataValue.objects.count() == len(rows)
    assert DataValue.objects.get(pk=figure.pk).note == "Sửa lại sau khi nhập"


def test_a_stock_falling_below_the_files_own_previous_month_needs_a_note(
    reorganised, steering, indicators
):
    unit = new_units(reorganised)[0]
    sep, oct_ = months_from(AUG, 3)[1:]
    rows = [
        row("team_count", unit.code, sep, value=40),
        row("team_count", unit.code, oct_, value=30),
    ]

    outcome = figures_import(user=steering, upload=csv_text(rows), dry_run=False)

    assert not outcome.ok
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "note")]
    assert "thấp hơn tháng trước (40)" in outcome.errors[0].message
    assert not DataValue.objects.exists()
    rows[1]["note"] = "Tổ sáp nhập"
    outcome = figures_import(user=steering, upload=csv_text(rows), dry_run=False)
    assert outcome.ok and DataValue.objects.count() == 2


def test_preview_of_a_many_month_file_lists_every_change_and_writes_nothing(
    reorganised, steering, indicators
):
    units, months = new_units(reorganised)[:4], months_from(AUG, 2)
    rows = province_rows(units, months, indicators[:1])

    outcome = figures_import(user=steering, upload=xlsx(rows), dry_run=True)

    assert outcome.ok
    assert len(outcome.changes) == 8
    assert {(c.current, c.new) for c in outcome.changes} == {("—", "7")}
    assert not DataValue.objects.exists() and not Report.objects.exists()


def test_uploading_the_same_province_file_again_changes_nothing(reorganised, steering, indicators):
    units, months = new_units(reorganised), months_from(AUG, 2)
    rows = province_rows(units, months, indicators)
    assert figures_import(user=steering, upload=xlsx(rows), dry_run=False).ok

    again = figures_import(user=steering, upload=xlsx(rows), dry_run=False)

    assert again.ok and again.result.unchanged == len(rows) and again.result.created == 0
    assert DataValueChange.objects.count() == len(rows)
    assert set(DataValue.objects.values_list("version", flat=True)) == {1}


def csv_text(rows: list[dict]):
    from reports.imports import COLUMNS

    lines = [",".join(COLUMNS)]
    for r in rows:
        lines.append(",".join(str(r.get(c, "")) for c in COLUMNS))
    return csv_file("\n".join(lines))
