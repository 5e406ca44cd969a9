"""One file over 500 lines: most of it is the one statement's SQL, read top to bottom.

The set-based recompute: every attainment row in one `INSERT … SELECT` (PostgreSQL).

The per-row engine (`attainment.engine`: `time_series`, `_reconstruct`, `assess` per row) reads
well and is the method's reference; this module computes the same rows inside the database,
reading the figures once:

1. counted cells — per indicator × unit × month a counted hand-typed figure, else the teams'
   one (a hash anti-join, no sort);
2. roll-up — one `GROUP BY ROLLUP` of the cells over their ancestors at levels 1–3 (one join
   with the parent and the grandparent), kept at the row levels the indicator's routes
   declare; an authoritative level's own figure replaces the roll-up in the months it is
   given (a second aggregation of those units' rows only);
3. successions — a successor adds its predecessors' months before it started, × their share,
   rounded as stored (a step left out when the database holds no succession);
4. time — on the months with a figure only, per target: running sums over the year or the
   whole series and yearly averages (windows sharing one sort), the first value and the value
   at each deadline; then each month up to the next figure (or the last month) carries its
   month's values, a January without a figure starting a year-to-date window again;
5. the status, share, projection, month reached and rate of `attainment.method.assess` as SQL
   expressions of the same single divisions, each step fenced so an expression is computed
   once per row;
6. provisional rows (submitted figures counted too) only where they differ from approved ones.

A windowed recompute (after an approval: one unit's subtree, its ancestors and successors,
from one month on) is the same statement over the window's figures only: each series starts
from the stored approved row of the month before the window (its seed) as if that row were a
month with a figure holding the series' totals, and the rows of the scope's units from the
window on are written. It is prepared once per database session.

The catalogue (routes, targets, aggregation choices) is small: it is resolved in Python with
the same helpers as the per-row engine and passed as arrays. Property tests
(tests/attainment/test_engine_oracle*.py) require these rows, full and windowed, to equal the
per-row engine's.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from typing import NamedTuple

from django.db import connection

from attainment.models import Attainment

# The last month index a date can hold (year 9999): `assess` gives no month reached beyond it.
LAST_MONTH_INDEX = 9999 * 12 + 11
# Divisions carry 30 decimal places before rounding to the stored 6: far more than any
# figure's digits, so the rounding to 6 places agrees with the per-row engine's.
WIDE = "numeric(60,30)"
WORK_MEM = "128MB"


def _columns(rows: list[tuple], width: int) -> list[list]:
    """Row tuples as one list per column (bound as arrays and unnested in SQL)."""
    return [[row[i] for row in rows] for i in range(width)]


class Window(NamedTuple):
    """What a windowed recompute rewrites: the rows of `scope`'s units (None: every unit)
    from `period_from` on (None: every month). `starts` maps an indicator to the first month
    of figures read; its series continue from the stored rows of the month before (the
    seeds). An indicator without a start is read whole."""

    scope: list[int] | None
    period_from: dt.date | None
    starts: dict[int, dt.date]
    # The units whose figures are read: the scope and the units they continue (None: all).
    read: list[int] | None = None


def sql_recompute(
    *,
    meta: list[tuple],
    routes: list[tuple],
    targets: list[tuple],
    columns: tuple[str, ...],
    any_submitted: bool,
    last: dt.date,
    now: dt.datetime,
    window: Window | None = None,
) -> int:
    """Write every attainment row of the indicators in `meta` (their old rows already
    deleted) in one statement; returns the number of rows written.

    `meta`: (indicator, ratio?, time aggregation, year-to-date?, higher is better?,
    additive?); `routes`: (indicator, figure level, row level, authoritative own figure?);
    `targets`: (indicator, row level, target id, goal, baseline, baseline month, deadline),
    a None target for rows assessed against none; `columns`: the attainment columns in the
    order of the rows selected; `window`: only the rows of a windowed recompute."""
    if not meta or not routes:
        return 0
    starts = window.starts if window else {}
    meta = [(*m, starts.get(m[0])) for m in meta]
    params = {
        "ids": [m[0] for m in meta],
        # Month indexes count months from year 0 with January as 1 (`year * 12 + month`).
        "last_idx": last.year * 12 + last.month,
        "last": last,
        "now": now,
        "passes": [False, True] if any_submitted else [False],
        **_window_params(window, meta, any_submitted),
    }
    params.update(_catalogue_params(meta, routes, targets))
    variants = {
        successions: _statement(
            tuple(columns),
            successions=successions,
            provisional=any_submitted,
            windowed=window is not None,
            read_all=params["read_from"] is None,
            scoped=window is not None and window.scope is not None,
        )
        for successions in (False, True)
    }
    return _execute(variants, params, windowed=window is not None)


def _catalogue_params(meta: list[tuple], routes: list[tuple], targets: list[tuple]) -> dict:
    """The catalogue as one array parameter per column."""
    names = {
        "m": ("ind", "ratio", "how", "ytd", "higher", "add", "win"),
        "r": ("ind", "fig", "row", "own", "shared"),
        "t": ("ind", "level", "id", "goal", "base", "base_period", "deadline"),
    }
    # A route is shared when its rows also get an authoritative level's own figures.
    own_rows = {(ind, row) for ind, _fig, row, own in routes if own}
    routes = [(*r, (r[0], r[2]) in own_rows) for r in routes]
    params = {}
    for prefix, rows in (("m", meta), ("r", routes), ("t", targets)):
        columns = _columns(rows, len(names[prefix]))
        params.update(
            {
                f"{prefix}_{name}": column
                for name, column in zip(names[prefix], columns, strict=True)
            }
        )
    return params


def _execute(variants: dict[bool, Statement], params: dict, *, windowed: bool) -> int:
    """Run the statement variant for the database's successions (with or without), under
    the planner settings; returns the rows written."""
    with connection.cursor() as cursor:
        cursor.execute(
            # The setting names are this module's constants.
            f"SELECT {', '.join(f'current_setting({n!r})' for n in PLANNER)}, "  # noqa: S608
            "EXISTS (SELECT 1 FROM divisions_divisionsuccession), "
            "array(SELECT name FROM pg_prepared_statements WHERE name = ANY(%s))",
            [[v.name for v in variants.values()]],
        )
        *before, successions, prepared = cursor.fetchone()
        statement = variants[successions]
        _planner_set(cursor, PLANNER.values())
        if not windowed:
            cursor.execute(statement.sql, params)
        else:
            # A windowed recompute is small and frequent (one per approval): planning this
            # statement would cost as much as running it, so each session plans it once.
            if statement.name not in prepared:
                cursor.execute(f"PREPARE {statement.name} AS {statement.numbered}")
            cursor.execute(
                f"EXECUTE {statement.name} ({', '.join(statement.casts)})",
                [params[name] for name in statement.names],
            )
        written = cursor.rowcount
        # Transaction-local settings would outlive the statement in a caller's transaction.
        _planner_set(cursor, before)
    return written


class Statement(NamedTuple):
    """The statement with named placeholders, and the same numbered for PREPARE."""

    sql: str
    name: str  # of the prepared statement: a digest of its text
    numbered: str
    names: tuple[str, ...]  # the parameters, in their numbers' order
    casts: tuple[str, ...]  # `%s::type` per parameter, for EXECUTE's arguments


PLACEHOLDER = re.compile(r"%\((\w+)\)s(::[a-z]+(?:\[\])?)?")


@functools.cache
def _statement(columns: tuple[str, ...], **variant: bool) -> Statement:
    """One variant of the statement (built once per process), with each parameter's type
    taken from a cast it carries in the text."""
    quote = connection.ops.quote_name
    # Table and column names come from model metadata; every value is bound.
    sql = (
        f"INSERT INTO {quote(Attainment._meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
        + select_rows(**variant)
    )
    types: dict[str, str] = {}
    for match in PLACEHOLDER.finditer(sql):
        name, cast = match.group(1), match.group(2) or ""
        if not types.get(name):
            types[name] = cast
    names = tuple(types)
    number = {name: f"${i}" for i, name in enumerate(names, start=1)}
    numbered = PLACEHOLDER.sub(lambda m: number[m.group(1)] + (m.group(2) or ""), sql)
    digest = hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:16]
    return Statement(
        sql, f"attainment_rows_{digest}", numbered, names, tuple(f"%s{types[n]}" for n in names)
    )


def _window_params(window: Window | None, meta: list[tuple], any_submitted: bool) -> dict:
    """The scope's units, the first month written, and the first month any figure is read
    from (None: all of them — an indicator read whole, or the provisional pass, which never
    continues from stored rows)."""
    if window is None:
        return {
            "scope": None,
            "read": None,
            "from_idx": 0,
            "read_from": None,
            "late_from": None,
            "early_ids": [],
            "whole_ids": [],
            "seed_periods": [],
        }
    wins = [m[-1] for m in meta if m[-1] is not None]
    whole = any_submitted or not wins
    first = window.period_from
    late = None if whole else max(wins)
    return {
        "scope": window.scope,
        "read": window.read,
        "from_idx": first.year * 12 + first.month if first else 0,
        "read_from": None if whole else min(wins),
        "late_from": late,
        "early_ids": [m[0] for m in meta if late and m[-1] is not None and m[-1] < late],
        "whole_ids": [m[0] for m in meta if m[-1] is None],
        # The first day of each month before a window: the stored seeds' month.
        "seed_periods": sorted(
            {(start - dt.timedelta(days=1)).replace(day=1) for start in window.starts.values()}
        ),
    }


# For this one statement (set and restored around it):
PLANNER = {
    # Hash joins, aggregates and sorts in memory (the default 4 MB is meant for many small
    # queries): at 10× the province the windows' sort of ≈ 470,000 months spilled 45 MB to
    # disk with 64 MB.
    "work_mem": WORK_MEM,
    # Every join here is an equi-join of large sets, which the planner cannot size (it
    # guesses the rows of CTEs and arrays): a merge join on one key or a nested loop chosen
    # on a guess of a few rows turns quadratic (minutes at national scale); a hash join never.
    "enable_mergejoin": "off",
    "enable_nestloop": "off",
    # Compiling this statement's hundreds of expressions costs seconds (tens of seconds once
    # the disabled joins inflate its cost estimate), more than running them.
    "jit": "off",
    # The windowed statement's plan does not depend on its arguments' values: plan it once
    # per session (a prepared statement) instead of at each of its first executions.
    "plan_cache_mode": "force_generic_plan",
}


def _planner_set(cursor, values) -> None:
    pairs = list(zip(PLANNER, values, strict=True))
    cursor.execute(
        "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in pairs),
        [x for pair in pairs for x in pair],
    )


# Constants only are formatted in; every value is bound.
HEAD = """
WITH
meta AS (
    SELECT * FROM unnest(%(m_ind)s::bigint[], %(m_ratio)s::bool[], %(m_how)s::text[],
                         %(m_ytd)s::bool[], %(m_higher)s::bool[], %(m_add)s::bool[],
                         %(m_win)s::date[])
        AS m(ind, is_ratio, how, ytd, higher, additive, win)
),
routes AS (
    SELECT * FROM unnest(%(r_ind)s::bigint[], %(r_fig)s::int[], %(r_row)s::int[],
                         %(r_own)s::bool[], %(r_shared)s::bool[])
        AS r(ind, fig_level, row_level, own, shared)
),
tgt AS (
    SELECT * FROM unnest(%(t_ind)s::bigint[], %(t_level)s::int[], %(t_id)s::bigint[],
                         %(t_goal)s::numeric[], %(t_base)s::numeric[],
                         %(t_base_period)s::date[], %(t_deadline)s::date[])
        AS t(ind, level, target_id, goal, base, base_period, deadline)
),
passes AS (SELECT unnest(%(passes)s::bool[]) AS prov),
-- 1. Counted cells, per pass: a counted hand-typed figure, else the teams' one (an anti-join
-- by hash, whose table is built only when there are teams' figures: no sort of every cell).
cells AS (
    SELECT p.prov, f.indicator_id AS ind, f.division_id AS div, f.period,
        f.value AS v, f.numerator AS n, f.denominator AS d, f.source AS src
    FROM reports_datavalue f
    CROSS JOIN passes p
    JOIN reports_report rep ON rep.id = f.report_id
    /*window*/
    WHERE f.indicator_id = ANY(%(ids)s::bigint[]) AND f.source = 'manual'
      /*read*/
      AND (rep.status = 'approved' OR (p.prov AND rep.status = 'submitted'))
    UNION ALL
    SELECT p.prov, f.indicator_id, f.division_id, f.period,
        f.value, f.numerator, f.denominator, f.source
    FROM reports_datavalue f
    CROSS JOIN passes p
    /*window*/
    WHERE f.indicator_id = ANY(%(ids)s::bigint[]) AND f.source = 'teams'
      /*read*/
      AND NOT EXISTS (
        SELECT 1 FROM reports_datavalue x
        JOIN reports_report xr ON xr.id = x.report_id
        WHERE x.indicator_id = f.indicator_id AND x.division_id = f.division_id
          AND x.period = f.period AND x.source = 'manual'
          AND (xr.status = 'approved' OR (p.prov AND xr.status = 'submitted')))
),
-- 2. Roll-up: each unit's ancestor at each level 1–3 (itself included; levels are distinct
-- along a path), then one GROUP BY ROLLUP of the cells over them, per figure level (one sort
-- of the cells, not of a copy per ancestor); a grouping set's deepest ancestor is the unit,
-- kept where the indicator routes figures of that level to rows of that level.
lineage AS MATERIALIZED (
    SELECT d0.id AS div, d0.level AS fig_level,
        CASE 1 WHEN d0.level THEN d0.id WHEN d1.level THEN d1.id WHEN d2.level THEN d2.id END
            AS a1,
        CASE 2 WHEN d0.level THEN d0.id WHEN d1.level THEN d1.id WHEN d2.level THEN d2.id END
            AS a2,
        CASE 3 WHEN d0.level THEN d0.id WHEN d1.level THEN d1.id WHEN d2.level THEN d2.id END
            AS a3
    FROM divisions_division d0
    LEFT JOIN divisions_division d1 ON d1.id = d0.parent_id
    LEFT JOIN divisions_division d2 ON d2.id = d1.parent_id
    WHERE d0.level <= 3 /*lineage_scope*/
),
rolled AS (
    SELECT c.prov, c.ind, c.period, l.fig_level,
        CASE GROUPING(l.a1, l.a2, l.a3) WHEN 0 THEN 3 WHEN 1 THEN 2 WHEN 3 THEN 1 END
            AS row_level,
        CASE GROUPING(l.a1, l.a2, l.a3) WHEN 0 THEN l.a3 WHEN 1 THEN l.a2 WHEN 3 THEN l.a1 END
            AS unit,
        sum(c.v) AS v, sum(c.n) AS n, sum(c.d) AS d,
        bool_or(c.src = 'manual') AS m, bool_or(c.src = 'teams') AS t
    FROM cells c
    JOIN lineage l ON l.div = c.div
    GROUP BY c.prov, c.ind, c.period, l.fig_level, ROLLUP (l.a1, l.a2, l.a3)
),
placed AS MATERIALIZED (
    SELECT g.prov, g.ind, g.unit, g.period, g.v, g.n, g.d, g.m, g.t, r.own,
        -- Only an authoritative level's units have two rows a month (own and rolled up).
        r.shared AS overlaid
    FROM rolled g
    JOIN routes r ON r.ind = g.ind AND r.fig_level = g.fig_level AND r.row_level = g.row_level
    WHERE g.unit IS NOT NULL
),
-- An authoritative own figure (an `own` route) replaces the roll-up in the months it is given.
overlaid AS (
    SELECT prov, ind, unit, period, v, n, d, m, t FROM placed WHERE NOT overlaid
    UNION ALL
    SELECT prov, ind, unit, period,
        CASE WHEN bool_or(own) THEN sum(v) FILTER (WHERE own) ELSE sum(v) END,
        CASE WHEN bool_or(own) THEN sum(n) FILTER (WHERE own) ELSE sum(n) END,
        CASE WHEN bool_or(own) THEN sum(d) FILTER (WHERE own) ELSE sum(d) END,
        CASE WHEN bool_or(own) THEN bool_or(m) FILTER (WHERE own) ELSE bool_or(m) END,
        CASE WHEN bool_or(own) THEN bool_or(t) FILTER (WHERE own) ELSE bool_or(t) END
    FROM placed WHERE overlaid
    GROUP BY prov, ind, unit, period
),
"""

# 3. Successors: their predecessors' months before they started, × share, as stored.
WITH_SUCCESSIONS = """
succ AS (
    SELECT predecessor_id, successor_id, effective_on, coalesce(share, 1) AS share
    FROM divisions_divisionsuccession
),
starts AS (
    SELECT successor_id AS unit, min(effective_on) AS start FROM succ GROUP BY successor_id
),
inherited AS (
    SELECT o.prov, o.ind, s.successor_id AS unit, o.period,
        round(o.v * s.share, 6) AS v, round(o.n * s.share, 6) AS n,
        round(o.d * s.share, 6) AS d, o.m, o.t
    FROM overlaid o
    JOIN succ s ON s.predecessor_id = o.unit AND o.period < s.effective_on
    JOIN meta mt ON mt.ind = o.ind AND mt.additive
),
series AS (
    SELECT x.prov, x.ind, x.unit, x.period, sum(x.v) AS v, sum(x.n) AS n, sum(x.d) AS d,
        bool_or(x.m) AS m, bool_or(x.t) AS t, min(st.start) AS start
    FROM (SELECT * FROM overlaid UNION ALL SELECT * FROM inherited) x
    LEFT JOIN starts st ON st.unit = x.unit
    GROUP BY x.prov, x.ind, x.unit, x.period
),
"""
# Without successions (the database has none) the roll-up is the series.
NO_SUCCESSIONS = """
series AS (SELECT o.*, NULL::date AS start FROM overlaid o),
starts AS (SELECT NULL::bigint AS unit, NULL::date AS start WHERE false),
"""

# A full recompute reads every series from its first month.
WHOLE = """
seed_rows AS (
    SELECT NULL::bigint AS ind, NULL::bigint AS unit, NULL::bigint AS tkey, NULL::int AS idx,
        NULL::numeric AS actual, NULL::date AS data_period, NULL::numeric AS judged_value,
        NULL::numeric AS baseline_value, NULL::date AS baseline_period
    WHERE false
),
seeded AS (
    SELECT s.*, s.period AS dp, false AS pseudo, false AS blank FROM series s
),
"""
# The approved pass of a windowed recompute counts each indicator's figures from its window
# on; unless the provisional pass reads them all, only three ranges of the indexes are read:
# the latest window's months for every indicator, the earlier windows' (averages from
# January) for their indicators, and every month of the indicators without a window.
WINDOW_CELLS = """
    JOIN meta wm ON wm.ind = f.indicator_id AND (p.prov OR wm.win IS NULL OR f.period >= wm.win)
