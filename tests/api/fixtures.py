"""Fixtures of the API tests that the access matrix requests by name."""

from __future__ import annotations

import pytest


@pytest.fixture
def api_indicator(db):
    from tests.reports.factories import ratio_indicator

    return ratio_indicator(code="api_ratio")
