"""Reading the API as another system would: filters, scoping, paging, CSV, errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from attainment.engine import attainment_recompute
from reports.models import ReportStatus
from tests.reports.factories import (
    DataValueFactory,
    ReportFactory,
    count_indicator,
    ratio_indicator,
)

MONTHS_2024 = [dt.date(2024, m, 1) for m in range(1, 13)]


@pytest.fixture
def figures(camau):
    """Approved 2024 figures of three indicators for Thới Bình's 12 communes, one draft month."""
    inds = [
        count_indicator("households_guided"),
        count_indicator("people_guided"),
        ratio_indicator("work_records_online"),
    ]
    communes = list(camau["967"].children.all())
    for month in MONTHS_2024:
        status = ReportStatus.DRAFT if month.month == 12 else ReportStatus.APPROVED
        report = ReportFactory(
            division=camau["967"],
            period=month,
            status=status,
            approved_at=timezone.now() if status == ReportStatus.APPROVED else None,
        )
        for commune in communes:
            DataValueFactory(
                indicator=inds[0], division=commune, period=month, report=report, value=D(10)
            )
            DataValueFactory(
                indicator=inds[1], division=commune, period=month, report=report, value=D(20)
            )
            DataValueFactory(
                indicator=inds[2],
                division=commune,
                period=month,
                report=report,
                numerator=D(6),
                denominator=D(10),
                value=D(60),
            )
    return inds


EXAMPLE = {
    "indicator": "households_guided,people_guided,work_records_online",
    "within": "967",
    "level": "3",
    "period_from": "2024-01",
    "period_to": "2024-12",
}


@pytest.mark.django_db
def test_readme_example_json_paged(figures, steering_user):
    client = APIClient()
    client.force_authenticate(steering_user)
    rows, url, pages = [], "/api/v1/values/", 0
    query = {**EXAMPLE, "page_size": 100}
    while url:
        body = client.get(url, query if pages == 0 else None).json()
        rows += body["results"]
        url, pages = body["next"], pages + 1
    # 3 indicators × 12 communes × 11 approved months (December is still a draft).
    assert len(rows) == 3 * 12 * 11 == 396
    assert pages == 4
    assert {r["period"] for r in rows} == {f"2024-{m:02d}" for m in range(1, 12)}
    assert len({r["id"] for r in rows}) == 396


@pytest.mark.django_db
def test_readme_example_csv(figures, steering_user):
    client = APIClient()
    client.force_authenticate(steering_user)
    response = client.get("/api/v1/values/", {**EXAMPLE, "format": "csv", "page_size": 5000})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 396 and rows[0]["indicator"] in EXAMPLE["indicator"]


@pytest.mark.django_db
def test_unapproved_figures_only_for_officers_in_scope(figures, officer_a, officer_b, viewer):
    client = APIClient()
    client.force_authenticate(officer_a)
    drafts = client.get("/api/v1/values/", {"status": "draft"}).json()["results"]
    assert len(drafts) == 36 and {r["period"] for r in drafts} == {"2024-12"}
    client.force_authenticate(officer_b)
    assert client.get("/api/v1/values/", {"status": "draft"}).json()["results"] == []
    client.force_authenticate(viewer)
    assert client.get("/api/v1/values/", {"status": "draft"}).status_code == 403


@pytest.mark.django_db
def test_anonymous_clients_get_only_province_level_open_data(figures):
    attainment_recompute()
    client = APIClient()
    assert client.get("/api/v1/values/").json()["results"] == []
    rows = client.get("/api/v1/attainment/", {"indicator": "people_guided"}).json()["results"]
    assert rows and {r["division"] for r in rows} == {"96"}
    assert {r["provisional"] for r in rows} == {False}
    assert client.get("/api/v1/attainment/", {"provisional": 1}).status_code == 403


@pytest.mark.django_db
def test_district_officer_sees_only_own_district(figures, officer_b):
    attainment_recompute()
    client = APIClient()
    client.force_authenticate(officer_b)
    assert client.get("/api/v1/values/").json()["results"] == []
    rows = client.get("/api/v1/attainment/").json()["results"]
    assert all(r["division"] != "967" for r in rows)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, field, status",
    [
        ({"period_from": "2024-13"}, "period_from", 400),
        ({"period_from": "24-01"}, "period_from", 400),
        ({"period_from": "2024-05", "period_to": "2024-01"}, "period_to", 422),
        ({"indicator": "khong_co"}, "indicator", 422),
        ({"division": "99999"}, "division", 422),
        ({"within": "1' OR '1'='1"}, "within", 400),
        ({"level": "9"}, "level", 400),
        ({"status": "whatever"}, "status", 400),
    ],
)
def test_bad_filters_are_problems_naming_the_parameter(
    figures, steering_user, query, field, status
):
    """400 when the schema refuses the value, 422 when it is well formed but names nothing."""
    client = APIClient()
    client.force_authenticate(steering_user)
    response = client.get("/api/v1/values/", query)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and [e["field"] for e in body["errors"]] == [field]


@pytest.mark.django_db
def test_page_size_beyond_the_maximum_is_refused(figures, steering_user):
    client = APIClient()
    client.force_authenticate(steering_user)
    assert client.get("/api/v1/values/", {"page_size": 5000}).status_code == 200
    response = client.get("/api/v1/values/", {"page_size": 5001})
    assert response.status_code == 400 and response.json()["errors"] == [{"field": "page_size"}]


@pytest.mark.django_db
def test_list_query_count_is_constant(figures, steering_user, django_assert_max_num_queries):
    client = APIClient()
    client.force_authenticate(steering_user)
    attainment_recompute()
    for url in (
        "/api/v1/values/",
        "/api/v1/attainment/",
        "/api/v1/indicators/",
        "/api/v1/reports/",
    ):
        with django_assert_max_num_queries(8):
            assert client.get(url, {"page_size": 1000}).status_code == 200


@pytest.mark.django_db
def test_indicators_carry_their_targets(camau):
    from targets.models import Comparator, Target

    ind = ratio_indicator(reports_province=True)
    Target.objects.create(
        indicator=ind,
        wording_vi="90% cấp tỉnh",
        deadline=dt.date(2025, 12, 31),
        scope_level=1,
        value=D(90),
        comparator=Comparator.AT_LEAST,
    )
    body = APIClient().get(f"/api/v1/indicators/{ind.code}/").json()
    assert body["reporting_levels"] == [1, 2, 3]
    assert body["targets"][0]["value"] == 90 and body["targets"][0]["scope_level"] == 1
    assert APIClient().get("/api/v1/indicators/khong-co/").status_code == 404


def test_the_api_address_in_the_readme_lists_where_to_go(client, db):
    """/api/v1/ (the address the README gives) answers with its collections, not a 404."""
    response = client.get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert body["collections"]["values"].endswith("/api/v1/values/")
    assert body["schema"].endswith("/api/schema/") and body["docs"].endswith("/api/docs/")
    assert client.get(body["collections"]["indicators"]).status_code == 200