"""
# (Bounded ranges: planned once for any arguments, a range is assumed narrow, a lower bound
# alone a third of the table.)
WINDOW_READ = """
      AND (f.period BETWEEN %(late_from)s::date AND %(last)s::date
           OR f.period BETWEEN %(read_from)s::date AND %(last)s::date
              AND f.indicator_id = ANY(%(early_ids)s::bigint[])
           OR f.indicator_id = ANY(%(whole_ids)s::bigint[]))
"""
# A windowed recompute reads each windowed indicator's figures from its window on and
# continues every series from the stored approved row of the month before (its seed): a
# pseudo-month holding the stored totals — a flow's running sum (numerator and denominator
# of a ratio), a stock's latest figure with its data month — that the windows below sum
# and carry like a month with a figure. A seed without a data month (a year-to-date window
# before its year's first figure) carries nothing. The seeds of each target also keep the
# baseline and the value judged at a deadline before the window.
WINDOWED = """
seed_rows AS MATERIALIZED (
    SELECT a.indicator_id AS ind, a.division_id AS unit, a.target_key AS tkey,
        (date_part('year', a.period) * 12 + date_part('month', a.period))::int AS idx,
        a.period, a.actual, a.numerator, a.denominator, a.data_period, a.sources,
        a.judged_value, a.baseline_value, a.baseline_period
    FROM reports_attainment a
    JOIN meta mt ON mt.ind = a.indicator_id
    WHERE NOT a.provisional AND mt.win IS NOT NULL
      AND a.period = ANY(%(seed_periods)s::date[])
      AND a.period = (mt.win - interval '1 month')::date
      /*seed_scope*/
),
seeded AS (
    SELECT s.*, s.period AS dp, false AS pseudo, false AS blank FROM series s
    UNION ALL
    SELECT * FROM (
        SELECT DISTINCT ON (sr.ind, sr.unit) false, sr.ind, sr.unit, sr.period, sr.actual,
            sr.numerator, sr.denominator, position('manual' in sr.sources) > 0,
            position('teams' in sr.sources) > 0, st.start, sr.data_period, true,
            sr.data_period IS NULL
        FROM seed_rows sr
        LEFT JOIN starts st ON st.unit = sr.unit
        ORDER BY sr.ind, sr.unit, sr.tkey
    ) one_seed_per_series
),
"""


def _cum(x: str) -> str:
    """The running sum of `add_<x>`: over the year to date, or over the whole series."""
    return f"(CASE WHEN k.ytd THEN sum(k.add_{x}) OVER y ELSE sum(k.add_{x}) OVER w END)"


# `OFFSET 0` fences each step: without it PostgreSQL folds the steps into one another and
# evaluates a column's expression again at every reference (the divisions of a ratio four
# times in the status alone).
BODY = f"""
-- 4. Time. Each month with a figure, against each target its unit is assessed on (or
-- none), with its level's terms; every window below shares one sort order.
keyed AS (
    SELECT s.prov, s.ind, s.unit, s.period, s.v, s.n, s.d, s.m, s.t, s.start,
        s.dp, s.pseudo, s.blank, date_part('year', s.dp)::int AS dp_yr,
        mt.is_ratio, mt.how, mt.ytd, mt.higher,
        ts.idx AS seed_idx, ts.judged_value AS seed_judged, ts.baseline_value AS seed_base,
        ts.baseline_period AS seed_base_period,
        t.target_id, coalesce(t.target_id, 0) AS tkey, t.goal, t.base AS t_base,
        t.base_period AS t_base_period, t.deadline,
        (date_part('year', t.deadline) * 12 + date_part('month', t.deadline))::int
            AS deadline_idx,
        (date_part('year', s.period) * 12 + date_part('month', s.period))::int AS idx,
        date_part('year', s.period)::int AS yr,
        (date_part('year', ui.valid_to) * 12 + date_part('month', ui.valid_to))::int
            AS end_idx,
        -- Each month's own value, for yearly averages only (the other rows skip a division).
        CASE WHEN mt.how <> 'average' OR s.pseudo THEN NULL
             WHEN mt.is_ratio THEN CASE WHEN s.d <> 0 THEN s.n::{WIDE} / s.d * 100 END
             ELSE s.v END AS own_value,
        -- Running sums only where the time aggregation sums (over the year to date, or
        -- over the whole series).
        CASE WHEN mt.how = 'sum' AND NOT mt.is_ratio THEN coalesce(s.v, 0) END AS add_v,
        CASE WHEN mt.how = 'sum' AND mt.is_ratio THEN coalesce(s.n, 0) END AS add_n,
        CASE WHEN mt.how = 'sum' AND mt.is_ratio THEN coalesce(s.d, 0) END AS add_d,
        CASE WHEN s.m AND s.t THEN 'manual+teams' WHEN s.m THEN 'manual' ELSE 'teams' END
            AS src
    FROM seeded s
    JOIN unit_info ui ON ui.id = s.unit
    JOIN meta mt ON mt.ind = s.ind
    JOIN tgt t ON t.ind = s.ind AND t.level = ui.level
    -- The provisional pass reads its series whole: no seeds.
    LEFT JOIN seed_rows ts ON NOT s.prov
        AND ts.ind = s.ind AND ts.unit = s.unit AND ts.tkey = coalesce(t.target_id, 0)
    /*unit_scope*/
    OFFSET 0
),
-- Running sums over the series (w) and over its year (y), one sort for both, and from them
-- the series' value in each month with a figure (months without one carry it below). The
-- values are columns of this step, so the next window reads them instead of computing them
-- again.
running AS (
    SELECT k.*,
        lead(k.idx) OVER w AS next_idx,
        CASE WHEN k.pseudo AND k.how = 'average' THEN k.v
             WHEN k.how = 'sum' AND k.is_ratio THEN
                CASE WHEN {_cum("d")} <> 0 THEN {_cum("n")}::{WIDE} / {_cum("d")} * 100 END
             WHEN k.how = 'sum' THEN {_cum("v")}
             WHEN k.how = 'average' THEN
                CASE WHEN count(k.own_value) OVER y > 0
                     THEN (sum(k.own_value) OVER y)::{WIDE} / count(k.own_value) OVER y END
             WHEN k.is_ratio THEN CASE WHEN k.d <> 0 THEN k.n::{WIDE} / k.d * 100 END
             ELSE k.v END AS actual_p,
        CASE WHEN k.how = 'average' THEN NULL
             WHEN k.how = 'sum' THEN CASE WHEN k.is_ratio THEN {_cum("n")} END
             ELSE k.n END AS n_p,
        CASE WHEN k.how = 'average' THEN NULL
             WHEN k.how = 'sum' THEN CASE WHEN k.is_ratio THEN {_cum("d")} END
             ELSE k.d END AS d_p
    FROM keyed k
    WINDOW w AS (PARTITION BY k.prov, k.ind, k.unit, k.tkey ORDER BY k.yr, k.period),
           y AS (PARTITION BY k.prov, k.ind, k.unit, k.tkey, k.yr ORDER BY k.period)
),
-- 5. Per series and target: the first value (the default baseline) and the value at the
-- deadline — the month with a figure at or before the deadline's month, counted only when
-- it lies in the deadline's year (a month without a figure carries it unchanged then).
termed AS (
    SELECT v.*,
        min(ARRAY[v.idx, round(v.actual_p, 6)])
            FILTER (WHERE v.actual_p IS NOT NULL AND NOT v.pseudo) OVER s AS first_actual,
        max(CASE WHEN v.idx <= v.deadline_idx
                      AND (v.next_idx IS NULL OR v.next_idx > v.deadline_idx)
                      AND v.dp_yr = (v.deadline_idx - 1) / 12
                 THEN round(v.actual_p, 6) END) OVER s AS at_deadline
    FROM running v
    WINDOW s AS (PARTITION BY v.prov, v.ind, v.unit, v.tkey)
),
based AS (
    SELECT tm.*,
        -- A deadline before a seed's month was judged then: its value is stored.
        CASE WHEN tm.deadline_idx < tm.seed_idx THEN tm.seed_judged ELSE tm.at_deadline END
            AS judged_at,
        CASE WHEN tm.goal IS NULL THEN NULL WHEN tm.target_id IS NOT NULL
             AND tm.t_base IS NOT NULL THEN tm.t_base
             WHEN tm.seed_base_period IS NOT NULL THEN tm.seed_base
             ELSE tm.first_actual[2] END AS base,
        CASE WHEN tm.target_id IS NOT NULL AND tm.t_base IS NOT NULL
             THEN (date_part('year', tm.t_base_period) * 12
                   + date_part('month', tm.t_base_period))::int
             WHEN tm.seed_base_period IS NOT NULL
             THEN (date_part('year', tm.seed_base_period) * 12
                   + date_part('month', tm.seed_base_period))::int
             ELSE tm.first_actual[1]::int END AS base_idx
    FROM termed tm
),
-- Every month from the series' first to the last month (or the unit's end): a month
-- without a figure carries the latest one before it.
months AS (
    SELECT b.*, g.mi,
        make_date((g.mi - 1) / 12, mod(g.mi - 1, 12) + 1, 1) AS period_m,
        (b.ytd OR b.how = 'average') AND (g.mi - 1) / 12 <> b.yr AS new_year
    FROM based b
    CROSS JOIN LATERAL generate_series(
        b.idx,
        least(coalesce(b.next_idx - 1, greatest(%(last_idx)s::int, b.idx)), b.end_idx)
    ) AS g(mi)
    WHERE g.mi >= %(from_idx)s::int
),
aggregated AS (
    SELECT mo.prov, mo.ind, mo.unit, mo.period_m AS period, mo.mi AS idx, mo.higher,
        mo.target_id, mo.goal, mo.deadline, mo.deadline_idx, mo.start,
        -- A year-to-date window starts again each January (nothing counted yet in a year
        -- without a figure so far); an average is over the month's own year.
        CASE WHEN NOT (mo.new_year AND mo.ytd OR mo.blank) THEN mo.dp END AS data_period,
        CASE WHEN NOT (mo.new_year OR mo.blank) THEN mo.actual_p END AS actual,
        CASE WHEN NOT (mo.new_year OR mo.blank) THEN mo.n_p END AS n,
        CASE WHEN NOT (mo.new_year OR mo.blank) THEN mo.d_p END AS d,
        CASE WHEN mo.new_year AND mo.ytd OR mo.blank THEN '' ELSE mo.src END AS sources,
        CASE WHEN mo.goal IS NULL THEN NULL WHEN mo.target_id IS NOT NULL
             AND mo.t_base IS NOT NULL THEN mo.t_base_period
             ELSE make_date((mo.base_idx - 1) / 12, mod(mo.base_idx - 1, 12) + 1, 1) END
            AS base_period,
        mo.base, mo.base_idx,
        mo.period_m > mo.deadline AS after,
        CASE WHEN mo.period_m > mo.deadline THEN mo.judged_at
             WHEN NOT (mo.new_year OR mo.blank) THEN round(mo.actual_p, 6) END AS j
    FROM months mo
    OFFSET 0
),
-- `assess` (attainment.method): the baseline defaults to the value judged, months count
-- as whole months.
facts AS (
    SELECT jd.*,
        jd.goal IS NOT NULL AS has_goal,
        jd.goal IS NOT NULL AND jd.j IS NOT NULL AS assessed,
        coalesce(CASE WHEN jd.base_period IS NOT NULL THEN jd.base END, jd.j) AS b,
        CASE WHEN jd.higher THEN jd.j >= jd.goal ELSE jd.j <= jd.goal END AS met,
        CASE WHEN jd.base IS NOT NULL AND jd.base_period IS NOT NULL THEN jd.base_idx
             ELSE jd.idx END AS b_idx
    FROM aggregated jd
),
steps AS (
    SELECT fa.*,
        fa.goal - fa.b AS gap,
        fa.idx - fa.b_idx AS elapsed,
        fa.deadline_idx - fa.idx AS remaining,
        fa.deadline_idx - fa.b_idx AS total
    FROM facts fa
    OFFSET 0
),
assessed AS (
    SELECT st.*,
        CASE WHEN st.gap = 0 THEN CASE WHEN st.met THEN 1 ELSE 0 END
             ELSE (st.j - st.b)::{WIDE} / st.gap END AS share,
        CASE WHEN st.elapsed > 0
             THEN st.j + (st.j - st.b)::{WIDE} * st.remaining / st.elapsed
             ELSE st.j END AS projected,
        CASE WHEN NOT st.met AND st.elapsed > 0 AND st.j <> st.b
                  AND (st.goal - st.j) * (st.j - st.b) > 0
             THEN ceil((st.goal - st.j)::{WIDE} * st.elapsed / (st.j - st.b)) END AS months,
        CASE WHEN st.elapsed > 0 AND st.total > 0 AND st.gap <> 0
             THEN (st.j - st.b)::{WIDE} * st.total / (st.elapsed * st.gap) END AS ratio
    FROM steps st
    OFFSET 0
),
rows AS (
    SELECT a.*,
        CASE WHEN NOT a.has_goal THEN NULL
             WHEN NOT a.assessed THEN 'no_data'
             WHEN a.after THEN CASE WHEN a.met THEN 'met' ELSE 'not_met' END
             WHEN a.met THEN 'achieved'
             WHEN a.ratio IS NULL
                THEN CASE WHEN a.gap = 0 THEN 'deteriorating' ELSE 'off_track' END
             WHEN a.ratio >= 0.95 THEN 'on_track'
             WHEN a.ratio >= 0.6 THEN 'needs_acceleration'
             WHEN a.ratio >= 0 THEN 'off_track'
             ELSE 'deteriorating' END AS status,
        CASE WHEN a.assessed AND NOT a.after AND a.months IS NOT NULL
                  AND a.idx - 1 + a.months <= {LAST_MONTH_INDEX}
             THEN make_date(div(a.idx - 1 + a.months, 12)::int,
                            (mod(a.idx - 1 + a.months, 12) + 1)::int, 1) END AS reached_in
    FROM assessed a
),
"""  # noqa: S608

# 6. Approved rows, and provisional ones where their numbers differ (an anti-join by hash).
WITH_PROVISIONAL = """
final AS (
    SELECT r.* FROM rows r WHERE NOT r.prov
    UNION ALL
    SELECT r.* FROM rows r
    WHERE r.prov AND NOT EXISTS (
        SELECT 1 FROM rows a
        WHERE NOT a.prov AND a.ind = r.ind AND a.unit = r.unit AND a.period = r.period
          AND coalesce(a.target_id, 0) = coalesce(r.target_id, 0)
          AND round(a.actual, 6) IS NOT DISTINCT FROM round(r.actual, 6)
          AND round(a.n, 6) IS NOT DISTINCT FROM round(r.n, 6)
          AND round(a.d, 6) IS NOT DISTINCT FROM round(r.d, 6))
)
"""
APPROVED_ONLY = """
final AS (SELECT * FROM rows)
"""

TAIL = """
SELECT f.ind, f.target_id, coalesce(f.target_id, 0), f.unit, f.period, f.prov,
    f.actual, f.n, f.d, f.data_period, f.goal,
    CASE WHEN f.assessed THEN f.share END,
    coalesce(f.status, ''),
    CASE WHEN f.assessed AND NOT f.after THEN f.projected END,
    CASE WHEN f.has_goal AND f.after THEN f.j END,
    f.reached_in,
    CASE WHEN f.assessed AND NOT f.after AND NOT f.met THEN f.ratio END,
    f.sources,
    coalesce(f.start IS NOT NULL AND (f.period < f.start OR f.data_period < f.start), false),
    %(now)s::timestamptz,
    f.base, f.base_period
