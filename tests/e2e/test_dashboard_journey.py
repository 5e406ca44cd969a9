"""Browser journey: the province dashboard draws its charts, in Vietnamese then English."""

from __future__ import annotations

import pytest

from tests.dashboards.helpers import build_world
from tests.divisions.factories import PASSWORD
from tests.e2e.conftest import login, shot


def assert_charts_drawn(page, selector: str = "canvas.dash-spark") -> None:
    drawn = page.evaluate(
        """(sel) => Array.from(document.querySelectorAll(sel)).map(
            c => ({width: c.getBoundingClientRect().width, chart: !!Chart.getChart(c)}))""",
        selector,
    )
    assert drawn, f"no canvas {selector}"
    assert all(c["width"] > 0 and c["chart"] for c in drawn), drawn


@pytest.mark.django_db(transaction=True)
def test_steering_member_sees_province_dashboard_with_charts_in_both_languages(
    page, camau, steering_user
):
    build_world(camau)
    login(page, steering_user.username, PASSWORD)
    page.goto("/dashboard/?period=2024-01")
    card = page.locator('article[data-card="work_records_online"]')
    assert "40,5%" in card.inner_text()
    assert "Cần tăng tốc" in card.inner_text()
    assert_charts_drawn(page)
    shot(page, "dashboard-province-vi")

    page.click('button[data-lang="en"]')
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "40.5%" in page.locator('article[data-card="work_records_online"]').inner_text()
    assert_charts_drawn(page)
    shot(page, "dashboard-province-en")
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_officer_compares_districts_and_opens_the_indicator_chart(page, camau, officer_a):
    build_world(camau)
    login(page, "officer_a", PASSWORD)
    page.goto("/dashboard/districts/?period=2024-01")
    assert page.locator('tr[data-division="967"]').count() == 1
    assert_charts_drawn(page, "#dash-bar-chart")
    shot(page, "dashboard-districts")

    page.click('tr[data-division="967"] th a')
    page.wait_for_load_state()
    assert page.locator('tr[data-division="32068"]').count() == 1
    assert_charts_drawn(page)
    shot(page, "dashboard-drill-down-967")

    page.goto("/dashboard/indicator/work_records_online/?division=967")
    assert_charts_drawn(page, "#dash-indicator-chart")
    shot(page, "dashboard-indicator")
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_anyone_reads_the_open_data_page(page, camau):
    build_world(camau)
    page.goto("/dashboard/open-data/")
    assert page.locator('tr[data-card="work_records_online"]').count() >= 1
    shot(page, "dashboard-open-data")
    assert page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_steering_member_pages_through_many_districts(page, camau, steering_user):
    from tests.dashboards.test_districts_paging import add_districts

    build_world(camau)
    codes = add_districts(camau, 23)
    login(page, steering_user.username, PASSWORD)
    page.goto("/dashboard/districts/?period=2024-01")
    assert page.locator("tr[data-division]").count() == 10
    page.click("nav[data-heat-pager] a.page-link:text-is('3')")
    page.wait_for_load_state()
    assert "period=2024-01" in page.url and "page=3" in page.url
    assert page.locator("tr[data-division]").count() == 3
    assert page.locator(f'tr[data-division="{codes[-1]}"]').count() == 1
    assert "Đơn vị 21–23 trên tổng số 23" in page.locator("[data-heat-range]").inner_text()
    assert_charts_drawn(page, "#dash-bar-chart")
    shot(page, "dashboard-districts-page-3")
    assert page.console_errors == []
