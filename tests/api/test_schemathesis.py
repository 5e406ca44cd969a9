"""Property-based API tests against the live OpenAPI schema (schemathesis, in-process WSGI).

Every operation with generated inputs, as a district system with a write-enabled officer token:
every check schemathesis has (no 5xx, status codes, content types, response schemas,
rejection of schema-invalid input, acceptance of schema-valid input, …), then the stateful
phase following the schema's links (write a figure, read it back, update it at its version).

Positive data acceptance expects 2xx, 401, 403, 404, 409 or 422: 422 is the API's answer to a
request that matches the schema but names a code that does not exist or breaks a rule of the
data (a figure's checks), which no schema can state; a 400 for schema-valid input fails.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from camau_cds.wsgi import application

CONFIG = SchemathesisConfig.from_str(
    """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "422"]
"""
)
# Fetching the schema touches no table, so it can be loaded at collection time.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)
# The stateful phase starts from a figure write: generated codes name no figure the token may
# write, so its schema fills the first row with a real commune of the token's district.
# Positive data only: the hook repairs bodies, which would make negative ones valid.
STATEFUL_CONFIG = SchemathesisConfig.from_str(
    """
[generation]
mode = "positive"

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "422"]
"""
)
stateful_schema = schemathesis.openapi.from_wsgi(
    "/api/schema/", application, config=STATEFUL_CONFIG
)


@stateful_schema.hook
def map_body(context, body):
    if context.operation.path != "/api/v1/values/" or not body or not isinstance(body[0], dict):
        return body
    del body[1:]
    row = body[0]
    value = row.get("value")
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else 1
    row.update(
        indicator="people_guided",
        division=("32068", "32069")[len(str(row)) % 2],
        period="2024-05",
        value=abs(int(number)) % 1000,
    )
    row.pop("numerator", None)
    row.pop("denominator", None)
    return body


# More examples for a deeper run: SCHEMATHESIS_EXAMPLES=200 pytest tests/api/test_schemathesis.py
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def keep_test_connection():
    """Calls go straight to the WSGI app, not through Django's test client, so the
    request signals would close the test's connection mid-transaction (PostgreSQL): detach
    them as the test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_data(db, camau, keep_test_connection):
    from attainment.engine import attainment_recompute
    from tests.reports.factories import count_indicator, ratio_indicator

    ratio_indicator(code="work_records_online", reports_province=True)
    count_indicator("people_guided")
    attainment_recompute()


@pytest.fixture
def officer_token(api_data, officer_a) -> dict:
    from divisions.tokens import api_token_issue

    _, key = api_token_issue(user=officer_a, name="district system", read_only=False)
    return {"Authorization": f"Token {key}"}


@pytest.fixture
def authenticated(officer_token):
    """The token as configured authentication, so that schemathesis generates no credentials
    of its own and its auth checks probe with and without this one."""
    for each in (schema, stateful_schema):
        each.config.update(headers=officer_token)
    yield
    for each in (schema, stateful_schema):
        each.config.headers = {}


@schema.parametrize()
@HYPOTHESIS
@pytest.mark.django_db
def test_api_conforms_to_its_schema(case, authenticated):
    case.call_and_validate()


@pytest.mark.django_db
def test_stateful_links_hold(authenticated):
    stateful_schema.as_state_machine().run(
        settings=settings(HYPOTHESIS, max_examples=EXAMPLES + 5, stateful_step_count=6)
    )
