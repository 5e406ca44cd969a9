"""One file over 500 lines: the full and the windowed recompute share the series, roll-up and row code.

The attainment engine: approved figures → attainment rows, set-based.

1. One GROUP BY per (figure level, target level) pair sums values, numerators and
   denominators of the counted figures up the division tree in the database
   (commune → district → province), as each indicator declares (sum, ratio of sums, none).
2. The monthly series of each indicator × division is aggregated over time as declared
   (sum of months, latest value, average of the year's months).
3. `attainment.method.assess` turns each row into status, share reached and projection.
4. Rows in scope are replaced in one transaction (delete + COPY of tuples): idempotent, safe
   to retry, and one recompute at a time whatever its scope (one advisory writer lock on
   PostgreSQL: every scoped recompute rewrites its province's rows too).

A recompute from a month on (what an approval queues) reads only the figures from that month
and continues each series from the stored row of the month before (its seed); the nightly
full recompute reads everything. On PostgreSQL both run set-based in the database
(`attainment.sql_engine`, one statement, the windowed one with its seeds); the per-row build
here is their reference (`per_row_recompute`, full or windowed, compared by property tests)
and runs everything on SQLite.

Counted figures: manual figures of approved reports (plus submitted ones for the provisional
rows) and figures derived from team activities; for one cell a manual figure wins over the
team-derived one (no double counting).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Exists, F, Max, Min, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from attainment.method import assess, month_from_index, month_index
from attainment.models import Attainment
from attainment.sql_engine import Window, sql_recompute
from core import months as periods
from core.bulk_sql import copy_rows, db_datetime
from divisions.models import PATH_SEPARATOR, Division, DivisionSuccession
from reports.models import DataValue, RecomputeRequest, Report, ReportStatus, Source
from targets.models import (
    CountingWindow,
    Direction,
    DivisionAggregation,
    Indicator,
    Measurement,
    ScopeLevel,
    Target,
    TimeAggregation,
)

HUNDRED = Decimal(100)
ENGINE_INDICATOR_FIELDS = (
    "measurement",
    "time_aggregation",
    "counting_window",
    "authoritative_level",
    "division_aggregation",
    "direction",
    "reports_province",
    "reports_district",
    "reports_commune",
)
ENGINE_TARGET_FIELDS = (
    "indicator",
    "scope_level",
    "kind",
    "value",
    "baseline_value",
    "baseline_period",
    "deadline",
)
# The attainment columns whose statistics the planner reads (filters, joins, sorts).
ANALYZED = (
    "indicator",
    "division",
    "period",
    "provisional",
    "target",
    "target_key",
    "status",
)
# ORM paths from a figure's division to its ancestor `n` levels up (levels are fixed).
ANCESTOR = {0: "division_id", 1: "division__parent_id", 2: "division__parent__parent_id"}
ANCESTOR_LEVEL = {1: "division__parent__level", 2: "division__parent__parent__level"}


# Attainment rows travel as tuples in this column order, from the build straight to COPY:
# model instances and bulk_create's per-field compile cost more than the database's work.
ROW_COLUMNS = (
    "indicator_id",
    "target_id",
    "target_key",
    "division_id",
    "period",
    "provisional",
    "actual",
    "numerator",
    "denominator",
    "data_period",
    "target_value",
    "share_reached",
    "status",
    "projected_value",
    "judged_value",
    "reached_in",
    "rate_ratio",
    "sources",
    "reconstructed",
    "computed_at",
    "baseline_value",
    "baseline_period",
)
Row = tuple  # one attainment row, in ROW_COLUMNS order
_DIV, _PERIOD, _TKEY = 3, 4, 2
_NUMBERS = slice(6, 9)  # actual, numerator, denominator


SIX_PLACES = Decimal("0.000001")


def as_stored(x: Decimal | None) -> Decimal | None:
    """A number as an attainment column stores it (6 decimal places).

    Every number a later recompute continues from (a series' totals, a baseline, the value
    judged at a deadline) is rounded here first, in the full recompute too: both paths then
    compute with the same digits and write identical rows."""
    return None if x is None else x.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


@dataclass
class RecomputeResult:
    rows: int = 0
    indicators: int = 0
    seconds: float = 0.0


def counted_figures(*, provisional: bool) -> QuerySet[DataValue]:
    """Figures that count: approved (and, if provisional, submitted) manual ones, and
    team-derived ones where no counted manual figure exists for the same cell."""
    statuses = [ReportStatus.APPROVED] + ([ReportStatus.SUBMITTED] if provisional else [])
    manual = Q(source=Source.MANUAL, report__status__in=statuses)
    shadowed = Exists(
        DataValue.objects.filter(
            indicator=OuterRef("indicator"),
            division=OuterRef("division"),
            period=OuterRef("period"),
            source=Source.MANUAL,
            report__status__in=statuses,
        )
    )
    return DataValue.objects.filter(manual | (Q(source=Source.TEAMS) & ~shadowed))


def level_pairs(indicator: Indicator) -> list[tuple[int, int]]:
    """(figure level, row level) pairs this indicator rolls up through."""
    levels = indicator.reporting_levels
    if not levels:
        return []
    if indicator.division_aggregation == DivisionAggregation.NONE:
        return [(lv, lv) for lv in levels]
    lowest = max(levels)
    return [(lowest, target_level) for target_level in range(1, lowest + 1)]


def own_level(indicator: Indicator) -> int | None:
    """The level whose own figure, in a month it is given, replaces the roll-up of the units
    below it (the catalogue's authoritative level: a province's own figure from its agencies
    instead of the sum of its districts). None when the roll-up is always used."""
    level = indicator.authoritative_level
    levels = indicator.reporting_levels
    if (
        level is None
        or indicator.division_aggregation == DivisionAggregation.NONE
        or level not in levels
        or level >= max(levels)
    ):
        return None
    return level


def _overlay(series: dict, own: dict) -> None:
    """Months with an authoritative own figure take it instead of the units' roll-up."""
    for key, months in own.items():
        series[key].update(months)


