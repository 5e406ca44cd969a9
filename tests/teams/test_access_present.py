"""Every teams URL × every role of today's structure (late 2026), like the access matrix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from teams.models import Activity, ActivityKind
from tests.divisions.factories import make_user
from tests.teams.access_cases import PRESENT_CASES, PRESENT_ROLES
from tests.test_access_matrix import named_urls

CASES = {c.name: c for c in PRESENT_CASES}


def test_every_teams_url_has_a_case_for_today():
    teams_urls = {n for n in named_urls() if n.startswith("teams:")}
    assert teams_urls == set(CASES)


@pytest.fixture
def world(present):
    activity = Activity.objects.create(
        team=present.west, date=dt.date(2026, 10, 1), kind=ActivityKind.PROPAGANDA, people=3
    )
    users = {role: getattr(present, role) for role in PRESENT_ROLES[1:] if role != "no_role"}
    users["no_role"] = make_user(None, None, username="khong_vai_tro")
    return {
        "users": users,
        "west": present.west,
        "member": present.west.members.get(full_name="Trần Thị Hoa"),
        "activity": activity,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", PRESENT_ROLES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_access_today(name, role, world):
    case = CASES[name]
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    url = reverse(name, kwargs=case.kwargs(world) if case.kwargs else None)
    response = client.post(url, {}) if case.method == "post" else client.get(url)
    expected = case.expect[role]
    assert response.status_code == expected, f"{role} {url}: {response.status_code} ≠ {expected}"
