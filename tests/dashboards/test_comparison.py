"""District comparison and drill-down: heat tables by status, scoping, constant queries."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from attainment.models import Attainment
from tests.dashboards.helpers import C1, C2, grow

DISTRICTS = reverse("dashboards:districts")


def division_url(code: str) -> str:
    return reverse("dashboards:division", args=[code])


def heat_row(html: str, code: str) -> str:
    start = html.index(f'<tr data-division="{code}">')
    return html[start : html.index("</tr>", start)]


@pytest.mark.django_db
def test_heat_table_colours_each_district_by_its_status(client, steering_user, dash_world):
    client.force_login(steering_user)
    response = client.get(DISTRICTS, {"period": "2024-01"})
    html = response.content.decode()
    # Thới Bình: 40/150 = 26,7%, far below the pace to 80% → off track (red).
    a = heat_row(html, "967")
    assert "26,7%" in a and 'class="table-danger text-end" data-status="off_track"' in a
    # U Minh: 45/60 = 75% already in 01/2024 → 20 → 75 of 80 is on track (blue).
    b = heat_row(html, "966")
    assert "75%" in b and 'data-status="on_track"' in b
    # A district without figures shows "no data".
    assert 'data-status="no_data"' in heat_row(html, "964")
    chart = json.loads(response.context["chart"] and json.dumps(response.context["chart"]))
    assert chart == json.loads(
        html.split('id="dash-bar-data" type="application/json">')[1].split("</script>")[0]
    )
    series = chart["series"][0]
    values = dict(zip(chart["units"], series["values"], strict=True))
    assert round(values["Huyện U Minh"], 1) == 75.0
    assert series["target"] == 80.0
    assert 'id="dash-bar-data"' in html


@pytest.mark.django_db
def test_officer_compares_only_districts_in_scope(client, officer_a, dash_world):
    client.force_login(officer_a)
    html = client.get(DISTRICTS, {"period": "2024-01"}).content.decode()
    assert 'data-division="967"' in html
    assert 'data-division="966"' not in html


@pytest.mark.django_db
def test_drill_down_shows_district_cards_and_its_communes(client, officer_a, dash_world):
    client.force_login(officer_a)
    html = client.get(division_url("967"), {"period": "2024-01"}).content.decode()
    # The district's own card is judged against the district target (80%).
    assert "Huyện Thới Bình" in html and "≥ 80%" in html and "26,7%" in html
    assert "30%" in heat_row(html, C1) and "20%" in heat_row(html, C2)
    # A commune page is reachable from the table.
    assert division_url(C1) in html


@pytest.mark.django_db
def test_commune_page_shows_its_own_cards(client, commune_officer, dash_world):
    client.force_login(commune_officer)
    response = client.get(division_url(C1), {"period": "2024-01"})
    assert response.status_code == 200
    assert "30%" in response.content.decode()


@pytest.mark.django_db
def test_officer_of_district_b_gets_404_on_district_a(client, officer_b, dash_world):
    client.force_login(officer_b)
    assert client.get(division_url("967")).status_code == 404
    assert client.get(division_url(C1)).status_code == 404
    assert client.get(division_url("966")).status_code == 200
    # Hamlets and unknown codes are not dashboard units either.
    assert client.get(division_url("nope")).status_code == 404


@pytest.mark.django_db
def test_comparison_and_drill_down_queries_are_constant_in_data_size(
    client, steering_user, dash_world, camau, count_queries, django_assert_max_num_queries
):
    client.force_login(steering_user)
    urls = [
        f"{DISTRICTS}?period=2024-01&provisional=1",
        f"{division_url('967')}?period=2024-01&provisional=1",
    ]
    before = []
    for url in urls:
        # 14: the page's reads, the programme list of the selector, and the provinces merged
        # into the steering user's province (their history is in scope).
        with django_assert_max_num_queries(14):
            before.append(count_queries(url)[1])
    grow(camau, dash_world)
    assert Attainment.objects.filter(division__level=3).count() > 3 * 60
    assert [count_queries(u)[1] for u in urls] == before
