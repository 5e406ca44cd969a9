"""Yearly milestones of a programme's targets: declared where the programme gives them, derived
(a straight line from the baseline, or from the previous declared target, to the deadline)
otherwise. Derived values are computed here for display only and are never stored as targets:
every page labels them `DERIVED_LABEL`.

Pure functions of the targets passed in: no database access.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from targets.models import Target

MILESTONE_YEARS = range(2026, 2031)
DERIVED_LABEL = _("lộ trình dự kiến (tự tính, không phải chỉ tiêu)")
DECLARED_LABEL = _("mục tiêu của chương trình")
_STEP = Decimal("0.01")


@dataclass(frozen=True)
class Milestone:
    year: int
    value: Decimal
    declared: bool
    # The programme target this year is declared by, or the one the path leads to.
    target: Target

    @property
    def label(self) -> str:
        return str(DECLARED_LABEL if self.declared else DERIVED_LABEL)


def expected_path(
    target: Target, year: int, *, start: tuple[int, Decimal] | None = None
) -> Decimal | None:
    """The value on a straight line from `start` (year, value) to the target at its deadline.

    `start` defaults to the target's own baseline (the year of its baseline period). None when
    there is no starting point, or the year is outside start year .. deadline year.
    """
    goal = target.resolved_value()
    if start is None and target.baseline_value is not None and target.baseline_period:
        start = (target.baseline_period.year, target.baseline_value)
    if goal is None or start is None:
        return None
    first_year, first_value = start
    last_year = target.deadline.year
    if not (first_year <= year <= last_year) or first_year == last_year:
        return None
    share = Decimal(year - first_year) / Decimal(last_year - first_year)
    return (first_value + (goal - first_value) * share).quantize(_STEP, ROUND_HALF_UP)


def _series(targets: list[Target], years: Iterable[int]) -> list[Milestone]:
    """Milestones of one programme's targets for one indicator and scope, sorted by deadline."""
    by_year = {t.deadline.year: t for t in targets}
    out: list[Milestone] = []
    for year in years:
        if (declared := by_year.get(year)) is not None:
            value = declared.resolved_value()
            if value is not None:
                out.append(Milestone(year, value, True, declared))
            continue
        following = [t for t in targets if t.deadline.year > year]
        if not following:
            continue  # no target after this year: nothing to head for
        ahead = following[0]
        before = [t for t in targets if t.deadline.year < year]
        start = None
        if before and (reached := before[-1].resolved_value()) is not None:
            start = (before[-1].deadline.year, reached)
        value = expected_path(ahead, year, start=start)
        if value is not None:
            out.append(Milestone(year, value, False, ahead))
    return out


def yearly_milestones(
    targets: Iterable[Target], years: Iterable[int] = MILESTONE_YEARS
) -> dict[tuple[int, int, int], list[Milestone]]:
    """Milestones per (programme, indicator, scope level): a programme's targets never mix
    with another programme's, even on the same indicator and deadline."""
    groups: dict[tuple[int, int, int], list[Target]] = defaultdict(list)
    for t in targets:
        groups[(t.programme_id, t.indicator_id, t.scope_level)].append(t)
    years = list(years)
    return {
        key: _series(sorted(group, key=lambda t: t.deadline), years)
        for key, group in groups.items()
    }