def _add(a: tuple | None, b: tuple) -> tuple:
    """Sum two (value, numerator, denominator, sources) tuples of one month."""
    if a is None:
        return b
    sources = a[3] if a[3] == b[3] else _merge_sources(a[3], b[3])
    return (_plus(a[0], b[0]), _plus(a[1], b[1]), _plus(a[2], b[2]), sources)


def _plus(x, y):
    return y if x is None else x if y is None else x + y


def _merge_sources(a: str, b: str) -> str:
    return "+".join(s for s in ("manual", "teams") if s in f"{a}+{b}")


def _monthly_sums(
    *,
    indicators: list[Indicator],
    provisional: bool,
    division_ids: set[int] | None,
    windows: dict[int, dt.date] | None = None,
) -> dict[tuple[int, int], dict[dt.date, tuple]]:
    """(indicator id, division id) → {month: (value, numerator, denominator, sources)}.

    A figure rolls up to the ancestor at the row's level, whatever the distance: an old
    commune reaches the province through its district (two steps), a commune of the 2025
    structure directly (one step). Each pass filters on the ancestor's level, so a province
    is never counted as a district. `windows` (indicator id → first month) limits the months
    read, for a recompute seeded from the stored rows before them.

    A full recompute lets the database roll up level by level (one GROUP BY per level pair:
    fewer rows to transfer). A windowed one reads few figures: one GROUP BY on the figures'
    own units and the roll-up in Python (`_window_sums`), a query instead of about ten.
    """
    if windows:
        return _window_sums(
            indicators=indicators,
            provisional=provisional,
            division_ids=division_ids,
            windows=windows,
        )
    # (figure level, row level, own figures of an authoritative level?) → indicator ids.
    pairs: dict[tuple[int, int, bool], list[int]] = defaultdict(list)
    for ind in indicators:
        for pair in level_pairs(ind):
            pairs[(*pair, False)].append(ind.pk)
        if (own := own_level(ind)) is not None:
            pairs[(own, own, True)].append(ind.pk)
    base = counted_figures(provisional=provisional)
    series: dict[tuple[int, int], dict[dt.date, tuple]] = defaultdict(dict)
    own_series: dict[tuple[int, int], dict[dt.date, tuple]] = defaultdict(dict)
    for (fig_level, row_level, is_own), ids in pairs.items():
        into = own_series if is_own else series
        steps = [0] if fig_level == row_level else range(1, fig_level - row_level + 1)
        for up in steps:
            key = ANCESTOR[up]
            qs = base.filter(indicator_id__in=ids, division__level=fig_level)
            if up:
                qs = qs.filter(**{ANCESTOR_LEVEL[up]: row_level})
            if division_ids is not None:
                qs = qs.filter(**{f"{key}__in": division_ids})
            # Tuples, and the sources as the least and greatest source of the group ("manual"
            # < "teams"): no per-row dict or count conversion for hundreds of thousands of rows.
            rows = (
                qs.values_list("indicator_id", "period", F(key))
                .annotate(
                    v=Sum("value"),
                    n=Sum("numerator"),
                    d=Sum("denominator"),
                    src_min=Min("source"),
                    src_max=Max("source"),
                )
                .order_by()
            )
            for ind_id, period, unit, v, n, d, src_min, src_max in rows:
                months = into[(ind_id, unit)]
                sources = src_min if src_min == src_max else f"{src_min}+{src_max}"
                months[period] = _add(months.get(period), (v, n, d, sources))
    _overlay(series, own_series)
    return series


