"""Public open-data page and CSV: no login, province level, approved rows only."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse

from attainment.engine import attainment_recompute
from attainment.models import Attainment
from reports.models import ReportStatus
from tests.dashboards.helpers import C1, FEB, add_ratio, make_report

PAGE = reverse("dashboards:open_data")
CSV = reverse("dashboards:open_data_csv")


@pytest.fixture
def with_provisional(dash_world, camau):
    """A submitted (not approved) 95% in Biển Bạch for February."""
    report = make_report(division=camau["967"], period=FEB, status=ReportStatus.SUBMITTED)
    add_ratio(dash_world["indicator"], camau, C1, FEB, 95, 100, report=report)
    attainment_recompute()
    assert Attainment.objects.filter(provisional=True, division__level=1).exists()
    return dash_world


@pytest.mark.django_db
def test_open_data_page_needs_no_login_and_shows_only_approved_values(client, with_provisional):
    latest = Attainment.objects.filter(provisional=False, division__level=1).latest("period")
    response = client.get(PAGE, {"provisional": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "tạm tính" not in html
    assert response.context["data"].period == latest.period
    assert all(not c.row.provisional for c in response.context["data"].cards)
    assert "work_records_online" in html and CSV in html


@pytest.mark.django_db
def test_open_data_csv_lists_every_approved_province_row(client, with_provisional):
    response = client.get(CSV)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Kỳ",
        "Mã chỉ tiêu",
        "Tên chỉ tiêu",
        "Đơn vị tính",
        "Thực hiện",
        "Mục tiêu",
        "Thời hạn",
        "Mã trạng thái",
        "Còn hạn",
        "Giá trị xét kết quả",
        "Trạng thái",
    ]
    approved = Attainment.objects.filter(provisional=False, division__level=1)
    assert len(rows) - 1 == approved.count()
    feb = next(r for r in rows if r[0] == "2024-02" and r[1] == "work_records_online")
    row = approved.get(period=FEB, indicator__code="work_records_online")
    assert D(feb[4]) == row.actual.quantize(D("0.0001"))
    provisional = Attainment.objects.get(
        provisional=True, division__level=1, period=FEB, indicator__code="work_records_online"
    )
    assert provisional.actual.quantize(D("0.0001")) not in {D(r[4]) for r in rows[1:] if r[4]}
    # No district or commune rows: the province's only.
    assert not any(r[2] == "Huyện Thới Bình" for r in rows)


@pytest.mark.django_db
def test_open_data_page_query_count_is_pinned(client, dash_world, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert client.get(PAGE).status_code == 200


@pytest.mark.django_db
def test_open_data_queries_do_not_grow_with_the_data(client, dash_world, camau, count_queries):
    from tests.dashboards.helpers import grow

    _, before = count_queries(PAGE)
    grow(camau, dash_world)
    _, after = count_queries(PAGE)
    assert after == before
