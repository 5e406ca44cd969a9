"""Browser journey: draft → submit → return with reason → fix → resubmit → approve → locked."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal as D

import pytest

from attainment.models import Attainment
from reports.models import DataValue, Report, ReportStatus
from targets.models import Comparator, ScopeLevel, Target
from tests.divisions.factories import PASSWORD
from tests.e2e.conftest import login, shot, swapped

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.e2e


def in_browser(browser, live_server, journey) -> None:
    """Run `journey(open_as)` on the session's browser; every page it opened is closed
    afterwards."""
    contexts = []

    def open_as(username: str, **kwargs):
        kwargs.setdefault("viewport", {"width": 1366, "height": 900})
        context = browser.new_context(base_url=live_server.url, **kwargs)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.console_errors = []
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        page.on(
            "console",
            lambda m: page.console_errors.append(m.text) if m.type == "error" else None,
        )
        # Confirmation questions are recorded and answered "yes", unless the journey sets
        # `page.accept_dialogs = False` to answer "no".
        page.dialogs, page.accept_dialogs = [], True

        def on_dialog(dialog, page=page):
            page.dialogs.append(dialog.message)
            dialog.accept() if page.accept_dialogs else dialog.dismiss()

        page.on("dialog", on_dialog)
        login(page, username, PASSWORD)
        return page

    try:
        journey(open_as)
    finally:
        for context in contexts:
            context.close()


@pytest.mark.django_db(transaction=True)
def test_report_journey_from_draft_to_locked(
    browser, live_server, officer_a, steering_user, report_indicators, last_month
):
    # A district target for the ratio, so the dashboard shows attainment after approval.
    Target.objects.create(
        indicator=report_indicators["ratio"],
        wording_vi="80% hồ sơ công việc cấp huyện xử lý trên môi trường mạng",
        deadline=dt.date(2030, 12, 31),
        scope_level=ScopeLevel.DISTRICT,
        value=D(80),
        comparator=Comparator.AT_LEAST,
        baseline_value=D(20),
        baseline_period=dt.date(2023, 1, 1),
    )
    in_browser(browser, live_server, lambda open_as: _journey(open_as, last_month))
    report = Report.objects.get()
    assert report.status == ReportStatus.APPROVED
    assert [t.to_status for t in report.transitions.order_by("at", "pk")] == [
        "draft",
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    assert DataValue.objects.get(indicator__code="people_guided").value == 150


def _journey(open_as, last_month) -> None:
    slug = f"{last_month:%Y-%m}"
    officer = open_as("officer_a")
    officer.goto(f"/reports/967/{slug}/")
    row = officer.locator("#row-32068")
    row.locator('input[name="work_records_online__32068__numerator"]').fill("45")
    row.locator('input[name="work_records_online__32068__denominator"]').fill("60")
    assert row.locator("output.computed-pct").inner_text() == "75%"  # live preview
    row.locator('input[name="people_guided__32068__value"]').fill("-3")
    row.locator("button", has_text="Lưu dòng").click()
    officer.wait_for_selector("#row-32068 .invalid-feedback")
    assert "không được âm" in officer.locator("#row-32068").inner_text()
    assert not DataValue.objects.exists()
    officer.locator('#row-32068 input[name="people_guided__32068__value"]').fill("120")
    with swapped(officer, "#row-32068"):
        officer.locator("#row-32068 button", has_text="Lưu dòng").click()
    officer.wait_for_selector("#row-32068 .badge", state="visible")
    assert "Đã lưu" in officer.locator("#row-32068").inner_text()
    assert "75%" in officer.locator("#grid-totals").inner_text()
    shot(officer, "reports-entry-saved-row")
    # The officer is asked first; answering "no" sends nothing.
    officer.accept_dialogs = False
    officer.click("text=Gửi báo cáo")
    officer.wait_for_load_state()
    assert officer.dialogs and "Gửi báo cáo tháng" in officer.dialogs[-1]
    assert Report.objects.get().status == ReportStatus.DRAFT
    officer.accept_dialogs = True
    officer.click("text=Gửi báo cáo")
    officer.wait_for_load_state()
    assert "Đã gửi báo cáo" in officer.content()

    steering = open_as("bcd")
    steering.goto("/reports/board/")
    shot(steering, "reports-board")
    steering.goto(f"/reports/967/{slug}/")
    steering.fill('input[name="reason"]', "Xã Biển Bạch thiếu số hộ được hướng dẫn")
    steering.click("button:has-text('Trả lại')")
    steering.wait_for_load_state()

    officer.goto(f"/reports/967/{slug}/")
    assert "Xã Biển Bạch thiếu số hộ được hướng dẫn" in officer.content()
    officer.locator('#row-32068 input[name="people_guided__32068__value"]').fill("150")
    with swapped(officer, "#row-32068"):
        officer.locator("#row-32068 button", has_text="Lưu dòng").click()
    officer.wait_for_selector("#row-32068 .badge", state="visible")
    officer.click("text=Gửi báo cáo")
    officer.wait_for_load_state()

    dashboard = f"/dashboard/indicator/work_records_online/?division=967&period={slug}"
    steering.goto(dashboard)
    month_row = steering.locator(f'tr[data-period="{slug}"]')
    before = month_row.inner_text() if month_row.count() else ""
    assert "75%" not in before  # submitted figures are not on the dashboard yet
    assert not Attainment.objects.filter(division__code="967").exists()

    steering.goto(f"/reports/967/{slug}/")
    steering.click("button:has-text('Duyệt và khoá')")
    steering.wait_for_load_state()
    assert "đã khoá" in steering.content()
    assert "Duyệt và khoá báo cáo tháng" in steering.dialogs[-1]

    # Approval recomputes attainment (Celery runs eagerly in tests): 45/60 = 75% against
    # the district target of 80%.
    steering.goto(dashboard)
    cells = [c.strip() for c in month_row.locator("td").all_inner_texts()]
    assert cells[1].startswith("75%") and cells[2:4] == ["45", "60"]
    # Target 80%, attainment (75 − 20) / (80 − 20) of the way from the baseline, on track.
    assert cells[4:7] == ["80%", "92%", "Đúng tiến độ"]
    assert Attainment.objects.filter(division__code="967").exists()
    shot(steering, "dashboard-after-approval")

    officer.goto(f"/reports/967/{slug}/")
    assert officer.locator('input[name="people_guided__32068__value"]').is_disabled()
    assert officer.locator("text=Lưu tất cả").count() == 0
    shot(officer, "reports-entry-locked")
    officer.goto(f"/reports/967/{slug}/history/")
    assert "Xã Biển Bạch thiếu số hộ được hướng dẫn" in officer.content()
    assert officer.console_errors == [] and steering.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_entry_grid_is_usable_on_a_phone(browser, live_server, officer_a, report_a, last_month):
    def journey(open_as):
        phone = open_as("officer_a", viewport={"width": 390, "height": 844}, is_mobile=True)
        phone.goto(f"/reports/967/{last_month:%Y-%m}/")
        cell = phone.locator('#row-32068 input[name="people_guided__32068__value"]')
        cell.scroll_into_view_if_needed()
        cell.fill("7")
        with swapped(phone, "#row-32068"):
            phone.locator("#row-32068 button", has_text="Lưu dòng").click()
        phone.wait_for_selector("#row-32068 .badge", state="visible")
        shot(phone, "reports-entry-phone")

    in_browser(browser, live_server, journey)
    assert DataValue.objects.get().value == 7
