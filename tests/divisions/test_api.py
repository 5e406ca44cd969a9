from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from divisions.tokens import api_token_issue, api_token_revoke


@pytest.mark.django_db
def test_divisions_filtered_by_parent_and_level(client, camau):
    rows = client.get("/api/v1/divisions/", {"parent": "967"}).json()["results"]
    assert len(rows) == 12
    assert {r["parent_code"] for r in rows} == {"967"}
    assert client.get("/api/v1/divisions/", {"level": 2}).json()["results"][0]["level"] == 2
    assert len(client.get("/api/v1/divisions/", {"within": "967"}).json()["results"]) == 13


@pytest.mark.django_db
def test_unknown_code_is_a_422_problem_not_an_empty_list(client, camau):
    response = client.get("/api/v1/divisions/", {"within": "12345"})
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == 422 and body["title"] == "Dữ liệu không xử lý được"
    assert "12345" in body["detail"] and body["errors"] == [{"field": "within"}]


@pytest.mark.django_db
def test_bad_level_and_bad_date_are_400(client, camau):
    assert client.get("/api/v1/divisions/", {"level": "x"}).status_code == 400
    assert client.get("/api/v1/divisions/", {"valid_on": "31/02/2025"}).status_code == 400


@pytest.mark.django_db
def test_csv_format_has_a_header_and_one_row_per_unit(client, camau):
    response = client.get("/api/v1/divisions/", {"parent": "967", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("id,code,name,kind,level")
    assert len(lines) == 13
    by_accept = client.get("/api/v1/divisions/", {"parent": "967"}, HTTP_ACCEPT="text/csv")
    assert by_accept["Content-Type"].startswith("text/csv")


@pytest.mark.django_db
def test_etag_gives_304_when_unchanged(client, camau):
    first = client.get("/api/v1/divisions/", {"level": 2})
    again = client.get("/api/v1/divisions/", {"level": 2}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


@pytest.mark.django_db
def test_token_is_stored_hashed_and_authenticates(officer_a):
    token, key = api_token_issue(user=officer_a, name="district system")
    assert key not in token.key_hash and token.key_hash != key
    from rest_framework.test import APIClient

    client = APIClient()
    response = client.get("/api/v1/divisions/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["revoked", "expired", "garbage"])
def test_revoked_expired_or_unknown_tokens_get_401(officer_a, state):
    from rest_framework.test import APIClient

    token, key = api_token_issue(user=officer_a, name="x")
    if state == "revoked":
        api_token_revoke(token=token)
    elif state == "expired":
        token.expires_at = timezone.now() - dt.timedelta(minutes=1)
        token.save()
    else:
        key = key[:-4] + "abcd"
    response = APIClient().get("/api/v1/divisions/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert response.json()["title"] == "Chưa xác thực"


@pytest.mark.django_db
def test_several_tokens_per_user(officer_a):
    _, k1 = api_token_issue(user=officer_a, name="a")
    _, k2 = api_token_issue(user=officer_a, name="b")
    assert k1 != k2 and officer_a.api_tokens.count() == 2


@pytest.mark.django_db
def test_docs_are_served_offline(client):
    html = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/divisions/" in schema.content
