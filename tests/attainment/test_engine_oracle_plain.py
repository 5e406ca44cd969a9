"""The set-based full recompute equals the per-row engine on a structure without successions
too: the statement then reads the roll-up as the series, without the succession step (the
main property test always has the 2025 successions)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from attainment.engine import attainment_recompute, per_row_recompute
from attainment.models import Attainment
from divisions.models import DivisionSuccession
from reports.models import DataValue, Report
from targets.models import Indicator, Target
from tests.attainment.test_engine_oracle import (
    add_figures,
    figures,
    indicators,
    make_catalogue,
    snapshot,
    targets,
    units,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db]


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(specs=indicators, target_specs=targets, figure_specs=figures)
def test_set_based_rows_equal_the_per_row_engine_without_successions(
    reorganised, specs, target_specs, figure_specs
):
    places = units(reorganised)
    DivisionSuccession.objects.all().delete()
    Attainment.objects.all().delete()
    DataValue.objects.all().delete()
    Report.objects.all().delete()
    Target.objects.all().delete()
    Indicator.objects.filter(code__startswith="oracle_").delete()
    made = make_catalogue(specs, target_specs)
    add_figures(made, places, figure_specs)

    per_row_recompute()
    expected = snapshot()
    attainment_recompute()

    got = snapshot()
    assert ([r for r in got if r not in expected], [r for r in expected if r not in got]) == (
        [],
        [],
    )
