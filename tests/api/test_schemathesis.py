"""Property-based API tests against the live OpenAPI schema (schemathesis, in-process WSGI).

Every operation, generated inputs: no 5xx, every response matching the schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from camau_cds.wsgi import application

# Fetching the schema touches no table, so it can be loaded at collection time.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


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
    from tests.reports.factories import ratio_indicator

    ratio_indicator(code="work_records_online", reports_province=True)
    attainment_recompute()


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.django_db
def test_api_conforms_to_its_schema(case, api_data):
    # A schema-valid but unknown code is refused with 400 by design ("an unknown
    # indicator code is an error, not an empty list"), so positive-data acceptance is off;
    # every other check (no 5xx, status codes, content types, response schemas, rejection of
    # schema-invalid input) runs.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
