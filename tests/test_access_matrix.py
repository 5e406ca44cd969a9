"""Every role against every named URL, generated from the URL configuration."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_matrix import ROLES
from tests.api.access_cases import CASES as API_CASES
from tests.dashboards.access_cases import CASES as DASHBOARD_CASES
from tests.divisions.access_cases import CASES as DIVISION_CASES
from tests.documents.access_cases import CASES as DOCUMENT_CASES
from tests.reports.access_cases import CASES as REPORT_CASES
from tests.reports.access_cases import PROVINCE_CASES
from tests.targets.access_cases import CASES as TARGET_CASES
from tests.teams.access_cases import CASES as TEAM_CASES

ALL_CASES = {
    c.name: c
    for c in [
        *DIVISION_CASES,
        *TARGET_CASES,
        *REPORT_CASES,
        *TEAM_CASES,
        *DASHBOARD_CASES,
        *API_CASES,
        *DOCUMENT_CASES,
    ]
}
# Namespaces owned by third-party code with its own permission model.
EXTERNAL_NAMESPACES = {"admin"}


def named_urls(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    resolver = resolver or get_resolver()
    names: list[str] = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns in EXTERNAL_NAMESPACES:
                continue
            names += named_urls(pattern, f"{prefix}{ns}:" if ns else prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(prefix + pattern.name)
    return names


def test_every_url_has_an_access_case():
    missing = sorted(set(named_urls()) - set(ALL_CASES))
    assert not missing, f"URLs without an access-matrix case: {missing}"


def test_no_case_for_a_url_that_does_not_exist():
    stale = sorted(set(ALL_CASES) - set(named_urls()))
    assert not stale, f"access cases for unknown URLs: {stale}"


@pytest.fixture
def world(role_users, request):
    """The objects this case's kwargs builder needs (apps add theirs in their own fixtures);
    only this case's, so one app's world (e.g. the units since 07/2025) never changes the
    structure another app's case is judged in."""
    cases = PROVINCE_REPORT_CASES if "province" in request.function.__name__ else ALL_CASES
    data = {"users": role_users}
    for fixture_name in cases[request.node.callspec.params["name"]].world:
        data.setdefault(fixture_name, request.getfixturevalue(fixture_name))
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ALL_CASES))
def test_access(name, role, world):
    check(ALL_CASES[name], role, world)


# The province's own report: the same URLs with the province's code, a second set of cases.
PROVINCE_REPORT_CASES = {c.name: c for c in PROVINCE_CASES}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PROVINCE_REPORT_CASES))
def test_access_to_the_provinces_own_report(name, role, world):
    check(PROVINCE_REPORT_CASES[name], role, world)


def check(case, role, world) -> None:
    name = case.name
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    url = reverse(name, kwargs=case.kwargs(world) if case.kwargs else None) + case.query
    if case.method == "post":
        response = client.post(url, case.data(world) if case.data else {})
    else:
        response = client.get(url)
    expected = case.expect[role]
    assert response.status_code == expected, (
        f"{role} {case.method.upper()} {url}: got {response.status_code}, expected {expected}"
    )
    if expected == 302 and role == "anonymous" and case.method == "get":
        assert "/accounts/login/" in response["Location"]
