"""What an outside attack on the API found: no 500s, one problem shape, safe and faithful CSV,
private caching, strict numbers and cursors, truthful status codes, unit identity."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from divisions.tokens import api_token_issue
from reports.models import DataValue, DataValueChange, ReportStatus
from tests.divisions.factories import make_user
from tests.reports.factories import DataValueFactory, ReportFactory, count_indicator

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


def token_client(user, *, read_only=False) -> APIClient:
    _, key = api_token_issue(user=user, name="district system", read_only=read_only)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def row(division="32068", value=5, **extra):
    return {
        "indicator": "people_guided",
        "division": division,
        "period": "2024-05",
        "value": value,
        **extra,
    }


def csv_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert body["status"] == status and body["title"] and body["detail"]
    assert body["type"].startswith("https://cds.camau.gov.vn/problems/")
    return body


@pytest.fixture
def people(db):
    return count_indicator("people_guided")


# --- server errors --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "patch"])
def test_year_zero_period_is_a_400_not_a_500(officer_a, people, method):
    client = token_client(officer_a)
    response = getattr(client, method)(
        "/api/v1/values/", [row(period="0000-05", version=0)], format="json"
    )
    body = assert_problem(response, 400)
    assert body["errors"] == [{"field": "rows.0.period"}]


@pytest.mark.parametrize("body", [[None], [1], ["x"], [[]]])
def test_rows_that_are_not_objects_are_a_400(officer_a, people, body):
    response = token_client(officer_a).post("/api/v1/values/", body, format="json")
    assert_problem(response, 400)


@pytest.mark.parametrize("url", ["/api/v1/values/", "/api/v1/attainment/"])
@pytest.mark.parametrize("cursor", ["cD1hYmMmcj0x", "garbage", "n12x", ""])
def test_a_garbage_cursor_is_a_400_problem_not_page_one(camau, url, cursor):
    body = assert_problem(Client().get(url, {"cursor": cursor}), 400)
    assert body["errors"] == [{"field": "cursor"}]


def test_errors_outside_drf_views_are_problems_too(camau):
    """The URL resolver's 404 and the server error handler answer API addresses in JSON."""
    from django.urls import get_resolver

    client = Client(raise_request_exception=False)
    assert_problem(client.get("/api/v1/khong-co/"), 404)
    page = client.get("/khong-co/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
    handler = get_resolver().resolve_error_handler(500)
    from django.test import RequestFactory

    assert_problem(handler(RequestFactory().get("/api/v1/values/")), 500)


# --- semantics ------------------------------------------------------------------------------


def test_errors_are_problem_json_without_repeating_the_detail(officer_a, people):
    response = token_client(officer_a).get("/api/v1/values/", {"period_from": "2024-13"})
    body = assert_problem(response, 400)
    assert body["errors"] == [{"field": "period_from"}]
    assert "YYYY-MM" in body["detail"]
    # Several problems: one summary sentence, each problem once in `errors`.
    response = token_client(officer_a).post(
        "/api/v1/values/", [row(period="2024-13"), row(indicator="x y")], format="json"
    )
    body = assert_problem(response, 400)
    fields = [e["field"] for e in body["errors"]]
    assert fields == ["rows.0.period", "rows.1.indicator"]
    assert all(e["detail"] != body["detail"] for e in body["errors"])


@pytest.mark.parametrize(
    "url, query",
    [
        ("/api/v1/values/", {"level": "٣"}),
        ("/api/v1/values/", {"page_size": "５"}),
        ("/api/v1/values/", {"page_size": "0"}),
        ("/api/v1/attainment/", {"level": "３"}),
        ("/api/v1/targets/", {"deadline": "２０３０"}),
        ("/api/v1/divisions/", {"valid_on": "２０２５-07-01"}),
    ],
)
def test_non_ascii_digits_are_refused(camau, url, query):
    body = assert_problem(Client().get(url, query), 400)
    assert body["errors"] == [{"field": next(iter(query))}]


def test_creating_is_201_and_a_pure_update_is_200(officer_a, people):
    client = token_client(officer_a)
    assert client.post("/api/v1/values/", [row(value=5)], format="json").status_code == 201
    response = client.patch("/api/v1/values/", [row(value=6, version=1)], format="json")
    assert response.status_code == 200 and response.json()["updated"] == 1


def test_a_note_only_change_is_saved(officer_a, people):
    client = token_client(officer_a)
    client.post("/api/v1/values/", [row(value=5, note="")], format="json")
    response = client.patch(
        "/api/v1/values/", [row(value=5, version=1, note="Số liệu từ sổ ấp")], format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["updated"] == 1 and response.json()["results"][0]["version"] == 2
    figure = DataValue.objects.get()
    assert figure.note == "Số liệu từ sổ ấp" and figure.version == 2
    assert DataValueChange.objects.filter(data_value=figure, note="Số liệu từ sổ ấp").exists()
    # The same note again is no change.
    again = client.patch(
        "/api/v1/values/", [row(value=5, version=2, note="Số liệu từ sổ ấp")], format="json"
    )
    assert again.json()["unchanged"] == 1


def test_a_batch_mixing_own_and_foreign_rows_names_the_foreign_row(officer_a, people):
    response = token_client(officer_a).post(
        "/api/v1/values/", [row(division="32068"), row(division="32047")], format="json"
    )
    body = assert_problem(response, 403)
    assert "rows.1" in body["detail"] and "rows.0" not in body["detail"]
    assert not DataValue.objects.exists()


def test_rows_of_a_reused_code_say_which_unit_they_are(reorganised):
    """32044 names the old Thị trấn U Minh until 06/2025 and the new Xã Nguyễn Phích after."""
    steering_user = make_user("steering", "96", username="bcd")
    people = count_indicator()
    old, new = reorganised.old["32044"], reorganised.new["32044"]
    for unit, report_unit, period in (
        (old, reorganised.old["966"], dt.date(2025, 6, 1)),
        (new, new, dt.date(2025, 7, 1)),
    ):
        report = ReportFactory(
            division=report_unit,
            period=period,
            status=ReportStatus.APPROVED,
            approved_at=timezone.now(),
        )
        DataValueFactory(indicator=people, division=unit, period=period, report=report, value=3)
    client = APIClient()
    client.force_authenticate(steering_user)
    rows = client.get("/api/v1/values/", {"division": "32044"}).json()["results"]
    identity = {(r["period"], r["division"], r["division_id"], r["division_name"]) for r in rows}
    assert identity == {
        ("2025-06", "32044", old.pk, old.name),
        ("2025-07", "32044", new.pk, new.name),
    }
    by_period = {r["period"]: r for r in rows}
    assert by_period["2025-06"]["division_valid_to"] == "2025-06-30"
    assert by_period["2025-07"]["division_valid_from"] == "2025-07-01"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/divisions/",
        "/api/v1/indicators/",
        "/api/v1/targets/",
        "/api/v1/programmes/",
        "/api/v1/values/",
        "/api/v1/attainment/",
    ],
)
def test_every_list_is_a_cursor_page(camau, url):
    body = Client().get(url, {"page_size": 1}).json()
    assert set(body) == {"next", "previous", "results"}


