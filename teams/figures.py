"""Team activities → monthly figures of the monitoring indicators, per commune.

Flows (households guided, accounts opened, ...) are sums of the month's activities; stocks (teams,
members) are counted at the month's last day. Everything is computed with a handful of grouped
SQL queries whatever the number of communes and months, and written through the one write path
for figures, `reports.services.data_values_upsert(source="teams")`.

Double counting: the team figure is stored with source "teams" next to any hand-typed "manual"
figure of the same indicator × commune × month; the reports app lets a manual figure of an
approved report win and shows which source was used.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from divisions.models import Division, DivisionSuccession
from divisions.services import primary_successors
from reports.services import FigureInput, data_values_upsert
from targets.models import Indicator
from teams.models import Activity, Member, PilotCommune, Team

# indicator code → Activity field summed over the month
FLOW_INDICATORS: dict[str, str] = {
    "households_guided": "households",
    "people_guided": "people",
    "dvctt_accounts_opened": "dvctt_accounts",
    "epayment_accounts_opened": "epayment_accounts",
    "ecommerce_sellers_onboarded": "ecommerce_sellers",
}
STOCK_INDICATORS = ("team_count", "team_member_count")
TEAM_INDICATORS = (*STOCK_INDICATORS, *FLOW_INDICATORS)
# District-level stock: pilot communes chosen by the month's end (target: ≥1 by 30/06/2023).
PILOT_INDICATOR = "pilot_communes"
SOURCE = "teams"
# Written on every team figure: explains where it comes from, and lets a stock fall (a team
# dissolved) without the figure service asking for a reason.
SYNC_NOTE = "Tính tự động từ hoạt động của Tổ CNSCĐ"
# The first month of the reporting window (Resolution 05-NQ/TU, 14/7/2022).
REPORTING_START = dt.date(2022, 7, 1)
# Conditional aggregates per query; keeps the SELECT list well inside database limits.
_PERIODS_PER_QUERY = 48


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(period: dt.date) -> dt.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of every month from `first`'s month to `last`'s month, inclusive."""
    result, current, stop = [], month_start(first), month_start(last)
    while current <= stop:
        result.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return result


def _teams_touching(commune_ids: Iterable[int] | None):
    """Teams that belong, or belonged before the 2025 change, to one of the communes."""
    teams = Team.objects.all()
    if commune_ids is not None:
        ids = list(commune_ids)
        teams = teams.filter(Q(commune_id__in=ids) | Q(former_commune_id__in=ids))
    return teams


def _default_scope(
    commune_ids: Iterable[int] | None, periods: Iterable[dt.date] | None
) -> tuple[list[int], list[dt.date]]:
    teams = _teams_touching(commune_ids)
    if commune_ids is None:
        pairs = teams.values_list("commune_id", "former_commune_id").distinct()
        commune_ids = {c for pair in pairs for c in pair if c}
    if periods is None:
        first = teams.aggregate(first=Min("decision_date"))["first"]
        periods = months_between(first, timezone.localdate()) if first else []
    return sorted(set(commune_ids)), sorted({month_start(p) for p in periods})


def _alive_on(prefix: str, day: dt.date) -> Q:
    """A team (reached through `prefix`) established by `day` and not dissolved by then."""
    return Q(**{f"{prefix}decision_date__lte": day}) & (
        Q(**{f"{prefix}dissolved_on__isnull": True}) | Q(**{f"{prefix}dissolved_on__gt": day})
    )


class _Attribution:
    """Which unit a team's month counts for: its former commune before its current commune
    started, the current commune from then on (`Team.commune_on`, month by month)."""

    def __init__(self, teams):

        current = Division.objects.filter(pk__in=teams.values("commune_id"))
        self.starts = dict(current.values_list("pk", "valid_from"))

    def unit(self, commune_id: int, former_id: int | None, period: dt.date) -> int:
        start = self.starts.get(commune_id)
        if former_id and start and period < start:
            return former_id
        return commune_id