def _window_sums(
    *,
    indicators: list[Indicator],
    provisional: bool,
    division_ids: set[int] | None,
    windows: dict[int, dt.date],
) -> dict[tuple[int, int], dict[dt.date, tuple]]:
    """`_monthly_sums` for windowed recomputes: the same series, from one read of the
    window's figures (with each unit's parent and grandparent) rolled up here."""
    # Per indicator: figure level → the row levels it rolls up to.
    route: dict[int, dict[int, list[int]]] = {}
    own = {ind.pk: own_level(ind) for ind in indicators}
    which = Q()
    by_window: dict[dt.date | None, list[int]] = defaultdict(list)
    for ind in indicators:
        route[ind.pk] = defaultdict(list)
        for fig_level, row_level in level_pairs(ind):
            route[ind.pk][fig_level].append(row_level)
        by_window[windows.get(ind.pk)].append(ind.pk)
    for window, ids in by_window.items():
        # An indicator without a window (nothing stored to continue from) is read whole.
        which |= Q(indicator_id__in=ids, **({"period__gte": window} if window else {}))
    # No filter on units: a scope always holds its province (an ancestor), whose rows sum the
    # whole window anyway; units outside the scope are skipped below. The figures come one by
    # one and the counting rule of `counted_figures` is applied here, per cell: a counted
    # manual figure, else the teams' figure (a plain read is cheaper than its NOT EXISTS).
    counted = {ReportStatus.APPROVED} | ({ReportStatus.SUBMITTED} if provisional else set())
    figures = DataValue.objects.filter(which).values_list(
        "indicator_id",
        "period",
        "division_id",
        "source",
        "report__status",
        "value",
        "numerator",
        "denominator",
        "division__level",
        "division__parent_id",
        "division__parent__level",
        "division__parent__parent_id",
        "division__parent__parent__level",
    )
    cells: dict[tuple[int, dt.date, int], tuple] = {}
    for figure in figures.order_by():
        if figure[3] == Source.MANUAL:
            if figure[4] in counted:
                cells[figure[:3]] = figure
        else:
            cells.setdefault(figure[:3], figure)
    series: dict[tuple[int, int], dict[dt.date, tuple]] = defaultdict(dict)
    own_series: dict[tuple[int, int], dict[dt.date, tuple]] = defaultdict(dict)
    for (ind_id, period, d0), (*_k, source, _s, v, n, d, l0, d1, l1, d2, l2) in cells.items():
        if l0 == own[ind_id]:
            if division_ids is None or d0 in division_ids:
                own_series[(ind_id, d0)][period] = (v, n, d, source)
            continue
        row_levels = route[ind_id].get(l0)
        if not row_levels:
            continue
        # The unit at each level above the figure's (levels are distinct along a path).
        at_level = {l2: d2, l1: d1, l0: d0}
        for row_level in row_levels:
            unit = at_level.get(row_level)
            if unit is None or (division_ids is not None and unit not in division_ids):
                continue
            months = series[(ind_id, unit)]
            months[period] = _add(months.get(period), (v, n, d, source))
    _overlay(series, own_series)
    return series


def _reconstruct(
    series: dict[tuple[int, int], dict[dt.date, tuple]], indicators: list[Indicator]
) -> dict[int, dt.date]:
    """Add to each successor unit, for the months before it started, its predecessors' figures
    × their share (values for sums; numerators and denominators for ratios). Returns
    successor id → the day it started: its rows before that day are reconstructed.

    Indicators that do not roll up over divisions (aggregation "none") are not reconstructed:
    a share of a non-additive figure means nothing.
    """
    links = list(
        DivisionSuccession.objects.values_list(
            "predecessor_id", "successor_id", "share", "effective_on"
        )
    )
    starts: dict[int, dt.date] = {}
    if not links:
        return starts
    additive = {i.pk for i in indicators if i.division_aggregation != DivisionAggregation.NONE}
    by_pred: dict[int, list[tuple[int, Decimal, dt.date]]] = defaultdict(list)
    for pred, succ, share, effective_on in links:
        by_pred[pred].append((succ, Decimal(1) if share is None else share, effective_on))
        starts[succ] = min(starts.get(succ, effective_on), effective_on)
    added: dict[tuple[int, int], dict[dt.date, tuple]] = defaultdict(dict)
    for (ind_id, div_id), months in list(series.items()):
        if ind_id not in additive or div_id not in by_pred:
            continue
        for succ, share, effective_on in by_pred[div_id]:
            target = added[(ind_id, succ)]
            for period, (v, n, d, src) in months.items():
                if period >= effective_on:
                    continue
                scaled = tuple(None if x is None else as_stored(x * share) for x in (v, n, d))
                target[period] = _add(target.get(period), (*scaled, src))
    for key, months in added.items():
        own = series[key]
        for period, values in months.items():
            own[period] = _add(own.get(period), values)
    return starts


def _ratio(n: Decimal | None, d: Decimal | None) -> Decimal | None:
    if n is None or not d:
        return None
    return n / d * HUNDRED


class Seed(NamedTuple):
    """A stored row of the month before a recompute's window: the series' state then."""

    period: dt.date
    actual: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    data_period: dt.date
    sources: str
    judged_value: Decimal | None
    baseline_value: Decimal | None
    baseline_period: dt.date | None


