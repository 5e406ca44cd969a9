"""Progress status against a target: the one place the method and its thresholds live.

The Open SDG method, adapted (DESIGN.md): compare the observed rate of change since the
baseline with the rate required to reach the target by its deadline.

    required = (target − baseline) / (deadline − baseline period)   [per month]
    observed = (actual − baseline) / (period − baseline period)       [per month]
    ratio    = observed / required

`ratio ≥ 0.95` on track, `≥ 0.6` needs acceleration, `≥ 0` off track, `< 0` deteriorating;
a met target is achieved whatever the rate. After the deadline the verdict is final: met or
not met, judged on the latest value at or before the deadline. Pure functions, no database:
the attainment job calls them for every row, the methodology page documents them, tests pin them.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

ON_TRACK = Decimal("0.95")
NEEDS_ACCELERATION = Decimal("0.6")
OFF_TRACK = Decimal("0")


class Status(enum.StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    NEEDS_ACCELERATION = "needs_acceleration"
    OFF_TRACK = "off_track"
    DETERIORATING = "deteriorating"
    NO_DATA = "no_data"
    MET = "met"
    NOT_MET = "not_met"


STATUS_LABELS = {
    Status.ACHIEVED: _("Đã đạt"),
    Status.ON_TRACK: _("Đúng tiến độ"),
    Status.NEEDS_ACCELERATION: _("Cần tăng tốc"),
    Status.OFF_TRACK: _("Chậm tiến độ"),
    Status.DETERIORATING: _("Đang đi xuống"),
    Status.NO_DATA: _("Chưa có số liệu"),
    Status.MET: _("Đạt (đã hết hạn)"),
    Status.NOT_MET: _("Không đạt (đã hết hạn)"),
}


def month_index(day: dt.date) -> int:
    """Months since year 0, so that differences of periods are whole months."""
    return day.year * 12 + day.month - 1


def month_from_index(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def is_met(actual: Decimal, target: Decimal, *, higher_is_better: bool) -> bool:
    return actual >= target if higher_is_better else actual <= target


@dataclass(frozen=True)
class Assessment:
    status: Status
    share_reached: Decimal | None
    projected_at_deadline: Decimal | None
    reached_in: dt.date | None
    rate_ratio: Decimal | None


def assess(
    *,
    actual: Decimal | None,
    period: dt.date,
    target: Decimal,
    deadline: dt.date,
    baseline: Decimal | None,
    baseline_period: dt.date | None,
    higher_is_better: bool,
) -> Assessment:
    """Status, share of target reached, projection and month reached for one figure.

    `period` is the month the actual value belongs to; `baseline` defaults to the actual value
    (no trend can be read then, so an unmet target is off track).
    """
    if actual is None:
        return Assessment(Status.NO_DATA, None, None, None, None)
    if baseline is None or baseline_period is None:
        baseline, baseline_period = actual, period
    met = is_met(actual, target, higher_is_better=higher_is_better)
    gap_total = target - baseline
    share = (
        (Decimal(1) if met else Decimal(0)) if gap_total == 0 else (actual - baseline) / gap_total
    )
    elapsed = month_index(period) - month_index(baseline_period)
    remaining = month_index(deadline) - month_index(period)
    # Each derived number is one division of exact terms (no rounded rate divided again):
    # a ratio of exactly 0.95 is on track, a target 3 months away is reached in 3, and the
    # set-based engine's SQL gives the same digits.
    change = actual - baseline
    projected = actual + change * remaining / elapsed if elapsed > 0 else actual
    reached_in = None
    if not met and elapsed > 0 and change != 0 and (target - actual) * change > 0:
        months = int(
            ((target - actual) * elapsed / change).to_integral_value(rounding="ROUND_CEILING")
        )
        # Beyond the calendar (year 9999) means "not in any meaningful time": no date.
        if month_index(period) + months <= month_index(dt.date.max):
            reached_in = month_from_index(month_index(period) + months)

    if period > deadline:
        return Assessment(Status.MET if met else Status.NOT_MET, share, None, None, None)
    if met:
        return Assessment(Status.ACHIEVED, share, projected, None, None)
    total_months = month_index(deadline) - month_index(baseline_period)
    if elapsed <= 0 or total_months <= 0 or gap_total == 0:
        # Met at baseline but not now means it slid back; with no trend yet it is off track.
        status = Status.DETERIORATING if gap_total == 0 else Status.OFF_TRACK
        return Assessment(status, share, projected, reached_in, None)
    # observed rate ÷ required rate = (change / elapsed) ÷ (gap / total months).
    ratio = change * total_months / (elapsed * gap_total)
    if ratio >= ON_TRACK:
        status = Status.ON_TRACK
    elif ratio >= NEEDS_ACCELERATION:
        status = Status.NEEDS_ACCELERATION
    elif ratio >= OFF_TRACK:
        status = Status.OFF_TRACK
    else:
        status = Status.DETERIORATING
    return Assessment(status, share, projected, reached_in, ratio)