def team_monthly_totals(
    *, commune_ids: Iterable[int] | None = None, periods: Iterable[dt.date] | None = None
) -> dict[tuple[int, dt.date], dict[str, int]]:
    """Monthly team figures per commune: {(commune_id, period): {indicator_code: value}}.

    A team counts in each month for the commune it belonged to then (`_Attribution`).
    `periods` are months (any day in the month; keyed by the first day). Without arguments:
    every commune that has (or had) a team, every month from the first team's decision to this
    month. The result is dense over the communes asked: each commune × period has every code,
    zero where nothing happened; months counting for other communes are left out.
    """
    communes, months = _default_scope(commune_ids, periods)
    totals: dict[tuple[int, dt.date], dict[str, int]] = {
        (c, p): dict.fromkeys(TEAM_INDICATORS, 0) for c in communes for p in months
    }
    if not totals:
        return totals
    teams = _teams_touching(communes)
    where = _Attribution(teams)

    def add(row: dict, prefix: str, period: dt.date, code: str, value) -> None:
        unit = where.unit(row[f"{prefix}commune_id"], row[f"{prefix}former_commune_id"], period)
        bucket = totals.get((unit, period))
        if bucket is not None:
            bucket[code] += value or 0

    _add_flows(teams, months, add)
    for start in range(0, len(months), _PERIODS_PER_QUERY):
        _add_stocks(teams, months[start : start + _PERIODS_PER_QUERY], add)
    return totals


def _add_flows(teams, months: list[dt.date], add) -> None:
    """The month's sums of the activities, grouped by the team's (commune, former commune)."""
    wanted = set(months)
    flows = (
        Activity.objects.filter(
            team__in=teams, date__gte=months[0], date__lte=month_end(months[-1])
        )
        .annotate(period=TruncMonth("date"))
        .values("team__commune_id", "team__former_commune_id", "period")
        .annotate(**{code: Sum(field) for code, field in FLOW_INDICATORS.items()})
    )
    for row in flows:
        period = row["period"]
        if isinstance(period, dt.datetime):  # some backends return a datetime
            period = period.date()
        if period in wanted:
            for code in FLOW_INDICATORS:
                add(row, "team__", period, code, row[code])


def _add_stocks(teams, chunk: list[dt.date], add) -> None:
    """Teams and members standing at each month's end: one conditional count per month."""
    team_counts = (
        teams.values("commune_id", "former_commune_id")
        .order_by()
        .annotate(
            **{
                f"p{i}": Count("pk", filter=_alive_on("", month_end(p)))
                for i, p in enumerate(chunk)
            }
        )
    )
    for row in team_counts:
        for i, p in enumerate(chunk):
            add(row, "", p, "team_count", row[f"p{i}"])
    member_counts = (
        Member.objects.filter(team__in=teams)
        .values("team__commune_id", "team__former_commune_id")
        .order_by()
        .annotate(
            **{
                f"p{i}": Count(
                    "pk",
                    filter=Q(joined_on__lte=month_end(p))
                    & (Q(left_on__isnull=True) | Q(left_on__gt=month_end(p)))
                    & _alive_on("team__", month_end(p)),
                )
                for i, p in enumerate(chunk)
            }
        )
    )
    for row in member_counts:
        for i, p in enumerate(chunk):
            add(row, "team__", p, "team_member_count", row[f"p{i}"])


def _valid_in(division, period: dt.date) -> bool:
    """The unit existed during the month (a merged commune gets no figures after its end)."""
    if division.valid_from and division.valid_from > month_end(period):
        return False
    return not (division.valid_to and division.valid_to < period)


def _primary_successors(commune_ids: Iterable[int]) -> dict[int, int]:
    """Old commune → the successor that continues its teams (`divisions.services`' rule:
    the largest share; on a tie the one keeping the old name, then the lowest code).

    Teams stay attached to the commune that set them up; after the 2025 reorganisation their
    work counts for the unit now in force there. A split commune's teams go to one successor
    (the source gives no way to tell which hamlet went where).
    """

    return primary_successors(commune_ids)


def _units_to_rewrite(commune_ids: Iterable[int]) -> set[int]:
    """The communes plus every unit whose months they share teams with: the other unit of each
    team touching them (current or former), the successors that continue them and every
    predecessor of those. A scoped sync reads every team of these units and writes only them,
    so a unit's month is always rewritten from all the teams that count for it."""

    ids = {c for c in commune_ids if c}
    pairs = _teams_touching(ids).values_list("commune_id", "former_commune_id").distinct()
    ids |= {c for pair in pairs for c in pair if c}
    ids |= set(_primary_successors(ids).values())
    predecessors = DivisionSuccession.objects.filter(successor_id__in=ids).values_list(
        "predecessor_id", flat=True
    )
    return ids | set(predecessors)


