"""Reads of the catalogue for the pages (a fixed, small number of queries per page)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _

from targets.milestones import Milestone, yearly_milestones
from targets.models import (
    DivisionAggregation,
    Indicator,
    Pillar,
    Programme,
    ProgrammeGoal,
    ScopeLevel,
    Target,
)

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


def programmes() -> list[Programme]:
    """Every programme with its number of targets, in the catalogue's order (one query)."""
    # Meta.ordering does not apply to a GROUP BY query: order explicitly.
    programmes = Programme.objects.annotate(target_count=Count("targets"))
    return list(programmes.order_by(*Programme._meta.ordering))


def programme_goals(
    *, year: int | None = None, programme: str | None = None
) -> QuerySet[ProgrammeGoal]:
    goals = ProgrammeGoal.objects.select_related("programme")
    if programme:
        goals = goals.filter(programme__code=programme)
    return goals.filter(deadline_year=year) if year else goals


def catalogue_groups(
    *, year: int | None = None, level: int | None = None, programme: str | None = None
) -> list[PillarGroup]:
    """Active indicators grouped by pillar, each with `shown_targets` (two queries).

    With a year, only indicators with a target of that deadline year are listed; with a level,
    only indicators reported at that level, showing only the targets set for that level; with
    a programme, only that programme's targets. Every programme's target is its own line.
    """
    targets = Target.objects.select_related("programme").order_by(
        "deadline", "scope_level", "programme__position"
    )
    indicators = Indicator.objects.filter(is_active=True)
    if programme:
        targets = targets.filter(programme__code=programme)
    if year:
        targets = targets.filter(deadline__year=year)
    if level:
        targets = targets.filter(scope_level=level)
        indicators = indicators.filter(**{LEVEL_FLAG[ScopeLevel(level)]: True})
    if year or programme:
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
    """One indicator with every programme's targets (two queries); 404 for an unknown code."""
    return get_object_or_404(
        Indicator.objects.prefetch_related(
            Prefetch(
                "targets",
                queryset=Target.objects.select_related("programme").order_by(
                    "deadline", "scope_level", "programme__position"
                ),
            )
        ),
        code=code,
    )


@dataclass
class ProgrammeTargetRow:
    """A programme target with the milestones of its indicator and scope, 2026–2030."""

    target: Target
    milestones: list[Milestone]


def programme_get(*, code: str) -> tuple[Programme, list[ProgrammeTargetRow]]:
    """A programme, its targets (with their indicators) and yearly milestones (two queries)."""
    programme = get_object_or_404(Programme, code=code)
    targets = list(
        programme.targets.select_related("indicator").order_by(
            "indicator__pillar", "indicator__position", "scope_level", "deadline"
        )
    )
    for t in targets:
        t.programme = programme  # already loaded: no query per row
    series = yearly_milestones(targets)
    # One milestone row per indicator and scope, under its last target.
    last = {(t.programme_id, t.indicator_id, t.scope_level): t for t in targets}
    rows = [
        ProgrammeTargetRow(t, series[key] if last[key] is t else [])
        for t in targets
        for key in [(t.programme_id, t.indicator_id, t.scope_level)]
    ]
    return programme, rows


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
        "counting_window",
        "authoritative_level",
        "reports_province",
        "reports_district",
        "reports_commune",
        "position",
    )


@dataclass
class ReportingRow:
    """One indicator as the methodology page and docs/INDICATORS.md list it."""

    indicator: Indicator

    @property
    def authoritative(self) -> str:
        """Whose figure is the province's where several levels report."""
        ind = self.indicator
        levels = ind.reporting_levels
        if ind.division_aggregation == DivisionAggregation.NONE and len(levels) > 1:
            return str(_("mỗi cấp riêng"))
        if ind.authoritative_level and ind.authoritative_level < max(levels):
            return str(
                _("%(level)s (tổng các đơn vị khi thiếu)")
                % {"level": ind.get_authoritative_level_display()}
            )
        if levels == [ScopeLevel.PROVINCE]:
            return str(_("Cấp tỉnh"))
        return str(_("tổng các đơn vị"))

    @property
    def before_2025(self) -> str:
        return _reporters(self.indicator.reporting_levels, before=True)

    @property
    def since_2025(self) -> str:
        return _reporters(self.indicator.reporting_levels, before=False)


def _reporters(levels: list[int], *, before: bool) -> str:
    """Who enters the indicator's figures: until 06/2025 district-level units also reported
    for their communes; since 07/2025 commune-level units report directly to the province."""
    names = []
    if ScopeLevel.PROVINCE in levels:
        names.append(_("sở, ban, ngành (số liệu cấp tỉnh)"))
    if before and ScopeLevel.DISTRICT in levels:
        names.append(_("đơn vị cấp huyện (đến 06/2025)"))
    if ScopeLevel.COMMUNE in levels:
        before_label = _("cấp xã (qua báo cáo của huyện, đến 06/2025)")
        names.append(before_label if before else _("đơn vị cấp xã"))
    return "; ".join(str(n) for n in names) or "—"


def reporting_table() -> list[ReportingRow]:
    """Each active indicator: unit, window, authoritative level, who reports before and after
    the 2025 reorganisation (one query)."""
    return [ReportingRow(ind) for ind in indicator_rollup_table()]


def reporting_table_markdown() -> str:
    """docs/INDICATORS.md, from the catalogue (a test keeps the file equal to this)."""
    head = (
        "| code | indicator | unit | counting window | over time | over units | authoritative "
        "| reports until 06/2025 | reports since 07/2025 |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    with translation.override("vi"):
        for row in reporting_table():
            ind = row.indicator
            cells = (
                f"`{ind.code}`",
                ind.name_vi,
                ind.unit,
                ind.get_counting_window_display(),
                ind.get_time_aggregation_display(),
                ind.get_division_aggregation_display(),
                row.authoritative,
                row.before_2025,
                row.since_2025,
            )
            lines.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    intro = (
        "# Indicators: counting windows and who reports them\n\n"
        "Generated from the catalogue (`targets/catalogue/*.yaml`) by\n"
        "`python manage.py indicator_table > docs/INDICATORS.md`; a test keeps this file equal\n"
        "to the catalogue. The methodology page (`/targets/methodology/`) shows the same table.\n\n"
    )
    return intro + head + "\n".join(lines) + "\n"


def targets_for_export() -> QuerySet[Target]:
    return Target.objects.select_related("indicator", "programme").order_by(
        "programme__position", "indicator__pillar", "indicator__position", "deadline", "scope_level"
    )
