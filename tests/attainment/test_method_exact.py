"""The progress method on exact terms: a rate that meets a threshold exactly meets it, and a
target a whole number of months away is reached in that many months (no rounded rate divided
again)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from attainment.method import Status, assess


def test_a_ratio_of_exactly_095_is_on_track():
    # 19 in 3 months where 20 in 3 months are required: 0.95 of the required rate.
    result = assess(
        actual=D(19),
        period=dt.date(2025, 4, 1),
        target=D(20),
        deadline=dt.date(2025, 4, 30),
        baseline=D(0),
        baseline_period=dt.date(2025, 1, 1),
        higher_is_better=True,
    )
    assert result.status == Status.ON_TRACK
    assert result.rate_ratio == D("0.95")


def test_a_target_six_months_away_at_the_observed_rate_is_reached_in_six():
    # 1 in the 3 months since the baseline; 2 more to go at that rate: six more months.
    result = assess(
        actual=D(1),
        period=dt.date(2025, 12, 1),
        target=D(3),
        deadline=dt.date(2030, 12, 31),
        baseline=D(0),
        baseline_period=dt.date(2025, 9, 1),
        higher_is_better=True,
    )
    assert result.reached_in == dt.date(2026, 6, 1)
    assert result.projected_at_deadline == D(21)
