"""Indicator page: actual vs target path and projection, monthly table, scoping."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from attainment.models import Attainment
from tests.dashboards.helpers import grow


def url(code: str = "work_records_online") -> str:
    return reverse("dashboards:indicator", args=[code])


def chart_of(html: str) -> dict:
    return json.loads(
        html.split('id="dash-indicator-data" type="application/json">')[1].split("</script>")[0]
    )


@pytest.mark.django_db
def test_chart_has_actuals_straight_target_path_and_projection(client, steering_user, dash_world):
    client.force_login(steering_user)
    target = dash_world["targets"][1]
    response = client.get(url(), {"division": "96", "target": target.pk, "period": "2024-01"})
    html = response.content.decode()
    chart = chart_of(html)
    labels = chart["labels"]
    # From the baseline month to the deadline month, both ends of the straight target path.
    assert labels[0] == "01/2023" and labels[-1] == "12/2025"
    assert chart["target"][0] == 20.0 and chart["target"][-1] == 90.0
    assert all(v is None for v in chart["target"][1:-1])
    jan = labels.index("01/2024")
    assert round(chart["actual"][jan], 2) == 40.48
    row = Attainment.objects.get(
        indicator=dash_world["indicator"],
        division__code="96",
        period="2024-01-01",
        target=target,
        provisional=False,
    )
    # Projection: from the latest value to the value expected at the deadline at this pace.
    assert chart["projection"][jan] == chart["actual"][jan]
    assert chart["projection"][-1] == pytest.approx(float(row.projected_value))
    # The monthly table shows the month's figures.
    assert 'data-period="2024-01"' in html and "40,5%" in html and "85" in html and "210" in html


@pytest.mark.django_db
def test_officer_reads_province_and_own_district_but_not_another(client, officer_a, dash_world):
    client.force_login(officer_a)
    assert client.get(url(), {"division": "96"}).status_code == 200
    # Without a division the page opens on the user's own unit.
    response = client.get(url())
    assert response.context["page"].division.code == "967"
    assert client.get(url(), {"division": "966"}).status_code == 404
    assert client.get(url("no_such_indicator")).status_code == 404


@pytest.mark.django_db
def test_monitoring_indicator_page_has_no_target(client, steering_user, dash_world):
    client.force_login(steering_user)
    html = client.get(url("people_guided"), {"division": "967"}).content.decode()
    assert "không có mục tiêu ở cấp đơn vị này" in html
    assert "120 người" in html


@pytest.mark.django_db
def test_indicator_page_queries_are_constant_in_data_size(
    client, steering_user, dash_world, camau, count_queries, django_assert_max_num_queries
):
    client.force_login(steering_user)
    page = f"{url()}?division=967&provisional=1"
    with django_assert_max_num_queries(12):
        _, before = count_queries(page)
    grow(camau, dash_world)
    _, after = count_queries(page)
    assert after == before
