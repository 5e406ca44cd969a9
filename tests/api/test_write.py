"""District systems pushing figures through the API: same rules as the form."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from rest_framework.test import APIClient

from divisions.tokens import api_token_issue
from reports.models import DataValue, DataValueChange, Report
from reports.services import report_approve, report_submit
from tests.reports.factories import count_indicator

PERIOD = "2024-05"


@pytest.fixture
def indicator(db):
    return count_indicator("people_guided")


def token_client(user, *, read_only=False) -> APIClient:
    _, key = api_token_issue(user=user, name="district system", read_only=read_only)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def row(division="32068", value=5, **extra):
    return {
        "indicator": "people_guided",
        "division": division,
        "period": PERIOD,
        "value": value,
        **extra,
    }


@pytest.mark.django_db
def test_officer_token_writes_a_figure_into_the_district_draft(officer_a, indicator):
    response = token_client(officer_a).post("/api/v1/values/", [row(value=7)], format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["created"] == 1 and body["results"][0]["version"] == 1
    figure = DataValue.objects.get(division__code="32068")
    assert figure.value == D(7) and figure.report.division.code == "967"
    assert DataValueChange.objects.get(data_value=figure).channel == "api"


@pytest.mark.django_db
def test_token_of_another_district_gets_403_and_nothing_is_saved(officer_b, indicator):
    response = token_client(officer_b).post(
        "/api/v1/values/", [row(division="32047"), row(division="32068")], format="json"
    )
    assert response.status_code == 403
    assert not DataValue.objects.exists()


@pytest.mark.django_db
def test_read_only_token_cannot_write(officer_a, indicator):
    response = token_client(officer_a, read_only=True).post(
        "/api/v1/values/", [row()], format="json"
    )
    assert response.status_code == 403
    assert not DataValue.objects.exists()


@pytest.mark.django_db
def test_anonymous_write_is_401(indicator, camau):
    assert APIClient().post("/api/v1/values/", [row()], format="json").status_code == 401


@pytest.mark.django_db
def test_bulk_with_one_bad_row_saves_nothing_and_names_the_row(officer_a, indicator):
    response = token_client(officer_a).post(
        "/api/v1/values/", [row(), row(division="32069", value=-3)], format="json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [{"field": "rows.1.value"}] and "-3" in body["detail"]
    assert not DataValue.objects.exists()


@pytest.mark.django_db
def test_stale_version_is_a_409_showing_the_other_value(officer_a, indicator):
    client = token_client(officer_a)
    client.post("/api/v1/values/", [row(value=5)], format="json")
    client.patch("/api/v1/values/", [row(value=6, version=1)], format="json")
    response = client.patch("/api/v1/values/", [row(value=9, version=1)], format="json")
    assert response.status_code == 409
    assert "6" in response.json()["detail"]
    assert DataValue.objects.get().value == D(6)


@pytest.mark.django_db
def test_patch_requires_a_version(officer_a, indicator):
    response = token_client(officer_a).patch("/api/v1/values/", [row()], format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "rows.0.version"}]


@pytest.mark.django_db
def test_locked_report_is_a_409(officer_a, steering_user, indicator):
    client = token_client(officer_a)
    client.post("/api/v1/values/", [row(value=5)], format="json")
    report = Report.objects.get()
    report_submit(user=officer_a, report=report)
    report_approve(user=steering_user, report=report)
    response = client.patch("/api/v1/values/", [row(value=8, version=1)], format="json")
    assert response.status_code == 409
    assert DataValue.objects.get().value == D(5)


@pytest.mark.django_db
def test_body_must_be_a_list_of_bounded_size(officer_a, indicator):
    client = token_client(officer_a)
    assert client.post("/api/v1/values/", row(), format="json").status_code == 400
    assert client.post("/api/v1/values/", [], format="json").status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "note",
    [
        "dòng một\rdòng hai",  # a lone carriage return (old Mac line ends, some API clients)
        "dòng một\r\ndòng hai",
        'có "ngoặc", dấu phẩy\tvà tab',
        "\\N",  # COPY's own NULL marker, as text
        "ký tự lạ \x0b\x0c\x13\x17\x1a\x1c\u2028\u2029\U000e0041 cuối",
    ],
)
def test_a_note_with_line_breaks_and_odd_characters_is_stored_as_sent(officer_a, indicator, note):
    response = token_client(officer_a).post(
        "/api/v1/values/", [row(value=7, note=note)], format="json"
    )
    assert response.status_code == 201, response.json()
    figure = DataValue.objects.get(division__code="32068")
    assert figure.note == note
    assert DataValueChange.objects.get(data_value=figure).note == note


@pytest.mark.django_db
def test_a_note_without_a_figure_is_refused_by_the_api_too(officer_a, indicator):
    """The same rule as the report page: a note is kept with a figure, never dropped unseen."""
    response = token_client(officer_a).post(
        "/api/v1/values/", [row(), row(division="32069", value=None, note="Chờ số")], format="json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [{"field": "rows.1.note"}]
    assert "chưa có số liệu" in body["detail"]
    assert not DataValue.objects.exists()
