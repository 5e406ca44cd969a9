"""The set-based full recompute: every attainment row in one `INSERT … SELECT` (PostgreSQL).

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

The catalogue (routes, targets, aggregation choices) is small: it is resolved in Python with
the same helpers as the per-row engine and passed as arrays. Property tests
(tests/attainment/test_engine_oracle*.py) require these rows to equal the per-row engine's.
"""

from __future__ import annotations

import datetime as dt

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


def sql_recompute(
    *,
    meta: list[tuple],
    routes: list[tuple],
    targets: list[tuple],
    columns: tuple[str, ...],
    any_submitted: bool,
    last: dt.date,
    now: dt.datetime,
) -> int:
    """Write every attainment row of the indicators in `meta` (their old rows already
    deleted) in one statement; returns the number of rows written.

    `meta`: (indicator, ratio?, time aggregation, year-to-date?, higher is better?,
    additive?); `routes`: (indicator, figure level, row level, authoritative own figure?);
    `targets`: (indicator, row level, target id, goal, baseline, baseline month, deadline),
    a None target for rows assessed against none; `columns`: the attainment columns in the
    order of the rows selected."""
    if not meta or not routes:
        return 0
    params = {
        "ids": [m[0] for m in meta],
        # Month indexes count months from year 0 with January as 1 (`year * 12 + month`).
        "last_idx": last.year * 12 + last.month,
        "now": now,
        "passes": [False, True] if any_submitted else [False],
    }
    names = {
        "m": ("ind", "ratio", "how", "ytd", "higher", "add"),
        "r": ("ind", "fig", "row", "own", "shared"),
        "t": ("ind", "level", "id", "goal", "base", "base_period", "deadline"),
    }
    # A route is shared when its rows also get an authoritative level's own figures.
    own_rows = {(ind, row) for ind, _fig, row, own in routes if own}
    routes = [(*r, (r[0], r[2]) in own_rows) for r in routes]
    for prefix, rows in (("m", meta), ("r", routes), ("t", targets)):
        params.update(
            {
                f"{prefix}_{name}": column
                for name, column in zip(
                    names[prefix], _columns(rows, len(names[prefix])), strict=True
                )
            }
        )
    quote = connection.ops.quote_name
    # Table and column names come from model metadata; every value is bound.
    head = f"INSERT INTO {quote(Attainment._meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(f'current_setting({n!r})' for n in PLANNER)}")
        before = cursor.fetchone()
        cursor.execute("SELECT EXISTS (SELECT 1 FROM divisions_divisionsuccession)")
        successions = cursor.fetchone()[0]
        _planner_set(cursor, PLANNER.values())
        cursor.execute(
            head + select_rows(successions=successions, provisional=any_submitted), params
        )
        written = cursor.rowcount
        # Transaction-local settings would outlive the statement in a caller's transaction.
        _planner_set(cursor, before)
    return written


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
                         %(m_ytd)s::bool[], %(m_higher)s::bool[], %(m_add)s::bool[])
        AS m(ind, is_ratio, how, ytd, higher, additive)
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
    WHERE f.indicator_id = ANY(%(ids)s::bigint[]) AND f.source = 'manual'
      AND (rep.status = 'approved' OR (p.prov AND rep.status = 'submitted'))
    UNION ALL
    SELECT p.prov, f.indicator_id, f.division_id, f.period,
        f.value, f.numerator, f.denominator, f.source
    FROM reports_datavalue f
    CROSS JOIN passes p
    WHERE f.indicator_id = ANY(%(ids)s::bigint[]) AND f.source = 'teams'
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
    WHERE d0.level <= 3
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
        mt.is_ratio, mt.how, mt.ytd, mt.higher,
        t.target_id, coalesce(t.target_id, 0) AS tkey, t.goal, t.base AS t_base,
        t.base_period AS t_base_period, t.deadline,
        (date_part('year', t.deadline) * 12 + date_part('month', t.deadline))::int
            AS deadline_idx,
        (date_part('year', s.period) * 12 + date_part('month', s.period))::int AS idx,
        date_part('year', s.period)::int AS yr,
        (date_part('year', ui.valid_to) * 12 + date_part('month', ui.valid_to))::int
            AS end_idx,
        -- Each month's own value, for yearly averages only (the other rows skip a division).
        CASE WHEN mt.how <> 'average' THEN NULL
             WHEN mt.is_ratio THEN CASE WHEN s.d <> 0 THEN s.n::{WIDE} / s.d * 100 END
             ELSE s.v END AS own_value,
        -- Running sums only where the time aggregation sums (over the year to date, or
        -- over the whole series).
        CASE WHEN mt.how = 'sum' AND NOT mt.is_ratio THEN coalesce(s.v, 0) END AS add_v,
        CASE WHEN mt.how = 'sum' AND mt.is_ratio THEN coalesce(s.n, 0) END AS add_n,
        CASE WHEN mt.how = 'sum' AND mt.is_ratio THEN coalesce(s.d, 0) END AS add_d,
        CASE WHEN s.m AND s.t THEN 'manual+teams' WHEN s.m THEN 'manual' ELSE 'teams' END
            AS src
    FROM series s
    JOIN unit_info ui ON ui.id = s.unit
    JOIN meta mt ON mt.ind = s.ind
    JOIN tgt t ON t.ind = s.ind AND t.level = ui.level
    OFFSET 0
),
-- Running sums over the series (w) and over its year (y), one sort for both, and from them
-- the series' value in each month with a figure (months without one carry it below). The
-- values are columns of this step, so the next window reads them instead of computing them
-- again.
running AS (
    SELECT k.*,
        lead(k.idx) OVER w AS next_idx,
        CASE WHEN k.how = 'sum' AND k.is_ratio THEN
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
        min(ARRAY[v.idx, round(v.actual_p, 6)]) FILTER (WHERE v.actual_p IS NOT NULL)
            OVER s AS first_actual,
        max(CASE WHEN v.idx <= v.deadline_idx
                      AND (v.next_idx IS NULL OR v.next_idx > v.deadline_idx)
                      AND v.yr = (v.deadline_idx - 1) / 12
                 THEN round(v.actual_p, 6) END) OVER s AS at_deadline
    FROM running v
    WINDOW s AS (PARTITION BY v.prov, v.ind, v.unit, v.tkey)
),
based AS (
    SELECT tm.*,
        CASE WHEN tm.goal IS NULL THEN NULL WHEN tm.target_id IS NOT NULL
             AND tm.t_base IS NOT NULL THEN tm.t_base ELSE tm.first_actual[2] END AS base,
        CASE WHEN tm.target_id IS NOT NULL AND tm.t_base IS NOT NULL
             THEN (date_part('year', tm.t_base_period) * 12
                   + date_part('month', tm.t_base_period))::int
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
),
aggregated AS (
    SELECT mo.prov, mo.ind, mo.unit, mo.period_m AS period, mo.mi AS idx, mo.higher,
        mo.target_id, mo.goal, mo.deadline, mo.deadline_idx, mo.start,
        -- A year-to-date window starts again each January (nothing counted yet in a year
        -- without a figure so far); an average is over the month's own year.
        CASE WHEN NOT (mo.new_year AND mo.ytd) THEN mo.period END AS data_period,
        CASE WHEN NOT mo.new_year THEN mo.actual_p END AS actual,
        CASE WHEN NOT mo.new_year THEN mo.n_p END AS n,
        CASE WHEN NOT mo.new_year THEN mo.d_p END AS d,
        CASE WHEN mo.new_year AND mo.ytd THEN '' ELSE mo.src END AS sources,
        CASE WHEN mo.goal IS NULL THEN NULL WHEN mo.target_id IS NOT NULL
             AND mo.t_base IS NOT NULL THEN mo.t_base_period
             ELSE make_date((mo.base_idx - 1) / 12, mod(mo.base_idx - 1, 12) + 1, 1) END
            AS base_period,
        mo.base, mo.base_idx,
        mo.period_m > mo.deadline AS after,
        CASE WHEN mo.period_m > mo.deadline THEN mo.at_deadline
             WHEN NOT mo.new_year THEN round(mo.actual_p, 6) END AS j
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
    %(now)s,
    f.base, f.base_period
FROM final f
"""


def select_rows(*, successions: bool, provisional: bool) -> str:
    """The statement's SELECT: the succession and provisional steps only when needed (each
    is a second aggregation or scan of every row)."""
    return (
        HEAD
        + (WITH_SUCCESSIONS if successions else NO_SUCCESSIONS)
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
