"""What one periodic report says, read from the dashboards' own selectors only.

The report's results are the dashboard's cards (`dashboards.selectors.division_overview`) of
the period's last month, approved rows only and the programmes in force by default, exactly
as the dashboard shows them for that month; the change on the previous period and on the
same period a year before compares the dashboard's numbers of those periods' last months, as
shown (rounded the dashboard's way), so a reader who subtracts the two printed numbers finds
the printed change. Completeness comes from the reports' board rule (`reports.selectors`),
the Tổ CNSCĐ's activity from the cards of the team indicators. Nothing here formats words:
`documents.narrative` writes the sentences.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from attainment.method import Status
from dashboards import selectors as dash
from divisions.levels import Level
from divisions.models import REORG_DATE, Division
from documents.models import PeriodicReport, ReportHeader
from documents.periods import ReportPeriod
from reports.models import Report, ReportStatus, due_date_for
from reports.selectors import reporting_units
from teams.figures import TEAM_INDICATORS

MET = {Status.ACHIEVED.value, Status.MET.value}
AT_RISK = {
    Status.NEEDS_ACCELERATION.value,
    Status.OFF_TRACK.value,
    Status.DETERIORATING.value,
    Status.NOT_MET.value,
    Status.NO_DATA.value,
}


def shown_value(card: dash.Card | None) -> Decimal | None:
    """The card's value rounded as the dashboard prints it (None without a figure)."""
    if card is None or card.actual is None:
        return None
    places = dash.decimals_for(card.indicator)
    return Decimal(card.actual).quantize(Decimal(1).scaleb(-places))


@dataclass
class Line:
    """One target (or monitored indicator) of the period with its comparisons."""

    card: dash.Card
    previous: dash.Card | None
    year_before: dash.Card | None

    @property
    def change_previous(self) -> Decimal | None:
        now, before = shown_value(self.card), shown_value(self.previous)
        return None if now is None or before is None else now - before

    @property
    def change_year(self) -> Decimal | None:
        now, before = shown_value(self.card), shown_value(self.year_before)
        return None if now is None or before is None else now - before


@dataclass
class PillarSection:
    label: str
    lines: list[Line]


@dataclass
class Completeness:
    """Monthly reports owed in the period and where they stand (the board's rule)."""

    owed: int = 0
    counts: Counter = field(default_factory=Counter)  # report status or "not_started"
    late: int = 0
    missing_units: list[str] = field(default_factory=list)  # units with a month not approved

    @property
    def approved(self) -> int:
        return self.counts.get(ReportStatus.APPROVED.value, 0)


@dataclass
class ReportData:
    division: Division
    period: ReportPeriod
    header: ReportHeader
    report: PeriodicReport
    pillars: list[PillarSection]
    monitoring: list[Line]
    results: list[Line]  # targets whose deadline passed within the period's year
    completeness: Completeness
    computed_at: dt.datetime | None

    @property
    def lines(self) -> list[Line]:
        return [line for p in self.pillars for line in p.lines]

    @property
    def met(self) -> list[Line]:
        return [line for line in self.lines + self.results if line.card.status in MET]

    @property
    def at_risk(self) -> list[Line]:
        return [line for line in self.lines + self.results if line.card.status in AT_RISK]

    @property
    def team_lines(self) -> list[Line]:
        every = self.lines + self.monitoring
        return [line for line in every if line.card.indicator.code in TEAM_INDICATORS]


def overview_at(division: Division, month: dt.date, *, every_programme: bool = False):
    """The dashboard's overview of one month, as its page shows it by default; with
    `every_programme`, the targets of every programme (a comparison month may come before a
    programme in force now was issued, and its row still is the value to compare with)."""
    return dash.division_overview(
        division=division,
        period=month,
        provisional=False,
        programmes=None if every_programme else dash.choose_programme(None, month),
    )


def _lines(cards: list[dash.Card], *others: dash.Overview) -> list[Line]:
    by_key = [{c.key: c for c in (o.cards + o.monitoring + o.result_cards)} for o in others]
    return [Line(c, by_key[0].get(c.key), by_key[1].get(c.key)) for c in cards]


def completeness(division: Division, period: ReportPeriod, today: dt.date) -> Completeness:
    """Reports owed by the unit (a commune) or by every reporting unit (the province) in the
    period's months up to last month, counted by status; late as on the reports board."""
    months = [m for m in period.months if m < today.replace(day=1)]
    result = Completeness()
    if not months:
        return result
    if division.level == Level.PROVINCE:
        # One query per structure the period spans (the units changed on 01/07/2025).
        owed = [
            (unit, m)
            for part in (
                [m for m in months if m < REORG_DATE],
                [m for m in months if m >= REORG_DATE],
            )
            if part
            for unit in reporting_units(period=part[-1])
            for m in part
        ]
    else:
        owed = [(division, m) for m in months if division.valid_in_month(m)]
    reports = {
        (r.division_id, r.period): r
        for r in Report.objects.filter(
            division__in={u.pk for u, _m in owed}, period__in=months
        ).only("division_id", "period", "status", "submitted_at")
    }
    missing: dict[int, str] = {}
    for unit, month in owed:
        report = reports.get((unit.pk, month))
        status = report.status if report else "not_started"
        result.counts[status] += 1
        submitted = report.submitted_at.date() if report and report.submitted_at else None
        pending = status in ("not_started", ReportStatus.DRAFT, ReportStatus.RETURNED)
        due = due_date_for(month)
        if (pending and today > due) or (submitted and submitted > due):
            result.late += 1
        if status != ReportStatus.APPROVED:
            missing.setdefault(unit.pk, unit.name)
    result.owed = len(owed)
    result.missing_units = list(missing.values())
    return result


def compose(report: PeriodicReport, header: ReportHeader, *, today: dt.date | None = None):
    """Everything the report states, for one unit and period (about 15 queries)."""
    division, period = report.division, report.period
    now = overview_at(division, period.last)
    previous = overview_at(division, period.previous.last, every_programme=True)
    year_before = overview_at(division, period.year_before.last, every_programme=True)
    pillars = [
        PillarSection(group.label, _lines(group.cards, previous, year_before))
        for group in now.groups
    ]
    ended = [c for g in now.results if g.year == period.year for c in g.cards]
    return ReportData(
        division=division,
        period=period,
        header=header,
        report=report,
        pillars=pillars,
        monitoring=_lines(now.monitoring, previous, year_before),
        results=_lines(ended, previous, year_before),
        completeness=completeness(division, period, today or timezone.localdate()),
        computed_at=now.computed_at,
    )
