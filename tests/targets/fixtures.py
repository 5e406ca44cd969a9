"""Fixtures of the targets app that tests elsewhere (the access matrix) may request by name."""

from __future__ import annotations

import pytest


@pytest.fixture
def catalogue(db):
    """The shipped catalogue (targets/catalogue/*.yaml) loaded; returns {code: Indicator}."""
    from targets.models import Indicator
    from targets.services import catalogue_load

    catalogue_load()
    return Indicator.objects.in_bulk(field_name="code")


@pytest.fixture
def target_indicator(db):
    """One ratio indicator with a 2025 province target (a code no other app uses)."""
    from tests.targets.factories import IndicatorFactory, TargetFactory

    indicator = IndicatorFactory(code="targets_case_indicator")
    TargetFactory(indicator=indicator)
    return indicator