def time_series(
    indicator: Indicator,
    months: dict[dt.date, tuple],
    last: dt.date,
    *,
    seed: Seed | None = None,
) -> list[tuple[dt.date, Decimal | None, Decimal | None, Decimal | None, dt.date, str]]:
    """Aggregate one monthly series over time, month by month from its first month to `last`.

    With `seed` (the stored row of the month before `months` begin), the series continues
    from that row's totals instead of from its first month: the same result, reading only the
    window's figures. Returns (period, actual, numerator, denominator, data period, sources)
    per month.
    """
    if not months and seed is None:
        return []
    ratio = indicator.measurement == Measurement.RATIO
    how = indicator.time_aggregation
    ordered = sorted(months)
    out = []
    cum_v = cum_n = cum_d = Decimal(0)
    year_vals: dict[int, list[Decimal]] = defaultdict(list)
    latest = None
    first = ordered[0] if ordered else None
    if seed is not None:
        # Stored totals: a flow's running sum (its numerator and denominator for a ratio), a
        # stock's latest figure. An average restarts each year, so its window starts in January.
        if ratio:
            cum_n, cum_d = seed.numerator or Decimal(0), seed.denominator or Decimal(0)
        elif how == TimeAggregation.SUM:
            cum_v = seed.actual or Decimal(0)
        if seed.data_period is not None:
            latest = (seed.data_period, seed.actual, seed.numerator, seed.denominator, seed.sources)
        first = periods.next_month(seed.period)
    # Plain booleans: comparing the choice enums once per month showed in the profile.
    is_sum = how == TimeAggregation.SUM
    is_average = how == TimeAggregation.AVERAGE
    # A year's window starts again each January: sums from zero, and a latest figure of an
    # earlier year no longer counts (an average keeps its values per year anyway).
    yearly = indicator.counting_window == CountingWindow.YEAR_TO_DATE
    count = len(ordered)
    i = 0
    end = max(last, ordered[-1]) if ordered else last
    for idx in range(month_index(first), month_index(end) + 1):
        period = month_from_index(idx)
        if yearly and period.month == 1:
            cum_v = cum_n = cum_d = Decimal(0)
            latest = None
        if i < count and ordered[i] == period:
            v, n, d, src = months[period]
            latest = (period, v, n, d, src)
            cum_v += v or 0
            cum_n += n or 0
            cum_d += d or 0
            own = _ratio(n, d) if ratio else v
            if own is not None:
                year_vals[period.year].append(own)
            i += 1
        if latest is None:
            # Nothing counted in the window yet (a year's first months before any figure).
            out.append((period, None, None, None, None, ""))
            continue
        data_period, v, n, d, src = latest
        if is_sum:
            actual = _ratio(cum_n, cum_d) if ratio else cum_v
            n_out, d_out = (cum_n, cum_d) if ratio else (None, None)
        elif is_average:
            vals = year_vals.get(period.year) or []
            actual = sum(vals) / len(vals) if vals else None
            n_out = d_out = None
        else:
            actual = _ratio(n, d) if ratio else v
            n_out, d_out = n, d
        out.append((period, actual, n_out, d_out, data_period, src))
    return out


def _value_at_deadline(target: Target, aggregated: list[tuple], seed: Seed | None):
    """The value a target is judged on: the series at its deadline month, counted only when
    that value rests on a figure of the deadline's own year (a 2024 figure never decides a
    2025 target: that verdict is "no data for 2025")."""
    deadline_month = target.deadline.replace(day=1)
    if seed is not None and deadline_month <= seed.period:
        # The deadline lies before the window: its value is stored.
        if seed.period != deadline_month:
            return seed.judged_value
        at = (seed.period, seed.actual, seed.numerator, seed.denominator, seed.data_period)
    else:
        at = next((r for r in reversed(aggregated) if r[0] <= deadline_month), None)
    if at is None or at[4] is None or at[4].year != target.deadline.year:
        return None
    # As stored: a later recompute continuing from the stored row judges on the same value.
    return as_stored(at[1])


def _targets_for(indicator: Indicator, level: int) -> list[Target | None]:
    """Targets set for this level, else the province-wide ones as reference, else none."""
    own = [t for t in indicator.targets.all() if t.scope_level == level]
    if own:
        return own
    province = [t for t in indicator.targets.all() if t.scope_level == ScopeLevel.PROVINCE]
    return province or [None]


def targets_assessed_at(level: int) -> list[Target]:
    """The targets the engine assesses units of `level` against: for each active indicator
    with rows at that level, the level's own targets, else the province's as reference.
    From the catalogue alone (two queries), so a page listing them costs the same whatever
    the amount of data."""
    found: list[Target] = []
    for indicator in Indicator.objects.filter(is_active=True).prefetch_related(
        Prefetch("targets", Target.objects.select_related("indicator"))
    ):
        if any(row_level == level for _fig, row_level in level_pairs(indicator)):
            found += [t for t in _targets_for(indicator, level) if t is not None]
    return found


class RecomputeBusy(Exception):
    """Another recompute held the writer lock longer than `CDS_RECOMPUTE_LOCK_WAIT_SECONDS`:
    nothing was written; the caller retries (the outbox keeps a drain's work)."""


# Every recompute rewrites rows others write too (a scoped one its province's and district's,
# the full one everything): one writer at a time, whatever the scope.
WRITER_LOCK = int.from_bytes(hashlib.sha256(b"attainment:writer").digest()[:8], "big", signed=True)
LOCK_NOT_AVAILABLE = "55P03"


def _lock_writer() -> None:
    """Take the attainment writer lock (PostgreSQL advisory lock, released at commit),
    waiting at most `CDS_RECOMPUTE_LOCK_WAIT_SECONDS`; raise `RecomputeBusy` after that.

    SQLite has one writer per database anyway."""
    if connection.vendor != "postgresql":
        return
    wait_ms = int(settings.CDS_RECOMPUTE_LOCK_WAIT_SECONDS * 1000)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)",
                [f"{wait_ms}ms"],
            )
            before = cursor.fetchone()[0]
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITER_LOCK])
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise RecomputeBusy(str(exc)) from exc
        raise


class _Unit(NamedTuple):
    """What every row of one indicator × unit shares."""

    indicator_id: int
    division_id: int
    higher_is_better: bool
    start: dt.date | None  # a successor's first day: rows before it are reconstructed


class _Terms(NamedTuple):
    """What one target is assessed with, the same for every month of a unit's series."""

    goal: Decimal | None
    baseline: Decimal | None
    baseline_period: dt.date | None
    at_deadline: Decimal | None


