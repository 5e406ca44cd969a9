"""The progress method: hand-computed examples and properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from attainment.method import Status, assess

DEADLINE = dt.date(2025, 12, 1)
BASE = dt.date(2022, 7, 1)  # 41 months before the deadline month


def run(actual, period=dt.date(2024, 7, 1), target=D(100), baseline=D(20), higher=True, **kw):
    return assess(
        actual=actual,
        period=period,
        target=target,
        deadline=kw.get("deadline", DEADLINE),
        baseline=baseline,
        baseline_period=kw.get("baseline_period", BASE),
        higher_is_better=higher,
    )


def test_worked_example_of_the_methodology_page():
    # 20% in 07/2022, target 100% by 12/2025 (41 months): required 80/41 ≈ 1.951 pts/month.
    # 07/2024 (24 months later) at 60%: observed 40/24 ≈ 1.667 → ratio ≈ 0.854 → needs acceleration.
    a = run(D(60))
    assert a.status == Status.NEEDS_ACCELERATION
    assert round(a.rate_ratio, 3) == D("0.854")
    assert a.share_reached == D("0.5")
    # 17 months left at 1.667/month → 60 + 28.33 = 88.33 at the deadline.
    assert round(a.projected_at_deadline, 2) == D("88.33")
    # 40 points to go at 1.667/month = 24 months → 07/2026.
    assert a.reached_in == dt.date(2026, 7, 1)


def test_on_track_off_track_and_deteriorating():
    assert run(D(70)).status == Status.ON_TRACK
    assert run(D(30)).status == Status.OFF_TRACK
    assert run(D(10)).status == Status.DETERIORATING


def test_met_target_is_achieved_and_after_deadline_met_or_not():
    assert run(D(100)).status == Status.ACHIEVED
    assert run(D(100), period=dt.date(2026, 1, 1)).status == Status.MET
    assert run(D(99), period=dt.date(2026, 1, 1)).status == Status.NOT_MET


def test_no_figure_is_no_data():
    assert run(None).status == Status.NO_DATA


def test_lower_is_better_reduction_target():
    # Resolution time 10 days in 2022, target 7 days (−30%) by 2030.
    a = run(D(8), target=D(7), baseline=D(10), higher=False, deadline=dt.date(2030, 12, 1))
    assert a.status == Status.ON_TRACK
    assert run(D(11), target=D(7), baseline=D(10), higher=False).status == Status.DETERIORATING


def test_zero_baseline_is_handled():
    a = run(D(5), target=D(10), baseline=D(0))
    assert a.status in {Status.ON_TRACK, Status.NEEDS_ACCELERATION}
    assert a.share_reached == D("0.5")


def test_target_already_met_at_baseline():
    assert run(D(100), baseline=D(100)).status == Status.ACHIEVED
    assert run(D(95), baseline=D(100)).status == Status.DETERIORATING


def test_without_baseline_a_single_value_has_no_trend():
    a = assess(
        actual=D(50),
        period=dt.date(2024, 1, 1),
        target=D(100),
        deadline=DEADLINE,
        baseline=None,
        baseline_period=None,
        higher_is_better=True,
    )
    assert a.status == Status.OFF_TRACK and a.rate_ratio is None


values = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@given(actual=values, baseline=values, target=values)
def test_direction_symmetry(actual, baseline, target):
    # Mirroring every value around 0 and flipping the direction gives the same status.
    up = run(actual, target=target, baseline=baseline, higher=True)
    down = run(-actual, target=-target, baseline=-baseline, higher=False)
    assert up.status == down.status


@given(actual=values, baseline=values, target=values)
def test_met_figures_are_always_achieved(actual, baseline, target):
    a = run(actual, target=target, baseline=baseline)
    assert (a.status == Status.ACHIEVED) == (actual >= target)
