"""Browser: the merged province's indicator chart draws the 2025 merger line and old Bạc Liêu's
own series, and the province overview of 11/2026 leads with live targets."""

from __future__ import annotations

import pytest

from tests.dashboards.test_present import (  # noqa: F401 (fixtures)
    both_provinces,
    present,
    steering_user,
)
from tests.divisions.factories import PASSWORD
from tests.e2e.conftest import login, shot


@pytest.mark.django_db(transaction=True)
def test_indicator_chart_draws_the_merger_and_old_bac_lieu(page, both_provinces, steering_user):  # noqa: F811
    from targets.models import Target

    target = Target.objects.get(
        indicator=both_provinces["grdp"], deadline__year=2030, programme__code="05-nq-tu"
    )
    login(page, steering_user.username, PASSWORD)
    page.goto(
        f"/dashboard/indicator/digital_economy_grdp/?division=96&target={target.pk}&period=2026-11"
    )
    datasets = page.evaluate(
        """() => Chart.getChart(document.getElementById('dash-indicator-chart'))
            .data.datasets.map(d => d.label)"""
    )
    assert "Tỉnh Bạc Liêu cũ (đến 06/2025)" in datasets
    assert page.locator("[data-merger-note]").count() == 1
    shot(page, "dashboard-indicator-merger")

    page.goto("/dashboard/?period=2026-11")
    # Every card is a live target (deadline from 2026 on); 2025 is in the results section.
    deadlines = page.locator("article.dash-card").all_inner_texts()
    years = [int(text.split("thời hạn ")[1][6:10]) for text in deadlines]
    assert years and min(years) >= 2026
    assert page.locator('section[data-results="2025"]').count() == 1
    assert page.console_errors == []