def _build_rows(
    *,
    indicators: list[Indicator],
    provisional: bool,
    division_ids: set[int] | None,
    period_from: dt.date | None,
    last: dt.date,
    levels: dict[int, int],
    ends: dict[int, dt.date],
    now: dt.datetime,
    seeds: dict[tuple[int, int], dict[int, Seed]] | None = None,
    windows: dict[int, dt.date] | None = None,
) -> list[Row]:
    """Rows of `indicators` for the units in `levels`; with `seeds`/`windows`, series read
    only the window's figures and continue from the stored rows of the month before."""
    series = _monthly_sums(
        indicators=indicators, provisional=provisional, division_ids=division_ids, windows=windows
    )
    # A successor's rows before it started are its predecessors' roll-up, marked
    # reconstructed; a unit's rows stop with it (`ends`: a period uses the units valid then).
    starts = _reconstruct(series, indicators)
    by_id = {i.pk: i for i in indicators}
    seeds = seeds or {}
    targets_at: dict[tuple[int, int], list[Target | None]] = {}
    rows: list[Row] = []
    for ind_id, div_id in set(series) | set(seeds):
        if div_id is None or div_id not in levels or ind_id not in by_id:
            continue
        ind = by_id[ind_id]
        stored = seeds.get((ind_id, div_id), {})
        aggregated, shown = _unit_series(
            ind, series.get((ind_id, div_id), {}), stored, last, period_from, ends.get(div_id)
        )
        first_actual = next(((p, a) for p, a, *_ in aggregated if a is not None), None)
        level = levels[div_id]
        if (ind_id, level) not in targets_at:
            targets_at[(ind_id, level)] = _targets_for(ind, level)
        unit = _Unit(ind_id, div_id, ind.direction == Direction.HIGHER, starts.get(div_id))
        for target in targets_at[(ind_id, level)]:
            seed = stored.get(target.pk if target else 0)
            terms = _target_terms(target, aggregated, seed, first_actual)
            _append_target_rows(rows, unit, target, terms, shown, provisional=provisional, now=now)
    return rows


def _unit_series(
    indicator: Indicator,
    months: dict[dt.date, tuple],
    stored: dict[int, Seed],
    last: dt.date,
    period_from: dt.date | None,
    end: dt.date | None,
) -> tuple[list[tuple], list[tuple]]:
    """The series of one indicator × unit aggregated over time, and the months of it that
    get rows (from `period_from` on, up to the unit's `end`).

    The series continues from a stored row of the month before the window when there is one
    (all of a unit's seeds share the same numbers, whichever target they were stored for).
    The whole series is returned too: baselines and deadline values may lie before the
    rows written."""
    aggregated = time_series(
        indicator, months, last, seed=next(iter(stored.values())) if stored else None
    )
    shown = [
        r
        for r in aggregated
        if (period_from is None or r[0] >= period_from) and (end is None or r[0] <= end)
    ]
    return aggregated, shown


def _target_terms(
    target: Target | None,
    aggregated: list[tuple],
    seed: Seed | None,
    first_actual: tuple[dt.date, Decimal] | None,
) -> _Terms:
    """The goal, baseline and value at the deadline one target is assessed with.

    The baseline is the target's own when the catalogue sets one, else the one stored with
    the seed (the series' first figure may lie before the window), else the series' first
    figure."""
    goal = target.resolved_value() if target else None
    if target is not None and target.baseline_value is not None:
        base, base_period = target.baseline_value, target.baseline_period
    elif seed is not None and seed.baseline_period is not None:
        base, base_period = seed.baseline_value, seed.baseline_period
    else:
        # As stored: a recompute continuing from the stored row reads the rounded baseline.
        base_period, base = (
            (first_actual[0], as_stored(first_actual[1])) if first_actual else (None, None)
        )
    at_deadline = _value_at_deadline(target, aggregated, seed) if target else None
    return _Terms(goal, base, base_period, at_deadline)


def _append_target_rows(
    rows: list[Row],
    unit: _Unit,
    target: Target | None,
    terms: _Terms,
    shown: list[tuple],
    *,
    provisional: bool,
    now: dt.datetime,
) -> None:
    """Append the rows of one unit's `shown` months against one target (or none).

    The per-month loop builds each tuple inline and only calls `assess`: it runs once per
    stored row, and a helper call per month costs a visible share of a full recompute.
    """
    ind_id, div_id, higher, start = unit
    goal, base, base_period, at_deadline = terms
    target_id = target.pk if target else None
    target_key = target_id or 0
    assessed = target is not None and goal is not None
    deadline = target.deadline if assessed else None
    row_base = base if goal is not None else None
    row_base_period = base_period if goal is not None else None
    for period, actual, num, den, data_period, src in shown:
        status = share = projected = judged = reached_in = rate = None
        if assessed:
            after = period > deadline
            # Judged on the value as stored (6 places), as shown: a status never rests on
            # digits beyond them, so the set-based engine's SQL reaches the same verdicts.
            judged = at_deadline if after else as_stored(actual)
            result = assess(
                actual=judged,
                period=period,
                target=goal,
                deadline=deadline,
                baseline=base,
                baseline_period=base_period,
                higher_is_better=higher,
            )
            status = result.status.value
            share = result.share_reached
            projected = result.projected_at_deadline
            reached_in = result.reached_in
            rate = result.rate_ratio
            if not after:
                judged = None
        rows.append(
            (
                ind_id,
                target_id,
                target_key,
                div_id,
                period,
                provisional,
                actual,
                num,
                den,
                data_period,
                goal,
                share,
                status or "",
                projected,
                judged,
                reached_in,
                rate,
                src,
                start is not None
                and (period < start or (data_period is not None and data_period < start)),
                now,
                row_base,
                row_base_period,
            )
        )


