"""Browser journey: a provincial agency's officer (Sở, ban, ngành) enters the province's own
figure, submits; steering staff approve; the figure reaches the province dashboard and the
open-data CSV."""

from __future__ import annotations

import csv
import io
import os
import re
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from core import months as periods
from reports.models import DataValue, Report, ReportStatus
from tests.e2e.conftest import shot, swapped
from tests.e2e.test_report_journey import in_browser

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.e2e

# Monthly, reported by the province alone, with a 2030 province target in the catalogue.
CODE = "dvctt_level4_multichannel"


@pytest.mark.django_db(transaction=True)
def test_agency_officer_reports_the_provinces_figure_to_dashboard_and_open_data(
    browser, live_server, camau, catalogue, province_officer, steering_user
):
    last_month = periods.previous_month(periods.current_month())
    slug = f"{last_month:%Y-%m}"
    in_browser(browser, live_server, lambda open_as: _journey(open_as, slug))

    report = Report.objects.get(division__code="96", period=last_month)
    assert report.status == ReportStatus.APPROVED and report.approved_by == steering_user
    figure = DataValue.objects.get(indicator__code=CODE)
    assert (figure.numerator, figure.denominator) == (173, 200)
    assert figure.updated_by == province_officer

    # The open-data page and CSV, as an anonymous visitor reads them, hold the approved figure.
    page = Client().get(reverse("dashboards:open_data")).content.decode()
    assert re.search(rf'<tr data-card="{CODE}">.*?86,5%.*?</tr>', page, flags=re.S)
    response = Client().get(reverse("dashboards:open_data_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    ours = [r for r in rows if r[0] == slug and r[1] == CODE]
    assert ours, f"no open-data row for {CODE} in {slug}"
    assert D(ours[0][4]) == D("86.5")


def _journey(open_as, slug: str) -> None:
    agency = open_as("so_khcn")
    # "This month's report" opens the province's report (last month's until its due date).
    agency.goto("/reports/")
    assert "/reports/96/" in agency.url
    agency.goto(f"/reports/96/{slug}/")
    assert agency.locator("[id^=row-]").count() == 1  # the province alone
    row = agency.locator("#row-96")
    row.locator(f'input[name="{CODE}__96__numerator"]').fill("173")
    row.locator(f'input[name="{CODE}__96__denominator"]').fill("200")
    with swapped(agency, "#row-96"):
        row.locator("button", has_text="Lưu số liệu").click()
    agency.wait_for_selector("#row-96 .badge", state="visible")
    assert "Đã lưu" in agency.locator("#row-96").inner_text()
    shot(agency, "reports-province-entry-saved")
    agency.click("text=Gửi báo cáo")
    agency.wait_for_load_state()
    assert "Đã gửi báo cáo" in agency.content()
    assert agency.locator("button:has-text('Duyệt và khoá')").count() == 0

    steering = open_as("bcd")
    steering.goto("/reports/")
    assert steering.locator(f'a[href="/reports/96/{slug}/"]').count() >= 1
    steering.goto(f"/reports/96/{slug}/")
    steering.click("button:has-text('Duyệt và khoá')")
    steering.wait_for_load_state()
    assert "đã khoá" in steering.content()

    # Approval recomputes attainment (Celery runs eagerly in tests).
    steering.goto(f"/dashboard/?period={slug}")
    card = steering.locator(f'article[data-card="{CODE}"]')
    assert "86,5%" in card.inner_text()
    shot(steering, "dashboard-province-agency-figure")
    assert agency.console_errors == [] and steering.console_errors == []