def test_divisions_page_with_the_cursor_of_next(camau):
    client = Client()
    first = client.get("/api/v1/divisions/", {"page_size": 50}).json()
    second = client.get(first["next"]).json()
    codes = [r["id"] for r in first["results"] + second["results"]]
    assert len(codes) == 100 and len(set(codes)) == 100


# --- caching --------------------------------------------------------------------------------


def test_token_responses_with_phone_numbers_stay_private(steering_user, team_a):
    response = token_client(steering_user, read_only=True).get("/api/v1/teams/")
    assert response.status_code == 200 and response.has_header("ETag")
    assert "private" in response["Cache-Control"]
    vary = {v.strip().lower() for v in response["Vary"].split(",")}
    assert {"authorization", "cookie"} <= vary


def test_signed_in_pages_are_not_stored(steering_user):
    client = Client()
    client.force_login(steering_user)
    response = client.get("/")
    assert response.status_code == 200
    assert {"private", "no-store"} <= {v.strip() for v in response["Cache-Control"].split(",")}
    anonymous = Client().get("/api/v1/indicators/")
    assert "private" not in anonymous.get("Cache-Control", "")
    assert "Authorization" in anonymous["Vary"]


# --- CSV ------------------------------------------------------------------------------------


def test_csv_neutralises_formulas_but_keeps_numbers(steering_user, team_a, camau, last_month):
    team_a.name = '=HYPERLINK("http://x","y")'
    team_a.decision_number = "+84-1"
    team_a.save()
    ReportFactory(
        division=camau["967"],
        period=last_month,
        status=ReportStatus.RETURNED,
        return_reason="@SUM(1+1)",
    )
    client = token_client(steering_user, read_only=True)
    teams = csv_rows(client.get("/api/v1/teams/", {"format": "csv"}))
    team = next(t for t in teams if "HYPERLINK" in t["name"])
    assert team["name"] == '\'=HYPERLINK("http://x","y")'
    assert team["decision_number"] == "'+84-1"
    reports = csv_rows(client.get("/api/v1/reports/", {"format": "csv"}))
    assert reports[0]["return_reason"] == "'@SUM(1+1)"
    assert reports[0]["id"].isdigit()