def _same(a: Row, b: Row) -> bool:
    """Same numbers as stored (6 decimal places): a seeded series may differ beyond them."""
    return [None if x is None else x.quantize(SIX_PLACES) for x in a[_NUMBERS]] == [
        None if x is None else x.quantize(SIX_PLACES) for x in b[_NUMBERS]
    ]


class _Scope(NamedTuple):
    """The units a recompute rewrites."""

    levels: dict[int, int]  # unit id → level
    ends: dict[int, dt.date]  # unit id → its last day, for units that ended
    # The units the GROUP BYs are filtered on; None for a full recompute (no filter).
    division_ids: set[int] | None


def attainment_recompute(
    *,
    indicator_ids: Iterable[int] | None = None,
    division: Division | None = None,
    period_from: dt.date | None = None,
) -> RecomputeResult:
    """Recompute attainment rows, for everything or for what one change can affect.

    With `division`, only that unit's subtree and its ancestors are rewritten; with
    `period_from`, only periods from that month on (earlier ones cannot change: series are
    aggregated forward in time). Safe to call twice: the result is the same rows.

    On PostgreSQL the rows are computed set-based in the database (`attainment.sql_engine`);
    on SQLite they are built here, per unit.
    """
    set_based = connection.vendor == "postgresql"
    return _recompute(indicator_ids, division, period_from, set_based=set_based)


def per_row_recompute(
    indicator_ids: Iterable[int] | None = None,
    *,
    division: Division | None = None,
    period_from: dt.date | None = None,
) -> RecomputeResult:
    """A recompute built row by row here: the reference the set-based engine must equal
    (property tests compare the two, full and windowed)."""
    return _recompute(indicator_ids, division, period_from, set_based=False)


def _recompute(
    indicator_ids: Iterable[int] | None,
    division: Division | None,
    period_from: dt.date | None,
    *,
    set_based: bool,
) -> RecomputeResult:
    started = timezone.now()
    indicators = _load_catalogue(indicator_ids)
    last = _last_month()
    scope = _scope(division)
    now = db_datetime(timezone.now())
    written = _rewrite(
        indicators,
        division=division,
        scope=scope,
        period_from=period_from,
        last=last,
        now=now,
        set_based=set_based,
    )
    if division is None and connection.vendor == "postgresql":
        # Fresh statistics after a full rewrite, or the dashboards' plans go stale: of the
        # columns pages and the API filter, join and sort on (the others' statistics would
        # double the cost and serve no query).
        quote = connection.ops.quote_name
        columns = ", ".join(quote(Attainment._meta.get_field(f).column) for f in ANALYZED)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {quote(Attainment._meta.db_table)} ({columns})")
    seconds = (timezone.now() - started).total_seconds()
    return RecomputeResult(rows=written, indicators=len(indicators), seconds=seconds)


def _load_catalogue(indicator_ids: Iterable[int] | None) -> list[Indicator]:
    """The active indicators to recompute (all, or those of `indicator_ids`) with their
    targets, loading only the fields the engine reads."""
    return list(
        Indicator.objects.filter(is_active=True)
        .filter(**({"pk__in": list(indicator_ids)} if indicator_ids is not None else {}))
        # Only what the engine reads: the catalogue's texts would be most of the work of
        # loading it, a visible share of an incremental recompute.
        .only(*ENGINE_INDICATOR_FIELDS)
        .prefetch_related(Prefetch("targets", Target.objects.only(*ENGINE_TARGET_FIELDS)))
    )


def _last_month() -> dt.date:
    """The month every series runs to: the last complete month, or a later month some
    figure already exists for."""
    # One common last month, so a dashboard month never mixes carried and missing rows.
    latest_figure = DataValue.objects.aggregate(last=Max("period"))["last"]
    return max(filter(None, (periods.previous_month(periods.current_month()), latest_figure)))


def _scope(division: Division | None) -> _Scope:
    """The units rewritten: all of them, or `division`'s subtree, its ancestors and the
    successors of units in the subtree."""
    scope_qs = Division.objects.filter(level__lte=3)
    if division is not None:
        # Ancestors by path (codes are reused across structures), and the successors of units
        # in the subtree: their reconstructed rows come from these figures.
        codes = [c for c in division.path.split(PATH_SEPARATOR) if c]
        ancestors = [PATH_SEPARATOR.join(codes[:i]) + PATH_SEPARATOR for i in range(1, len(codes))]
        successors = DivisionSuccession.objects.filter(
            predecessor__path__startswith=division.path
        ).values("successor_id")
        scope_qs = scope_qs.filter(
            Q(path__startswith=division.path) | Q(path__in=ancestors) | Q(pk__in=successors)
        )
    scope = list(scope_qs.values_list("pk", "level", "valid_to"))
    levels = {pk: level for pk, level, _end in scope}
    ends = {pk: end for pk, _level, end in scope if end is not None}
    # The GROUP BYs are filtered on the unit a row belongs to (the figure's ancestor at the
    # row's level), so an ancestor in scope still sums every figure below it, while units
    # outside the scope are neither aggregated nor built. The predecessors of units in scope
    # are read too (not rewritten): a series read whole starts with their reconstructed
    # months, as in a full recompute.
    division_ids = set(levels) | _predecessors(set(levels)) if division is not None else None
    return _Scope(levels, ends, division_ids)


