"""Browser journeys: an officer imports the month's Excel file (a bad row first, then a good
file), and a team leader logs an activity from a phone."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from reports.imports import HEADERS
from reports.models import DataValue, DataValueChange
from teams.models import Activity
from tests.divisions.factories import PASSWORD
from tests.e2e.conftest import login, shot


def fill_template(source: str, target, cells: dict[tuple[str, str], dict[str, object]]) -> None:
    """Fill the downloaded template: (indicator, division) → {column: value}."""
    with open(source, "rb") as fh:  # the download has no .xlsx suffix on disk
        wb = load_workbook(fh)
    ws = wb.active
    # The template's headers are Vietnamese: back to the column names the cells are given by.
    column_of = {label: name for name, label in HEADERS.items()}
    header = [column_of.get(c.value, c.value) for c in ws[2]]
    filled = set()
    for row in ws.iter_rows(min_row=3):
        key = (row[header.index("indicator_code")].value, row[header.index("division_code")].value)
        for column, value in cells.get(key, {}).items():
            row[header.index(column)].value = value
            filled.add(key)
    assert filled == set(cells), f"template has no row for {set(cells) - filled}"
    wb.save(target)


@pytest.mark.django_db(transaction=True)
def test_officer_imports_excel_bad_row_saves_nothing_then_good_file_applies(
    page, officer_a, report_a, last_month, tmp_path
):
    slug = f"{last_month:%Y-%m}"
    login(page, "officer_a", PASSWORD)
    page.goto(f"/reports/967/{slug}/")
    page.click("text=Nhập từ Excel")
    page.wait_for_load_state()
    with page.expect_download() as download:
        page.click("text=Tải mẫu Excel")
    template = download.value.path()
    assert download.value.suggested_filename.endswith(".xlsx")

    bad = tmp_path / "bao-cao-loi.xlsx"
    fill_template(
        template,
        bad,
        {
            ("people_guided", "32068"): {"value": -5},  # a count cannot be negative
            ("work_records_online", "32069"): {"numerator": 30, "denominator": 40},
        },
    )
    page.set_input_files("#id_file", str(bad))
    page.click("button:has-text('Kiểm tra tệp')")
    page.wait_for_selector("#import-errors")
    errors = page.locator("#import-errors tbody tr")
    assert errors.count() == 1
    error_row = errors.first.inner_text()
    assert "không được âm" in error_row and "Giá trị" in error_row
    assert "chưa lưu gì" in page.locator(".alert-danger").inner_text()
    assert page.locator("text=Xác nhận nhập").count() == 0
    shot(page, "reports-import-bad-row")
    assert not DataValue.objects.exists()

    good = tmp_path / "bao-cao.xlsx"
    fill_template(
        template,
        good,
        {
            ("people_guided", "32068"): {"value": 25},
            ("work_records_online", "32069"): {"numerator": 30, "denominator": 40},
        },
    )
    page.set_input_files("#id_file", str(good))
    page.click("button:has-text('Kiểm tra tệp')")
    page.wait_for_selector("#import-preview")
    assert "2 số liệu mới" in page.locator("#import-preview").inner_text()
    assert not DataValue.objects.exists()  # the preview saves nothing
    shot(page, "reports-import-preview")
    page.click("button:has-text('Xác nhận nhập')")
    page.wait_for_load_state()

    # Back on the grid, the imported figures are in their cells.
    page.goto(f"/reports/967/{slug}/")
    assert page.locator('input[name="people_guided__32068__value"]').input_value() == "25"
    row = page.locator("#row-32069")
    assert row.locator('input[name="work_records_online__32069__numerator"]').input_value() == "30"
    assert row.locator("output.computed-pct").inner_text() == "75%"
    shot(page, "reports-grid-after-import")
    assert DataValue.objects.count() == 2
    assert set(DataValueChange.objects.values_list("channel", flat=True)) == {"import"}
    # The refused upload is answered with HTTP 422 on purpose, which Chromium logs as a failed
    # resource; anything else (a script error, a CSP violation) fails the journey.
    unexpected = [e for e in page.console_errors if "status of 422" not in e]
    assert unexpected == []


@pytest.mark.django_db(transaction=True)
def test_team_leader_adds_an_activity_from_a_phone(phone_page, team_a, team_leader):
    page = phone_page
    login(page, team_leader.username, PASSWORD)
    page.goto(f"/teams/{team_a.pk}/")
    assert team_a.name in page.locator("h1").inner_text()
    shot(page, "teams-detail-phone")
    page.click("text=Ghi nhận hoạt động")
    page.wait_for_load_state()
    today = dt.date.today()
    page.fill("#id_date", today.isoformat())  # the phone's native date picker
    page.select_option("#id_kind", "public_services")
    page.fill("#id_households", "6")
    page.fill("#id_people", "14")
    page.fill("#id_dvctt_accounts", "5")
    page.fill("#id_notes", "Hướng dẫn cài VNeID tại nhà văn hoá ấp")
    shot(page, "teams-activity-form-phone")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()

    assert page.url.endswith(f"/teams/{team_a.pk}/")
    activity = Activity.objects.get(team=team_a)
    assert (activity.people, activity.households, activity.created_by) == (14, 6, team_leader)
    body = page.locator("body").inner_text()
    assert "Đã ghi nhận hoạt động." in body
    assert "Hướng dẫn cài VNeID tại nhà văn hoá ấp" in body and "6 hộ, 14 người" in body
    assert f"{today:%d/%m/%Y} · Hướng dẫn sử dụng dịch vụ công trực tuyến" in body
    # The page fits the phone: nothing wider than the viewport.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"
    shot(page, "teams-activity-added-phone")
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_team_leader_adds_a_member_from_a_phone_choosing_the_body(phone_page, team_a, team_leader):
    page = phone_page
    login(page, team_leader.username, PASSWORD)
    page.goto(f"/teams/{team_a.pk}/")
    page.click("#member-add")
    page.wait_for_load_state()
    assert page.locator("#id_body").input_value() == ""  # nothing chosen for the officer
    page.fill("#id_full_name", "Đặng Thị Mai")
    page.fill("#id_phone", "0918 222 333")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "Hãy chọn đơn vị, đoàn thể của thành viên." in page.locator("body").inner_text()
    page.select_option("#id_body", "youth_union")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert team_a.members.get(full_name="Đặng Thị Mai").body == "youth_union"
    # The same person a second time (a double tap, or a second officer) is refused.
    page.click("#member-add")
    page.fill("#id_full_name", "Đặng Thị Mai")
    page.fill("#id_phone", "0918222333")
    page.select_option("#id_body", "youth_union")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "đã là thành viên của tổ" in page.locator("body").inner_text()
    shot(page, "teams-member-twice-phone")
    assert team_a.members.filter(full_name="Đặng Thị Mai").count() == 1
    assert page.console_errors == []