def test_csv_cells_are_the_json_values(steering_user, team_a, people, camau):
    report = ReportFactory(
        division=camau["967"],
        period=dt.date(2024, 5, 1),
        status=ReportStatus.APPROVED,
        approved_at=timezone.now(),
    )
    DataValueFactory(
        indicator=people, division=camau["32068"], period=report.period, report=report, value=0
    )
    client = token_client(steering_user, read_only=True)
    for url in ("/api/v1/teams/", "/api/v1/values/"):
        as_json = client.get(url).json()["results"]
        as_csv = csv_rows(client.get(url, {"format": "csv"}))
        assert len(as_json) == len(as_csv) == 1
        for key, value in as_json[0].items():
            if isinstance(value, list | dict):
                expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            elif value is None:
                expected = ""
            else:
                expected = json.dumps(value, ensure_ascii=False).strip('"')
            assert as_csv[0][key] == expected, (url, key)
    team = csv_rows(client.get("/api/v1/teams/", {"format": "csv"}))[0]
    assert team["is_pilot"] == "true" and "datetime" not in team["members"]
    assert json.loads(team["members"])[0]["joined_on"].count("-") == 2
    value = csv_rows(client.get("/api/v1/values/", {"format": "csv"}))[0]
    assert value["updated_at"].endswith("Z")


def test_a_csv_request_that_fails_gets_a_problem(camau):
    response = Client().get("/api/v1/values/", {"format": "csv", "level": "9"})
    assert_problem(response, 400)


# --- schema ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openapi():
    import yaml

    return yaml.safe_load(Client().get("/api/schema/").content)


def _param(operation, name):
    return next(p for p in operation["parameters"] if p["name"] == name)


def test_schema_says_what_the_api_does(openapi):
    paths, schemas = openapi["paths"], openapi["components"]["schemas"]
    assert openapi["info"]["title"].isascii() and "Cà Mau" in openapi["info"]["description"]
    share = schemas["LinkSchema"]["properties"]["share"]
    assert share["type"] == "string" and "pattern" in share
    values = paths["/api/v1/values/"]
    for method in ("post", "patch"):
        names = {p["name"] for p in values[method].get("parameters", [])}
        assert not names & {"indicator", "division", "period_from", "cursor", "page_size"}
        body = values[method]["requestBody"]["content"]
        assert list(body) == ["application/json"]
        assert body["application/json"]["schema"]["maxItems"] == 5000
        assert (
            "422" in values[method]["responses"] and "links" in values[method]["responses"]["201"]
        )
    get = values["get"]
    assert _param(get, "period_from")["schema"]["pattern"].startswith("^20")
    assert _param(get, "page_size")["schema"] == {"type": "integer", "minimum": 1, "maximum": 5000}
    assert "pattern" in _param(get, "cursor")["schema"]
    problem = get["responses"]["400"]["content"]
    assert list(problem) == ["application/problem+json"]
    attainment = paths["/api/v1/attainment/"]["get"]
    assert _param(attainment, "deadline")["schema"]["type"] == "integer"
    assert "enum" not in _param(attainment, "deadline")["schema"]
    status = schemas["AttainmentSchema"]["properties"]["status"]
    refs = [option["$ref"].split("/")[-1] for option in status["oneOf"]]
    assert "" in {value for ref in refs for value in schemas[ref]["enum"]}