def _predecessors(units: set[int]) -> set[int]:
    """Every unit the `units` continue, directly or through other successions."""
    before: dict[int, set[int]] = defaultdict(set)
    for predecessor, successor in DivisionSuccession.objects.values_list(
        "predecessor_id", "successor_id"
    ):
        before[successor].add(predecessor)
    found: set[int] = set()
    todo = [u for u in units if u in before]
    while todo:
        for predecessor in before[todo.pop()] - found:
            found.add(predecessor)
            todo.append(predecessor)
    return found


def _rewrite(
    indicators: list[Indicator],
    *,
    division: Division | None,
    scope: _Scope,
    period_from: dt.date | None,
    last: dt.date,
    now: dt.datetime,
    set_based: bool = False,
) -> int:
    """Replace the rows in scope under the scope's advisory lock: delete the stale rows,
    build the new ones (in the database when `set_based`, else batch by batch here and COPY
    them). Returns the number of rows written."""
    levels = scope.levels
    written = 0
    # No savepoint of its own: inside the outbox drain's transaction a failure rolls both back.
    with transaction.atomic(savepoint=False):
        _lock_writer()
        stale = Attainment.objects.filter(indicator_id__in=[i.pk for i in indicators])
        if division is not None:
            stale = stale.filter(division_id__in=list(levels))
        if period_from is not None:
            stale = stale.filter(period__gte=period_from)
        stale.delete()
        # Provisional rows can only differ from approved ones while a report waits for review.
        any_submitted = Report.objects.filter(status=ReportStatus.SUBMITTED).exists()
        if set_based:
            window = None
            if division is not None or period_from is not None:
                starts = _window_starts(indicators, period_from, scope) if period_from else {}
                scope_ids = list(levels) if division is not None else None
                read = list(scope.division_ids) if scope.division_ids is not None else None
                window = Window(scope_ids, period_from, starts, read)
            return _set_based(
                indicators, any_submitted=any_submitted, last=last, now=now, window=window
            )
        windows, seeds = (
            _seeds(indicators, period_from, scope) if period_from is not None else (None, None)
        )
        # A full recompute goes one indicator at a time: a few GROUP BY queries each, and only
        # that indicator's rows in memory (all indicators at 10x the province would need about
        # 1 GB). A scoped one is small: all indicators in the same few queries.
        batches = [indicators] if division is not None else [[i] for i in indicators]
        for batch in batches:
            rows = _rows_for(
                indicators=batch,
                any_submitted=any_submitted,
                division_ids=scope.division_ids,
                period_from=period_from,
                last=last,
                levels=levels,
                ends=scope.ends,
                now=now,
                seeds=seeds,
                windows=windows,
            )
            written += copy_rows(Attainment, ROW_COLUMNS, rows)
    return written


def _set_based(
    indicators: list[Indicator],
    *,
    any_submitted: bool,
    last: dt.date,
    now: dt.datetime,
    window: Window | None,
) -> int:
    """A recompute in the database (full, or the `window`'s): the catalogue resolved here with
    the same helpers as the per-row build (routes, targets per level), the rows computed and
    written there."""
    meta = [
        (
            ind.pk,
            ind.measurement == Measurement.RATIO,
            str(ind.time_aggregation),
            ind.counting_window == CountingWindow.YEAR_TO_DATE,
            ind.direction == Direction.HIGHER,
            ind.division_aggregation != DivisionAggregation.NONE,
        )
        for ind in indicators
    ]
    routes = []
    targets = []
    for ind in indicators:
        routes += [(ind.pk, fig, row, False) for fig, row in level_pairs(ind)]
        if (own := own_level(ind)) is not None:
            routes.append((ind.pk, own, own, True))
        for level in (1, 2, 3):
            for t in _targets_for(ind, level):
                targets.append(
                    (ind.pk, level, None, None, None, None, None)
                    if t is None
                    else (
                        ind.pk,
                        level,
                        t.pk,
                        t.resolved_value(),
                        t.baseline_value,
                        t.baseline_period,
                        t.deadline,
                    )
                )
    return sql_recompute(
        meta=meta,
        routes=routes,
        targets=targets,
        columns=ROW_COLUMNS,
        any_submitted=any_submitted,
        last=last,
        now=now,
        window=window,
    )


def _rows_for(
    *,
    indicators: list[Indicator],
    any_submitted: bool,
    division_ids: set[int] | None,
    period_from: dt.date | None,
    last: dt.date,
    levels: dict[int, int],
    ends: dict[int, dt.date],
    now: dt.datetime,
    seeds: dict[tuple[int, int], dict[int, Seed]] | None,
    windows: dict[int, dt.date] | None,
) -> list[Row]:
    """Approved rows of the indicators, plus provisional rows where they differ.

    Only approved rows are stored as seeds, so the provisional pass reads its series whole.
    """
    common = {
        "indicators": indicators,
        "division_ids": division_ids,
        "period_from": period_from,
        "last": last,
        "levels": levels,
        "ends": ends,
        "now": now,
    }
    approved = _build_rows(provisional=False, seeds=seeds, windows=windows, **common)
    if not any_submitted:
        return approved
    approved_index = {(r[0], r[_DIV], r[_PERIOD], r[_TKEY]): r for r in approved}
    provisional = [
        r
        for r in _build_rows(provisional=True, **common)
        if (key := (r[0], r[_DIV], r[_PERIOD], r[_TKEY])) not in approved_index
        or not _same(r, approved_index[key])
    ]
    return approved + provisional