def _onto_units_in_force(
    totals: dict[tuple[int, dt.date], dict[str, int]],
) -> dict[tuple[int, dt.date], dict[str, int]]:
    """Move each month's totals of an ended commune onto its successor, summing merged ones."""

    units = Division.objects.in_bulk({c for c, _p in totals})
    ended = {c for c, p in totals if c in units and not _valid_in(units[c], p)}
    successor = _primary_successors(ended) if ended else {}
    merged: dict[tuple[int, dt.date], dict[str, int]] = {}
    for (commune_id, period), values in totals.items():
        target = commune_id
        if commune_id in ended and not _valid_in(units[commune_id], period):
            target = successor.get(commune_id)
            if target is None:
                continue
        bucket = merged.setdefault((target, period), {})
        for code, value in values.items():
            bucket[code] = bucket.get(code, 0) + value
    return merged


def team_figures_sync(
    *, commune_ids: Iterable[int] | None = None, periods: Iterable[dt.date] | None = None
) -> int:
    """Write the monthly team totals as "teams" figures; returns the number of rows sent.

    Indicators missing from the catalogue are skipped. Zero months are written too, so a
    corrected or deleted activity lowers the figure instead of leaving the old one behind.
    """
    codes = set(
        Indicator.objects.filter(code__in=TEAM_INDICATORS, is_active=True).values_list(
            "code", flat=True
        )
    )
    if not codes:
        return 0
    if commune_ids is not None:
        commune_ids = _units_to_rewrite(commune_ids)
    communes, months = _default_scope(commune_ids, periods)
    # Figures exist only inside the reporting window (07/2022 to this month).
    months = [m for m in months if REPORTING_START <= m <= month_start(timezone.localdate())]
    totals = team_monthly_totals(commune_ids=communes, periods=months) if months else {}
    if not totals:
        return 0
    merged = _onto_units_in_force(totals)
    divisions = Division.objects.in_bulk({c for c, _p in merged})
    rows = [
        FigureInput(
            indicator_code=code,
            division_code=divisions[commune_id].code,
            period=period,
            value=Decimal(value),
            note=SYNC_NOTE,
        )
        for (commune_id, period), values in sorted(merged.items())
        if commune_id in divisions
        and _valid_in(divisions[commune_id], period)
        and (commune_ids is None or commune_id in commune_ids)
        for code, value in values.items()
        if code in codes
    ]
    data_values_upsert(user=None, rows=rows, source=SOURCE)
    return len(rows)


def pilot_monthly_counts(
    *, district_ids: Iterable[int] | None = None, periods: Iterable[dt.date] | None = None
) -> dict[tuple[int, dt.date], int]:
    """Pilot communes chosen by each month's end, per district: {(district_id, period): n}.

    Without arguments: every district with a pilot commune, from the first choice to this month.
    One grouped query with a conditional count per month.
    """
    pilots = PilotCommune.objects.all()
    if district_ids is not None:
        pilots = pilots.filter(district_id__in=list(district_ids))
    if district_ids is None:
        district_ids = pilots.values_list("district_id", flat=True).distinct()
    if periods is None:
        first = pilots.aggregate(first=Min("chosen_on"))["first"]
        periods = months_between(first, timezone.localdate()) if first else []
    districts = sorted(set(district_ids))
    months = sorted({month_start(p) for p in periods})
    result = {(d, p): 0 for d in districts for p in months}
    for start in range(0, len(months), _PERIODS_PER_QUERY):
        chunk = months[start : start + _PERIODS_PER_QUERY]
        rows = (
            PilotCommune.objects.filter(district_id__in=districts)
            .values("district_id")
            .annotate(
                **{
                    f"p{i}": Count("pk", filter=Q(chosen_on__lte=month_end(p)))
                    for i, p in enumerate(chunk)
                }
            )
        )
        for row in rows:
            for i, p in enumerate(chunk):
                result[(row["district_id"], p)] = row[f"p{i}"]
    return result


def pilot_figures_sync(
    *, district_ids: Iterable[int] | None = None, periods: Iterable[dt.date] | None = None
) -> int:
    """Write the `pilot_communes` figures of districts (source "teams"); rows sent."""
    if not Indicator.objects.filter(code=PILOT_INDICATOR, is_active=True).exists():
        return 0
    counts = pilot_monthly_counts(district_ids=district_ids, periods=periods)
    this_month = month_start(timezone.localdate())
    counts = {k: v for k, v in counts.items() if REPORTING_START <= k[1] <= this_month}
    if not counts:
        return 0
    divisions = Division.objects.in_bulk({d for d, _p in counts})
    rows = [
        FigureInput(
            indicator_code=PILOT_INDICATOR,
            division_code=divisions[district_id].code,
            period=period,
            value=Decimal(value),
            note=SYNC_NOTE,
        )
        for (district_id, period), value in sorted(counts.items())
        if _valid_in(divisions[district_id], period)
    ]
    data_values_upsert(user=None, rows=rows, source=SOURCE)
    return len(rows)
