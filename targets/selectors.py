"""Reads of the catalogue for the pages (a fixed, small number of queries per page)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from targets.models import Indicator, Pillar, ProgrammeGoal, ScopeLevel, Target

LEVEL_FLAG = {
    ScopeLevel.PROVINCE: "reports_province",
    ScopeLevel.DISTRICT: "reports_district",
    ScopeLevel.COMMUNE: "reports_commune",
}


@dataclass
class PillarGroup:
    pillar: str
    label: str
    indicators: list[Indicator]


def deadline_years() -> list[int]:
    """The deadline years that have targets (for the filter), in one query."""
    return [d.year for d in Target.objects.dates("deadline", "year")]


def programme_goals(*, year: int | None = None) -> QuerySet[ProgrammeGoal]:
    goals = ProgrammeGoal.objects.all()
    return goals.filter(deadline_year=year) if year else goals


def catalogue_groups(*, year: int | None = None, level: int | None = None) -> list[PillarGroup]:
    """Active indicators grouped by pillar, each with `shown_targets` (two queries).

    With a year, only indicators with a target of that deadline year are listed; with a level,
    only indicators reported at that level, showing only the targets set for that level.
    """
    targets = Target.objects.order_by("deadline", "scope_level")
    indicators = Indicator.objects.filter(is_active=True)
    if year:
        targets = targets.filter(deadline__year=year)
    if level:
        targets = targets.filter(scope_level=level)
        indicators = indicators.filter(**{LEVEL_FLAG[ScopeLevel(level)]: True})
    if year:
        indicators = indicators.filter(pk__in=targets.values("indicator_id"))
    indicators = indicators.prefetch_related(
        Prefetch("targets", queryset=targets, to_attr="shown_targets")
    )
    by_pillar: dict[str, list[Indicator]] = {}
    for ind in indicators:
        by_pillar.setdefault(ind.pillar, []).append(ind)
    return [
        PillarGroup(value, label, by_pillar[value])
        for value, label in Pillar.choices
        if value in by_pillar
    ]


def indicator_get(*, code: str) -> Indicator:
    """One indicator with its targets (two queries); 404 when the code is unknown."""
    return get_object_or_404(
        Indicator.objects.prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by("deadline", "scope_level"))
        ),
        code=code,
    )


def indicator_rollup_table() -> QuerySet[Indicator]:
    """Every active indicator with how it is measured and rolled up (methodology page)."""
    return Indicator.objects.filter(is_active=True).only(
        "code",
        "name_vi",
        "name_en",
        "pillar",
        "unit",
        "measurement",
        "division_aggregation",
        "time_aggregation",
        "position",
    )


def targets_for_export() -> QuerySet[Target]:
    return Target.objects.select_related("indicator").order_by(
        "indicator__pillar", "indicator__position", "deadline", "scope_level"
    )