FROM final f
"""


# A scoped recompute reads the figures of the units it reads (the scope and the units its
# units continue) and those below them, and writes the rows of the scope's units.
SCOPED = {
    "/*lineage_scope*/": """
      AND (d0.id = ANY(%(read)s::bigint[]) OR d1.id = ANY(%(read)s::bigint[])
           OR d2.id = ANY(%(read)s::bigint[]))""",
    "/*seed_scope*/": "AND a.division_id = ANY(%(scope)s::bigint[])",
    "/*unit_scope*/": "WHERE s.unit = ANY(%(scope)s::bigint[])",
}


def select_rows(
    *,
    successions: bool,
    provisional: bool,
    windowed: bool = False,
    read_all: bool = True,
    scoped: bool = False,
) -> str:
    """The statement's SELECT: the succession and provisional steps only when needed (each
    is a second aggregation or scan of every row), the seeds only for a windowed one, the
    units' filters only for a scoped one."""
    text = _select_text(successions, provisional, windowed, read_all)
    for mark, fragment in SCOPED.items():
        text = text.replace(mark, fragment if scoped else "")
    return text


def _select_text(successions: bool, provisional: bool, windowed: bool, read_all: bool) -> str:
    return (
        HEAD.replace("/*window*/", WINDOW_CELLS if windowed else "").replace(
            "/*read*/", "" if read_all else WINDOW_READ
        )
        + (WITH_SUCCESSIONS if successions else NO_SUCCESSIONS)
        + (WINDOWED if windowed else WHOLE)
        + UNIT_INFO
        + BODY
        + (WITH_PROVISIONAL if provisional else APPROVED_ONLY)
        + TAIL
    )


# The units that get rows (levels 1–3), read once and joined by hash.
UNIT_INFO = """
unit_info AS MATERIALIZED (
    SELECT id, level, valid_to FROM divisions_division WHERE level <= 3
),
"""
