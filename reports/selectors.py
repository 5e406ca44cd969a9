"""Reads of the reports app: the entry grid, report lists, the completeness board, history.

Each function issues a fixed number of queries, whatever the number of communes or rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core import months as periods
from divisions.models import REORG_DATE, Division, Level
from reports.models import (
    DataValue,
    DataValueChange,
    Report,
    ReportStatus,
    ReportTransition,
    due_date_for,
)
from reports.models import Source as FigureSource
from reports.services import fmt_number
from targets.models import (
    DivisionAggregation,
    Frequency,
    Indicator,
    Measurement,
    Pillar,
)


def is_due(indicator: Indicator, period: dt.date) -> bool:
    """Quarterly indicators are reported in March, June, September, December; yearly ones in December."""
    if indicator.frequency == Frequency.QUARTERLY:
        return period.month % 3 == 0
    if indicator.frequency == Frequency.YEARLY:
        return period.month == 12
    return True


def entry_indicators(period: dt.date, level: int = Level.DISTRICT) -> list[Indicator]:
    """Indicators a reporting unit of `level` reports for the month, by pillar: the province
    its agencies' own figures, a district for itself and its communes, a commune (from
    07/2025) for itself."""
    if level == Level.PROVINCE:
        reported = Q(reports_province=True)
    elif level == Level.COMMUNE:
        reported = Q(reports_commune=True)
    else:
        reported = Q(reports_district=True) | Q(reports_commune=True)
    pillar_order = {p: n for n, p in enumerate(Pillar.values)}
    rows = [i for i in Indicator.objects.filter(reported, is_active=True) if is_due(i, period)]
    rows.sort(key=lambda i: (pillar_order.get(i.pillar, 99), i.position, i.code))
    return rows


def reporting_units(*, period: dt.date) -> QuerySet[Division]:
    """Units that send monthly reports in the period: the province (its agencies' own
    figures) in every month, district-level units before 07/2025, commune-level units
    directly under the province from 07/2025 (the structure in force)."""
    province = Division.objects.province()
    if province is None:
        return Division.objects.none()
    return (
        Division.objects.valid_on(period)
        .filter(
            Q(pk=province.pk)
            | Q(level=Level.DISTRICT)
            | Q(level=Level.COMMUNE, parent__level=Level.PROVINCE),
            path__startswith=province.path,
        )
        .order_by("path")
    )


def structure_label(period: dt.date) -> str:
    """Which administrative structure a period uses (shown on boards and dashboards)."""
    if period >= REORG_DATE:
        return _("Cơ cấu từ 01/07/2025")
    return _("Cơ cấu trước 01/07/2025")


def communes_of(district: Division, period: dt.date) -> list[Division]:
    return list(
        Division.objects.filter(parent=district, level=Level.COMMUNE)
        .valid_on(period)
        .order_by("name")
    )


def input_number(number: Decimal | None) -> str:
    """A number for an input box: decimal comma, no grouping (so it reads back exactly)."""
    if number is None:
        return ""
    text = format(number.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def short_number(number: Decimal | None) -> str:
    """For display: at most two decimals (the stored value keeps four)."""
    if number is None:
        return ""
    return fmt_number(number.quantize(Decimal("0.01")) if number % 1 else number)


@dataclass
class GridCell:
    indicator: Indicator
    division: Division
    value: DataValue | None = None
    previous: DataValue | None = None
    teams: DataValue | None = None  # the figure computed from Tổ CNSCĐ activities, if any
    errors: list[str] = field(default_factory=list)
    typed: dict[str, str] | None = None  # what the user typed, shown back with errors

    @property
    def is_ratio(self) -> bool:
        return self.indicator.measurement == Measurement.RATIO

    @property
    def name_prefix(self) -> str:
        return f"{self.indicator.code}__{self.division.code}"

    @property
    def version(self) -> int:
        return self.value.version if self.value else 0

    def _shown(self, name: str) -> str:
        if self.typed is not None:
            return self.typed.get(name, "")
        return input_number(getattr(self.value, name)) if self.value else ""

    @property
    def value_input(self) -> str:
        return self._shown("value")

    @property
    def numerator_input(self) -> str:
        return self._shown("numerator")

    @property
    def denominator_input(self) -> str:
        return self._shown("denominator")

    @property
    def value_display(self) -> str:
        return short_number(self.value.value) if self.value else ""

    @property
    def teams_display(self) -> str:
        return short_number(self.teams.value) if self.teams else ""

    @property
    def previous_display(self) -> str:
        return short_number(self.previous.value) if self.previous else ""


@dataclass
class GridRow:
    division: Division
    is_district: bool
    cells: list[GridCell | None]
    note: str = ""
    saved: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(c and c.errors for c in self.cells)


@dataclass
class TotalCell:
    indicator: Indicator
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None

    @property
    def display(self) -> str:
        return short_number(self.value)


@dataclass
class Grid:
    district: Division
    period: dt.date
    report: Report | None
    indicators: list[Indicator]
    rows: list[GridRow]
    totals: list[TotalCell | None]
    pillars: list[tuple[str, int]]

    def row_for(self, division_code: str) -> GridRow | None:
        return next((r for r in self.rows if r.division.code == division_code), None)

    @property
    def has_totals(self) -> bool:
        """A district's grid sums its communes; a unit reporting alone has nothing to sum."""
        return len(self.rows) > 1


