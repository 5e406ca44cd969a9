"""The windowed recompute that follows a change (one unit, from one month on), set-based in
SQL and continuing each series from the stored rows of the month before, writes exactly the
rows a full recompute by the per-row engine writes after the same change — for generated
catalogues, targets, figures and the 2025 reorganisation with its successions. The per-row
windowed recompute (SQLite's path) is held to the same rows."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from attainment.engine import attainment_recompute, per_row_recompute
from attainment.models import Attainment
from reports.models import DataValue, Report, Source
from targets.models import (
    CountingWindow,
    Direction,
    DivisionAggregation,
    Indicator,
    Measurement,
    ScopeLevel,
    Target,
    TargetKind,
    TimeAggregation,
)
from tests.attainment.test_attainment import make_report
from tests.attainment.test_engine_oracle import (
    DEADLINES,
    MONTHS,
    add_figures,
    figures,
    indicators,
    make_catalogue,
    snapshot,
    targets,
    units,
)
from tests.reports.factories import DataValueFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db]

# One figure typed, changed or approved after the last full recompute: the unit and month
# the recompute it queues is scoped to.
changes = st.tuples(
    st.integers(0, 2),  # indicator
    st.integers(0, 7),  # unit
    st.integers(0, 11),  # month
    st.integers(0, 300),  # value (numerator)
    st.integers(0, 40),  # denominator offset
    st.sampled_from(("approved", "submitted", "teams")),
)


def apply_change(made, places, change) -> tuple:
    """Type the changed figure (into the unit-month's report if it has one); returns the
    unit and month the recompute is scoped to."""
    ind_no, unit_no, month, number, extra, status = change
    ind, unit, period = made[ind_no % len(made)], places[unit_no], MONTHS[month]
    source = Source.TEAMS if status == "teams" else Source.MANUAL
    report = None
    if source == Source.MANUAL:
        report = Report.objects.filter(division=unit, period=period).first()
        report = report or make_report(division=unit, period=period, status=status)
    values = {"value": number}
    if ind.measurement == Measurement.RATIO:
        values = {"numerator": number, "denominator": number + extra, "value": 0}
    DataValue.objects.filter(indicator=ind, division=unit, period=period, source=source).delete()
    DataValueFactory(
        indicator=ind, division=unit, period=period, report=report, source=source, **values
    )
    return unit, period


def windowed_rows(recompute, *, division, period_from) -> list[tuple]:
    recompute(division=division, period_from=period_from)
    return snapshot()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(specs=indicators, target_specs=targets, figure_specs=figures, change=changes)
# A year-to-date ratio continued across a new year by the province, whose own figure replaces
# its districts' sum; a 2024 deadline judged before the window.
@example(
    specs=[
        {
            "measurement": Measurement.RATIO,
            "time_aggregation": TimeAggregation.SUM,
            "counting_window": CountingWindow.YEAR_TO_DATE,
            "division_aggregation": DivisionAggregation.RATIO_OF_SUMS,
            "direction": Direction.HIGHER,
            "levels": {1, 2, 3},
            "authoritative_level": 1,
        }
    ],
    target_specs=[(0, ScopeLevel.PROVINCE, TargetKind.ABSOLUTE, 80, None, None, DEADLINES[0])],
    figure_specs=[
        (0, 0, 1, 30, 10, "approved"),
        (0, 2, 2, 50, 0, "approved"),
        (0, 7, 3, 20, 5, "approved"),
        (0, 4, 9, 7, 3, "teams"),
    ],
    change=(0, 7, 5, 40, 2, "approved"),
)
def test_windowed_rows_equal_a_full_per_row_recompute(
    reorganised, specs, target_specs, figure_specs, change
):
    Attainment.objects.all().delete()
    DataValue.objects.all().delete()
    Report.objects.all().delete()
    Target.objects.all().delete()
    Indicator.objects.filter(code__startswith="oracle_").delete()
    made = make_catalogue(specs, target_specs)
    places = units(reorganised)
    add_figures(made, places, figure_specs)
    per_row_recompute()
    unit, period = apply_change(made, places, change)

    got = windowed_rows(attainment_recompute, division=unit, period_from=period)
    per_row_recompute()
    expected = snapshot()
    assert ([r for r in got if r not in expected], [r for r in expected if r not in got]) == (
        [],
        [],
    )
    # The per-row windowed recompute, from the same stored rows before the window.
    assert windowed_rows(per_row_recompute, division=unit, period_from=period) == expected
