"""Teams and activities through the API: scoping and phone privacy."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


def get(user, url, **query):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client.get(url, query)


@pytest.mark.django_db
def test_steering_sees_members_phone_numbers(steering_user, team_a, team_b):
    teams = get(steering_user, "/api/v1/teams/").json()["results"]
    by_name = {t["name"]: t for t in teams}
    members = by_name[team_a.name]["members"]
    assert "0912345123" in {m["phone"].replace(" ", "").replace(".", "") for m in members}
    assert {t["commune"] for t in teams} >= {"32068", "32047"}


@pytest.mark.django_db
def test_viewer_gets_masked_phone_numbers(viewer, team_a):
    members = get(viewer, "/api/v1/teams/").json()["results"][0]["members"]
    phones = [m["phone"] for m in members]
    assert phones and all("x" in p for p in phones)
    assert not any("345123" in p.replace(" ", "") for p in phones)


@pytest.mark.django_db
def test_officer_of_another_district_sees_no_team_of_district_a(officer_b, team_a, team_b):
    teams = get(officer_b, "/api/v1/teams/").json()["results"]
    assert [t["commune"] for t in teams] == ["32047"]


@pytest.mark.django_db
def test_activities_are_scoped_and_filtered(officer_a, officer_b, activity_a, activity_b):
    rows = get(officer_a, "/api/v1/activities/").json()["results"]
    assert {r["commune"] for r in rows} == {"32068"}
    assert get(officer_b, "/api/v1/activities/", commune="32068").json()["results"] == []
    assert get(officer_a, "/api/v1/activities/", period_from="2024-13").status_code == 400


@pytest.mark.django_db
def test_anonymous_clients_get_401(team_a):
    assert get(None, "/api/v1/teams/").status_code == 401
    assert get(None, "/api/v1/activities/").status_code == 401