def _applies(indicator: Indicator, division: Division, is_district: bool) -> bool:
    # By the unit's level: the province and, from 07/2025, a commune are their own reporting
    # units (the grid's only row) and report what their level reports.
    if division.level == Level.COMMUNE:
        return indicator.reports_commune
    if division.level == Level.PROVINCE:
        return indicator.reports_province
    return indicator.reports_district


def commune_totals(indicators: list[Indicator], rows: list[GridRow]) -> list[TotalCell | None]:
    """District totals computed from commune figures: sums, or ratio of summed parts."""
    totals: list[TotalCell | None] = []
    for col, ind in enumerate(indicators):
        if not ind.reports_commune or ind.division_aggregation == DivisionAggregation.NONE:
            totals.append(None)
            continue
        cells = [r.cells[col] for r in rows if not r.is_district and r.cells[col]]
        values = [c.value for c in cells if c.value is not None]
        if ind.division_aggregation == DivisionAggregation.RATIO_OF_SUMS and ind.measurement == (
            Measurement.RATIO
        ):
            num = sum((v.numerator for v in values if v.numerator is not None), Decimal(0))
            den = sum((v.denominator for v in values if v.denominator is not None), Decimal(0))
            pct = (num / den * 100).quantize(Decimal("0.01")) if den else None
            totals.append(TotalCell(ind, pct, num, den) if values else TotalCell(ind, None))
        else:
            known = [v.value for v in values if v.value is not None]
            totals.append(TotalCell(ind, sum(known, Decimal(0)) if known else None))
    return totals


def entry_grid(*, district: Division, period: dt.date) -> Grid:
    """The month's grid of a reporting unit: rows the unit (and a district's communes),
    columns the indicators its level reports. The province's grid holds the province alone:
    its agencies report the province's own figures, the communes report theirs.

    Five queries: communes, indicators, report, this and last month's figures (one query).
    """
    indicators = entry_indicators(period, district.level)
    communes = communes_of(district, period) if district.level == Level.DISTRICT else []
    report = Report.objects.filter(division=district, period=period).first()
    units = [district, *communes]
    prev = periods.previous_month(period)
    figures: dict[tuple[int, int, dt.date], DataValue] = {}
    team_figures: dict[tuple[int, int], DataValue] = {}
    if indicators:
        # One query for this and last month, both sources: the teams' figure is shown beside
        # the typed one so officers see what the Tổ CNSCĐ registry counted.
        for dv in DataValue.objects.filter(
            division__in=units, period__in=[period, prev], indicator__in=indicators
        ):
            if dv.source == FigureSource.MANUAL:
                figures[(dv.indicator_id, dv.division_id, dv.period)] = dv
            elif dv.period == period:
                team_figures[(dv.indicator_id, dv.division_id)] = dv
    rows = []
    for unit in units:
        is_district = unit.pk == district.pk
        cells: list[GridCell | None] = []
        for ind in indicators:
            if not _applies(ind, unit, is_district):
                cells.append(None)
                continue
            cells.append(
                GridCell(
                    ind,
                    unit,
                    value=figures.get((ind.pk, unit.pk, period)),
                    previous=figures.get((ind.pk, unit.pk, prev)),
                    teams=team_figures.get((ind.pk, unit.pk)),
                )
            )
        rows.append(GridRow(unit, is_district, cells))
    pillars: list[tuple[str, int]] = []
    for ind in indicators:
        label = ind.get_pillar_display()
        if pillars and pillars[-1][0] == label:
            pillars[-1] = (label, pillars[-1][1] + 1)
        else:
            pillars.append((label, 1))
    return Grid(
        district=district,
        period=period,
        report=report,
        indicators=indicators,
        rows=rows,
        totals=commune_totals(indicators, rows),
        pillars=pillars,
    )