def _wanted_starts(indicators: list[Indicator], period_from: dt.date) -> dict[int, dt.date]:
    """Indicator id → the first month a recompute from `period_from` reads: that month, or
    January for an average (it restarts each January)."""
    return {
        ind.pk: (
            period_from.replace(month=1)
            if ind.time_aggregation == TimeAggregation.AVERAGE
            else period_from
        )
        for ind in indicators
    }


def _seeded_starts(
    indicators: list[Indicator],
    wanted: dict[int, dt.date],
    keys_seen: dict[int, dict[int, set[int]]],
) -> dict[int, dt.date]:
    """The windows a recompute may use. `keys_seen`: indicator → row level → the target keys
    stored in the month before its window.

    An indicator gets a window when, at every level it has stored rows of then, they hold
    every target its units are assessed against there (and its target-less rows). Otherwise —
    a fresh database, an indicator or a target added to the catalogue since the last full
    recompute — its series are read whole. A level without stored rows then has no series
    to continue (its units ended, like the districts since 07/2025, or never had a figure)."""
    starts: dict[int, dt.date] = {}
    for ind in indicators:
        by_level = keys_seen.get(ind.pk, {})
        row_levels = {row for _fig, row in level_pairs(ind)} & set(by_level)
        if row_levels and all(
            {t.pk if t else 0 for t in _targets_for(ind, level)} <= by_level[level]
            for level in row_levels
        ):
            starts[ind.pk] = wanted[ind.pk]
    return starts


def _stored_before(
    indicators: list[Indicator], wanted: dict[int, dt.date], levels: dict[int, int]
) -> QuerySet[Attainment]:
    """The stored approved rows of the scope in the month before each indicator's window."""
    seed_periods = {periods.previous_month(start) for start in wanted.values()}
    return Attainment.objects.filter(
        period__in=seed_periods,
        indicator_id__in=[i.pk for i in indicators],
        provisional=False,
        division_id__in=list(levels),
    )


def _window_starts(
    indicators: list[Indicator], period_from: dt.date, scope: _Scope
) -> dict[int, dt.date]:
    """The windows of a set-based windowed recompute (which reads its seeds itself): one
    query for the target keys stored before each window."""
    wanted = _wanted_starts(indicators, period_from)
    keys_seen: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for ind_id, period, key, level in (
        _stored_before(indicators, wanted, scope.levels)
        .values_list("indicator_id", "period", "target_key", "division__level")
        .distinct()
        .order_by()
    ):
        if period == periods.previous_month(wanted[ind_id]):
            keys_seen[ind_id][level].add(key)
    return _seeded_starts(indicators, wanted, keys_seen)


def _seeds(
    indicators: list[Indicator], period_from: dt.date, scope: _Scope
) -> tuple[dict[int, dt.date], dict[tuple[int, int], dict[int, Seed]]]:
    """Windows (indicator id → first month read) and the stored approved rows of the month
    before each window, for a recompute from `period_from` built here.

    Rows before `period_from` are current (each change recomputes from its own month on), so
    a series can continue from them instead of re-reading its whole history.
    """
    wanted = _wanted_starts(indicators, period_from)
    seeds: dict[tuple[int, int], dict[int, Seed]] = defaultdict(dict)
    keys_seen: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for row in _stored_before(indicators, wanted, scope.levels).values_list(
        "indicator_id",
        "division_id",
        "target_key",
        "period",
        "actual",
        "numerator",
        "denominator",
        "data_period",
        "sources",
        "judged_value",
        "baseline_value",
        "baseline_period",
    ):
        if row[3] == periods.previous_month(wanted[row[0]]):
            seeds[(row[0], row[1])][row[2]] = Seed(*row[3:])
            keys_seen[row[0]][scope.levels[row[1]]].add(row[2])
    windows = _seeded_starts(indicators, wanted, keys_seen)
    seeds = {key: rows for key, rows in seeds.items() if key[0] in windows}
    return windows, seeds


def attainment_recompute_requests(requests: list[RecomputeRequest]) -> None:
    """Handle drained outbox rows: one recompute per distinct (division, indicators) scope."""
    scopes: dict[tuple[str, tuple | None], dt.date] = {}
    for req in requests:
        key = (req.division_path, tuple(sorted(req.indicator_ids)) if req.indicator_ids else None)
        scopes[key] = min(scopes.get(key, req.period_from), req.period_from)
    paths = {path for path, _ in scopes}
    divisions = {d.path: d for d in Division.objects.filter(path__in=paths)}
    for (path, ids), period_from in scopes.items():
        attainment_recompute(
            indicator_ids=ids, division=divisions.get(path), period_from=period_from
        )


def computed_at() -> dt.datetime | None:
    """When attainment rows were last written (shown on dashboards)."""
    return Attainment.objects.aggregate(at=Max("computed_at"))["at"]


def data_span() -> tuple[dt.date | None, dt.date | None]:
    agg = Attainment.objects.aggregate(first=Min("period"), last=Max("period"))
    return agg["first"], agg["last"]
