"""The attainment engine: approved figures → attainment rows, set-based.

1. One GROUP BY per (figure level, target level) pair sums values, numerators and
   denominators of the counted figures up the division tree in the database
   (commune → district → province), as each indicator declares (sum, ratio of sums, none).
2. The monthly series of each indicator × division is aggregated over time as declared
   (sum of months, latest value, average of the year's months).
3. `reports.progress.assess` turns each row into status, share reached and projection.
4. Rows in scope are replaced in one transaction (delete + bulk insert): idempotent, safe to
   retry, and one recompute per scope at a time (advisory lock on PostgreSQL).

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
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from divisions.models import PATH_SEPARATOR, Division
from reports import periods
from reports.models import Attainment, DataValue, RecomputeRequest, Report, ReportStatus, Source
from reports.progress import assess, month_from_index, month_index
from targets.models import (
    Direction,
    DivisionAggregation,
    Indicator,
    Measurement,
    ScopeLevel,
    Target,
    TimeAggregation,
)

HUNDRED = Decimal(100)
BATCH_SIZE = 2000
# ORM paths from a figure's division to its ancestor `n` levels up (levels are fixed).
ANCESTOR = {0: "division_id", 1: "division__parent_id", 2: "division__parent__parent_id"}


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


def _monthly_sums(
    *, indicators: list[Indicator], provisional: bool, division_ids: set[int] | None
) -> dict[tuple[int, int], dict[dt.date, tuple]]:
    """(indicator id, division id) → {month: (value, numerator, denominator, sources)}."""
    pairs: dict[tuple[int, int], list[int]] = defaultdict(list)
    for ind in indicators:
        for pair in level_pairs(ind):
            pairs[pair].append(ind.pk)
    base = counted_figures(provisional=provisional)
    series: dict[tuple[int, int], dict[dt.date, tuple]] = defaultdict(dict)
    for (fig_level, row_level), ids in pairs.items():
        key = ANCESTOR[fig_level - row_level]
        qs = base.filter(indicator_id__in=ids, division__level=fig_level)
        if division_ids is not None:
            qs = qs.filter(**{f"{key}__in": division_ids})
        rows = (
            qs.values("indicator_id", "period", row=F(key))
            .annotate(
                v=Sum("value"),
                n=Sum("numerator"),
                d=Sum("denominator"),
                teams=Count("id", filter=Q(source=Source.TEAMS)),
                manual=Count("id", filter=Q(source=Source.MANUAL)),
            )
            .order_by()
        )
        for r in rows:
            sources = "+".join(s for s, c in (("manual", r["manual"]), ("teams", r["teams"])) if c)
            series[(r["indicator_id"], r["row"])][r["period"]] = (r["v"], r["n"], r["d"], sources)
    return series


def _ratio(n: Decimal | None, d: Decimal | None) -> Decimal | None:
    if n is None or not d:
        return None
    return n / d * HUNDRED


def time_series(
    indicator: Indicator, months: dict[dt.date, tuple], last: dt.date
) -> list[tuple[dt.date, Decimal | None, Decimal | None, Decimal | None, dt.date, str]]:
    """Aggregate one monthly series over time, month by month from its first month to `last`.

    Returns (period, actual, numerator, denominator, data period, sources) per month.
    """
    if not months:
        return []
    ratio = indicator.measurement == Measurement.RATIO
    how = indicator.time_aggregation
    ordered = sorted(months)
    out = []
    cum_v = cum_n = cum_d = Decimal(0)
    year_vals: dict[int, list[Decimal]] = defaultdict(list)
    latest = None
    i = 0
    for idx in range(month_index(ordered[0]), month_index(max(last, ordered[-1])) + 1):
        period = month_from_index(idx)
        if i < len(ordered) and ordered[i] == period:
            v, n, d, src = months[period]
            latest = (period, v, n, d, src)
            cum_v += v or 0
            cum_n += n or 0
            cum_d += d or 0
            own = _ratio(n, d) if ratio else v
            if own is not None:
                year_vals[period.year].append(own)
            i += 1
        data_period, v, n, d, src = latest
        if how == TimeAggregation.SUM:
            actual = _ratio(cum_n, cum_d) if ratio else cum_v
            n_out, d_out = (cum_n, cum_d) if ratio else (None, None)
        elif how == TimeAggregation.AVERAGE:
            vals = year_vals.get(period.year) or []
            actual = sum(vals) / len(vals) if vals else None
            n_out = d_out = None
        else:
            actual = _ratio(n, d) if ratio else v
            n_out, d_out = n, d
        out.append((period, actual, n_out, d_out, data_period, src))
    return out


def _targets_for(indicator: Indicator, level: int) -> list[Target | None]:
    """Targets set for this level, else the province-wide ones as reference, else none."""
    own = [t for t in indicator.targets.all() if t.scope_level == level]
    if own:
        return own
    province = [t for t in indicator.targets.all() if t.scope_level == ScopeLevel.PROVINCE]
    return province or [None]


def _lock(scope: str) -> None:
    """One recompute per scope at a time (PostgreSQL advisory lock, released at commit)."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(scope.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _build_rows(
    *,
    indicators: list[Indicator],
    provisional: bool,
    division_ids: set[int] | None,
    period_from: dt.date | None,
    last: dt.date,
    levels: dict[int, int],
    now: dt.datetime,
) -> list[Attainment]:
    series = _monthly_sums(
        indicators=indicators, provisional=provisional, division_ids=division_ids
    )
    by_id = {i.pk: i for i in indicators}
    rows: list[Attainment] = []
    for (ind_id, div_id), months in series.items():
        if div_id is None or div_id not in levels:
            continue
        ind = by_id[ind_id]
        higher = ind.direction == Direction.HIGHER
        aggregated = time_series(ind, months, last)
        first_actual = next(((p, a) for p, a, *_ in aggregated if a is not None), None)
        for target in _targets_for(ind, levels[div_id]):
            goal = target.resolved_value() if target else None
            if target is not None and target.baseline_value is not None:
                base, base_period = target.baseline_value, target.baseline_period
            else:
                base_period, base = first_actual if first_actual else (None, None)
            at_deadline = None
            if target is not None:
                deadline_month = target.deadline.replace(day=1)
                at_deadline = next(
                    (a for p, a, *_ in reversed(aggregated) if p <= deadline_month), None
                )
            for period, actual, num, den, data_period, src in aggregated:
                if period_from is not None and period < period_from:
                    continue
                row = Attainment(
                    indicator_id=ind_id,
                    target=target,
                    target_key=target.pk if target else 0,
                    division_id=div_id,
                    period=period,
                    provisional=provisional,
                    actual=actual,
                    numerator=num,
                    denominator=den,
                    data_period=data_period,
                    target_value=goal,
                    sources=src,
                    computed_at=now,
                )
                if target is not None and goal is not None:
                    judged = at_deadline if period > target.deadline else actual
                    if period > target.deadline:
                        row.judged_value = judged
                    result = assess(
                        actual=judged,
                        period=period,
                        target=goal,
                        deadline=target.deadline,
                        baseline=base,
                        baseline_period=base_period,
                        higher_is_better=higher,
                    )
                    row.status = result.status.value
                    row.share_reached = result.share_reached
                    row.projected_value = result.projected_at_deadline
                    row.reached_in = result.reached_in
                    row.rate_ratio = result.rate_ratio
                rows.append(row)
    return rows


