"""The methodology page (`/targets/methodology/`, name `targets:methodology`).

Units, roll-up rules and progress statuses with a worked example computed by the very function
the attainment job uses. It lives here, not in `targets`, because it reads `attainment.method`
(a higher app); `camau_cds.urls` mounts it under the targets namespace, so its address is kept.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from attainment import method as progress
from targets import selectors
from targets.models import (
    Comparator,
    DivisionAggregation,
    Measurement,
    Pillar,
    ScopeLevel,
    TargetKind,
    TimeAggregation,
)

# The worked example of the methodology page, computed with the very function the attainment
# job uses, so that the page cannot drift from the code.
EXAMPLE_BASELINE = Decimal("40")
EXAMPLE_BASELINE_PERIOD = dt.date(2022, 12, 1)
EXAMPLE_TARGET = Decimal("80")
EXAMPLE_DEADLINE = dt.date(2025, 12, 31)
EXAMPLE_PERIOD = dt.date(2023, 12, 1)
EXAMPLE_ACTUALS = (Decimal("82"), Decimal("55"), Decimal("49"), Decimal("42"), Decimal("38"))


def _worked_example() -> dict:
    months_total = progress.month_index(EXAMPLE_DEADLINE) - progress.month_index(
        EXAMPLE_BASELINE_PERIOD
    )
    months_elapsed = progress.month_index(EXAMPLE_PERIOD) - progress.month_index(
        EXAMPLE_BASELINE_PERIOD
    )
    required = (EXAMPLE_TARGET - EXAMPLE_BASELINE) / months_total
    rows = []
    for actual in EXAMPLE_ACTUALS:
        result = progress.assess(
            actual=actual,
            period=EXAMPLE_PERIOD,
            target=EXAMPLE_TARGET,
            deadline=EXAMPLE_DEADLINE,
            baseline=EXAMPLE_BASELINE,
            baseline_period=EXAMPLE_BASELINE_PERIOD,
            higher_is_better=True,
        )
        rows.append(
            {
                "actual": actual,
                "observed": (actual - EXAMPLE_BASELINE) / months_elapsed,
                "ratio": result.rate_ratio,
                "status": progress.STATUS_LABELS[result.status],
                "status_code": result.status.value,
            }
        )
    return {
        "baseline": EXAMPLE_BASELINE,
        "baseline_period": EXAMPLE_BASELINE_PERIOD,
        "target": EXAMPLE_TARGET,
        "deadline": EXAMPLE_DEADLINE,
        "period": EXAMPLE_PERIOD,
        "months_total": months_total,
        "months_elapsed": months_elapsed,
        "required": required,
        "rows": rows,
    }


@require_GET
def methodology(request: HttpRequest) -> HttpResponse:
    """Units, roll-up rules and progress statuses, with worked examples (one query)."""
    return render(
        request,
        "targets/methodology.html",
        {
            "measurements": Measurement.choices,
            "division_aggregations": DivisionAggregation.choices,
            "time_aggregations": TimeAggregation.choices,
            "comparators": Comparator.choices,
            "kinds": TargetKind.choices,
            "levels": ScopeLevel.choices,
            "pillars": dict(Pillar.choices),
            "reporting": selectors.reporting_table(),
            "thresholds": {
                "on_track": progress.ON_TRACK,
                "needs_acceleration": progress.NEEDS_ACCELERATION,
                "off_track": progress.OFF_TRACK,
            },
            "labels": {s.value: label for s, label in progress.STATUS_LABELS.items()},
            "example": _worked_example(),
        },
    )
