"""District comparison paged by HEAT_PAGE_SIZE units: rows, chart, pager, exports, queries."""

from __future__ import annotations

import csv
import io
import json
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.selectors import HEAT_PAGE_SIZE
from divisions.models import Division, Kind
from tests.divisions.factories import DivisionFactory

DISTRICTS = reverse("dashboards:districts")
PERIOD = "2024-01"


def add_districts(camau, total: int) -> list[str]:
    """Extra district-level units under the province until it has `total`; every code, sorted.

    Extra codes are "99NN", after the real districts' "964"–"973" in code order.
    """
    province = camau["96"]
    existing = Division.objects.filter(parent=province).count()
    for k in range(existing, total):
        DivisionFactory(
            code=f"99{k:02d}", name=f"Huyện Thêm {k:02d}", kind=Kind.DISTRICT, parent=province
        )
    codes = list(
        Division.objects.filter(parent=province).order_by("code").values_list("code", flat=True)
    )
    assert len(codes) == total
    return codes


def shown_codes(html: str) -> list[str]:
    return re.findall(r'<tr data-division="([^"]+)">', html)


def chart_of(html: str) -> dict:
    return json.loads(
        html.split('id="dash-bar-data" type="application/json">')[1].split("</script>")[0]
    )


def pager_hrefs(html: str) -> list[str]:
    nav = html[html.index("data-heat-pager") : html.index("</nav>", html.index("data-heat-pager"))]
    return re.findall(r'href="([^"]+)"', nav)


@pytest.fixture
def steering_client(client, steering_user):
    client.force_login(steering_user)
    return client


def test_page_size_keeps_the_nine_real_districts_on_one_page():
    assert HEAT_PAGE_SIZE == 10


@pytest.mark.django_db
def test_nine_districts_are_one_page_without_pager(steering_client, dash_world):
    html = steering_client.get(DISTRICTS, {"period": PERIOD}).content.decode()
    assert len(shown_codes(html)) == 9
    assert "data-heat-pager" not in html
    assert "Đơn vị 1–9 trên tổng số 9" in html


@pytest.mark.django_db
def test_pages_show_ten_rows_then_the_rest_in_code_order(steering_client, dash_world, camau):
    codes = add_districts(camau, 23)
    pages = [
        steering_client.get(DISTRICTS, {"period": PERIOD, "page": n}).content.decode()
        for n in (1, 2, 3)
    ]
    assert [shown_codes(p) for p in pages] == [codes[:10], codes[10:20], codes[20:]]
    assert "Đơn vị 1–10 trên tổng số 23" in pages[0]
    assert "Đơn vị 21–23 trên tổng số 23" in pages[2]
    # The chart draws the page's units only, and the text says so.
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    assert chart_of(pages[2])["units"] == [names[c] for c in codes[20:]]
    assert "chỉ gồm các đơn vị của trang này" in pages[2]


@pytest.mark.django_db
def test_every_page_has_the_same_columns(steering_client, dash_world, camau):
    add_districts(camau, 23)
    first = chart_of(steering_client.get(DISTRICTS, {"period": PERIOD}).content.decode())
    last = chart_of(steering_client.get(DISTRICTS, {"period": PERIOD, "page": 3}).content.decode())
    # The figures are in 966 and 967 (page 1); page 3 still shows the target, as "no data".
    assert [s["key"] for s in last["series"]] == [s["key"] for s in first["series"]] != []
    assert all(v is None for s in last["series"] for v in s["values"])
    assert set(last["series"][0]["statuses"]) == {"no_data"}


@pytest.mark.django_db
def test_pager_links_keep_period_and_provisional_switch(steering_client, dash_world, camau):
    add_districts(camau, 23)
    html = steering_client.get(
        DISTRICTS, {"period": PERIOD, "provisional": "1", "page": "2"}
    ).content.decode()
    hrefs = pager_hrefs(html)
    assert hrefs, "no pager links"
    assert all(h.startswith("?period=2024-01&amp;provisional=1&amp;page=") for h in hrefs)
    assert {h.rsplit("=", 1)[1] for h in hrefs} == {"1", "3"}
    assert 'aria-current="page"><span class="page-link">2</span>' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("asked", "expected_first"), [("99", 20), ("0", 20), ("-1", 20), ("abc", 0), ("1.5", 0)]
)
def test_bad_page_numbers_fall_back_instead_of_failing(
    steering_client, dash_world, camau, asked, expected_first
):
    """Out of range → the last page; not a number → page 1; never a server error."""
    codes = add_districts(camau, 23)
    response = steering_client.get(DISTRICTS, {"period": PERIOD, "page": asked})
    assert response.status_code == 200
    assert shown_codes(response.content.decode())[0] == codes[expected_first]


@pytest.mark.django_db
def test_exports_hold_every_unit_whatever_the_page(steering_client, dash_world, camau):
    codes = add_districts(camau, 23)
    response = steering_client.get(DISTRICTS, {"period": PERIOD, "page": "2", "export": "csv"})
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [line[0] for line in lines[1:]] == codes
    response = steering_client.get(DISTRICTS, {"period": PERIOD, "page": "3", "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == codes


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_number_of_units(
    steering_client, dash_world, camau, django_assert_max_num_queries
):
    def measure(total: int) -> list[int]:
        add_districts(camau, total)
        counts = []
        for page in ("1", "2"):
            with (
                # 13: the page's reads plus the programme list of the selector.
                django_assert_max_num_queries(13),
                CaptureQueriesContext(connection) as ctx,
            ):
                response = steering_client.get(
                    DISTRICTS, {"period": PERIOD, "provisional": "1", "page": page}
                )
            assert response.status_code == 200
            counts.append(len(ctx.captured_queries))
        return counts

    small = measure(12)
    assert measure(30) == small