def _same(a: Attainment, b: Attainment) -> bool:
    return (a.actual, a.numerator, a.denominator) == (b.actual, b.numerator, b.denominator)


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
    """
    started = timezone.now()
    indicators = list(
        Indicator.objects.filter(is_active=True)
        .filter(**({"pk__in": list(indicator_ids)} if indicator_ids is not None else {}))
        .prefetch_related("targets")
    )
    # Every series runs to one common last month (the last complete month, or a later month
    # some figure already exists for), so a dashboard month never mixes carried and missing rows.
    latest_figure = DataValue.objects.aggregate(last=Max("period"))["last"]
    last = max(filter(None, (periods.previous_month(periods.current_month()), latest_figure)))
    scope_qs = Division.objects.filter(level__lte=3)
    if division is not None:
        ancestors = [c for c in division.path.split(PATH_SEPARATOR) if c]
        scope_qs = scope_qs.filter(Q(path__startswith=division.path) | Q(code__in=ancestors))
    levels = dict(scope_qs.values_list("pk", "level"))
    # The GROUP BYs are filtered on the unit a row belongs to (the figure's ancestor at the
    # row's level), so an ancestor in scope still sums every figure below it, while units
    # outside the scope are neither aggregated nor built.
    division_ids = set(levels) if division is not None else None
    now = timezone.now()
    scope_key = f"attainment:{division.path if division else '*'}"
    written = 0
    with transaction.atomic():
        _lock(scope_key)
        stale = Attainment.objects.filter(indicator_id__in=[i.pk for i in indicators])
        if division is not None:
            stale = stale.filter(division_id__in=list(levels))
        if period_from is not None:
            stale = stale.filter(period__gte=period_from)
        stale.delete()
        # Provisional rows can only differ from approved ones while a report waits for review.
        any_submitted = Report.objects.filter(status=ReportStatus.SUBMITTED).exists()
        # One indicator at a time: a few GROUP BY queries each, and only that indicator's rows
        # in memory (all indicators at 10x the province would need about 1 GB).
        for indicator in indicators:
            rows = _rows_for(
                indicator=indicator,
                any_submitted=any_submitted,
                division_ids=division_ids,
                period_from=period_from,
                last=last,
                levels=levels,
                now=now,
            )
            Attainment.objects.bulk_create(rows, batch_size=BATCH_SIZE)
            written += len(rows)
    if division is None and connection.vendor == "postgresql":
        # Fresh statistics after a full rewrite, or the dashboards' plans go stale.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Attainment._meta.db_table}")
    seconds = (timezone.now() - started).total_seconds()
    return RecomputeResult(rows=written, indicators=len(indicators), seconds=seconds)


def _rows_for(
    *,
    indicator: Indicator,
    any_submitted: bool,
    division_ids: set[int] | None,
    period_from: dt.date | None,
    last: dt.date,
    levels: dict[int, int],
    now: dt.datetime,
) -> list[Attainment]:
    """Approved rows of one indicator, plus provisional rows where they differ."""
    common = {
        "indicators": [indicator],
        "division_ids": division_ids,
        "period_from": period_from,
        "last": last,
        "levels": levels,
        "now": now,
    }
    approved = _build_rows(provisional=False, **common)
    if not any_submitted:
        return approved
    approved_index = {(r.division_id, r.period, r.target_key): r for r in approved}
    provisional = [
        r
        for r in _build_rows(provisional=True, **common)
        if (key := (r.division_id, r.period, r.target_key)) not in approved_index
        or not _same(r, approved_index[key])
    ]
    return approved + provisional


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
