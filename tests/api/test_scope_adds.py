"""Signing in adds, never subtracts: every role, and every API token, sees at least what an
anonymous visitor sees on each public endpoint and page (the province's open data)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from attainment.engine import attainment_recompute
from divisions.tokens import api_token_issue
from reports.models import ReportStatus
from tests.access_matrix import SIGNED_IN
from tests.reports.factories import DataValueFactory, ReportFactory, count_indicator
from tests.reports.province_fixtures import PROVINCE_INDICATOR
from tests.targets.factories import TargetFactory

pytestmark = pytest.mark.django_db

# Public URLs (name, query) whose rows anonymous visitors get.
PUBLIC = [
    ("api:attainment", {"division": "96"}),
    ("api:attainment", {"level": "1"}),
    ("api:attainment", {}),
    ("api:values", {"division": "96"}),
    ("api:values", {"indicator": PROVINCE_INDICATOR}),
    ("api:values", {}),
    ("dashboards:open_data", {}),
    ("dashboards:open_data_csv", {}),
    ("api:indicators", {}),
    ("api:targets", {}),
    ("api:divisions", {"level": "1"}),
]


@pytest.fixture
def open_data(camau, last_month, steering_user, province_indicator):
    """Approved figures of communes in two districts and the province's own approved figure,
    with province targets, recomputed: the province-level rows are open data."""
    people = count_indicator()
    TargetFactory(indicator=people, value=1000)
    TargetFactory(indicator=province_indicator, value=90)
    now = timezone.now()
    for district, commune, value in (("967", "32068", 12), ("966", "32047", 30)):
        report = ReportFactory(
            division=camau[district],
            period=last_month,
            status=ReportStatus.APPROVED,
            approved_at=now,
        )
        DataValueFactory(
            indicator=people, division=camau[commune], period=last_month, report=report, value=value
        )
    province_report = ReportFactory(
        division=camau["96"], period=last_month, status=ReportStatus.APPROVED, approved_at=now
    )
    DataValueFactory(
        indicator=province_indicator,
        division=camau["96"],
        period=last_month,
        report=province_report,
        numerator=7,
        denominator=8,
        value=87.5,
    )
    attainment_recompute()


def rows_of(client, name: str, query: dict) -> set[str]:
    """The rows a response lists, as comparable strings (JSON rows, CSV lines, table rows)."""
    response = client.get(reverse(name), {**query, "page_size": 5000} if "api" in name else query)
    assert response.status_code == 200, (name, query, response.status_code)
    if name == "dashboards:open_data_csv":
        return {"|".join(r) for r in csv.reader(io.StringIO(response.content.decode()))}
    if name == "dashboards:open_data":
        html = response.content.decode()
        return set(re.findall(r"<tr data-card=.*?</tr>", html, flags=re.S))
    body = response.json()
    results = body["results"] if isinstance(body, dict) else body
    return {json.dumps(r, sort_keys=True, default=str) for r in results}


@pytest.mark.parametrize("role", SIGNED_IN)
@pytest.mark.parametrize(("name", "query"), PUBLIC, ids=lambda v: str(v))
def test_every_role_sees_everything_the_public_sees(role, name, query, role_users, open_data):
    public = rows_of(Client(), name, query)
    assert public, f"anonymous {name} {query}: no rows, the comparison would prove nothing"
    client = Client()
    client.force_login(role_users[role])
    mine = rows_of(client, name, query)
    missing = public - mine
    assert not missing, f"{role} {name} {query}: {len(missing)} public rows missing"


def test_district_officers_token_gets_the_provinces_open_data(officer_a, open_data):
    _, key = api_token_issue(user=officer_a, name="district system")
    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for name in ("api:attainment", "api:values"):
        public = rows_of(Client(), name, {"division": "96"})
        assert public and rows_of(token, name, {"division": "96"}) == public


def test_scope_beyond_open_data_stays_scoped(role_users, open_data):
    """What the public does not see (a district's and its communes' rows, unapproved figures,
    provisional rows) still follows the scope: officer B reads none of district A's rows."""
    officer_b = APIClient()
    officer_b.force_authenticate(role_users["officer_b"])
    for name in ("api:attainment", "api:values"):
        for division in ("967", "32068"):
            response = officer_b.get(reverse(name), {"division": division})
            assert response.status_code == 200 and response.json()["results"] == []
    anonymous = rows_of(Client(), "api:values", {})
    officer_a = APIClient()
    officer_a.force_authenticate(role_users["officer_a"])
    own = rows_of(officer_a, "api:values", {"division": "32068"})
    assert own and not (own & anonymous)
    # Unapproved and provisional rows are never public: a signed-in user adds none from 96.
    drafts = officer_a.get(reverse("api:values"), {"division": "96", "status": "draft"})
    assert drafts.status_code == 200 and drafts.json()["results"] == []
    provisional = officer_a.get(reverse("api:attainment"), {"division": "96", "provisional": 1})
    assert provisional.status_code == 200 and provisional.json()["results"] == []