def template_cells(*, units: list[Division], period: dt.date) -> list[GridCell]:
    """The cells of several reporting units' month grids, in grid order and without figures
    (`attach_figures` adds them): the rows and columns `entry_grid` gives each unit, by the
    same rules. One query for the indicators of each level present (three levels at most)
    and one for the districts' communes, whatever the number of units."""
    by_level = {level: entry_indicators(period, level) for level in {u.level for u in units}}
    districts = [u for u in units if u.level == Level.DISTRICT]
    communes: dict[int, list[Division]] = {}
    if districts:
        below = Division.objects.filter(parent__in=districts, level=Level.COMMUNE)
        for commune in below.valid_on(period).order_by("name"):
            communes.setdefault(commune.parent_id, []).append(commune)
    cells = []
    for unit in units:
        for division in (unit, *communes.get(unit.pk, ())):
            is_district = division.pk == unit.pk
            cells += [
                GridCell(ind, division)
                for ind in by_level[unit.level]
                if _applies(ind, division, is_district)
            ]
    return cells


def attach_figures(cells: list[GridCell], period: dt.date) -> None:
    """Each cell gets the month's typed figure, as in `entry_grid` (one query)."""
    if not cells:
        return
    figures = {
        (dv.indicator_id, dv.division_id): dv
        for dv in DataValue.objects.filter(
            division__in={c.division.pk for c in cells},
            indicator__in={c.indicator.pk for c in cells},
            period=period,
            source=FigureSource.MANUAL,
        )
    }
    for cell in cells:
        cell.value = figures.get((cell.indicator.pk, cell.division.pk))


# --------------------------------------------------------------------------------------------
# Lists, board, history
# --------------------------------------------------------------------------------------------


@dataclass
class BoardCell:
    district: Division
    period: dt.date
    report: Report | None
    due: dt.date
    late: bool

    @property
    def status(self) -> str:
        return self.report.status if self.report else "not_started"


def completeness_board(*, months: list[dt.date], today: dt.date) -> tuple[list, list[Division]]:
    """Districts × months with each report's status; late = not submitted by the due date."""
    units = list(reporting_units(period=months[-1] if months else today))
    reports = {
        (r.division_id, r.period): r
        for r in Report.objects.filter(division__in=units, period__in=months)
    }
    rows = []
    for unit in units:
        cells = []
        for month in months:
            report = reports.get((unit.pk, month))
            due = due_date_for(month)
            submitted_on = report.submitted_at.date() if report and report.submitted_at else None
            pending = report is None or report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)
            late = (pending and today > due) or bool(submitted_on and submitted_on > due)
            cells.append(BoardCell(unit, month, report, due, late))
        rows.append((unit, cells))
    return rows, units


def report_history(*, report: Report) -> tuple[list[ReportTransition], list[DataValueChange]]:
    transitions = list(report.transitions.select_related("by").order_by("at", "pk"))
    # By the report, not through the figures: a cleared cell's figure is gone, its history not.
    changes = list(
        DataValueChange.objects.filter(report=report)
        .select_related("changed_by", "indicator", "division")
        .order_by("-changed_at", "-pk")[:500]
    )
    return transitions, changes


def figure_history(*, data_value: DataValue) -> list[DataValueChange]:
    """The cell's history: this figure's changes and those of earlier figures of the same
    cell that were deleted when the cell was cleared."""
    cell = Q(data_value=data_value)
    if data_value.report_id is not None:
        cell |= Q(
            report_id=data_value.report_id,
            indicator_id=data_value.indicator_id,
            division_id=data_value.division_id,
            period=data_value.period,
            source=data_value.source,
        )
    return list(
        DataValueChange.objects.filter(cell)
        .select_related("changed_by")
        .order_by("-changed_at", "-pk")
    )
