"""The set-based full recompute: every attainment row in one `INSERT … SELECT` (PostgreSQL).

The per-row engine (`attainment.engine`: `time_series`, `_reconstruct`, `assess` per row) reads
well and is the method's reference; this module computes the same rows inside the database,
reading the figures once:

1. counted cells — per indicator × unit × month a counted hand-typed figure, else the teams'
   one (`DISTINCT ON`, "manual" sorts first);
2. roll-up — each cell to its ancestor at every row level its indicator declares (one join
   with the parent and the grandparent), an authoritative level's own figure replacing the
   roll-up in the months it is given;
3. successions — a successor adds its predecessors' months before it started, × their share,
   rounded as stored;
4. time — a month grid per series up to the last month; running sums, the latest month with a
   figure (`MAX(period) OVER`), yearly averages, partitioned by year for year-to-date windows;
5. targets, baselines, values at the deadline, and the status, share, projection, month
   reached and rate of `attainment.method.assess` as SQL expressions of the same single
   divisions;
6. provisional rows (submitted figures counted too) only where they differ from approved ones.

The catalogue (routes, targets, aggregation choices) is small: it is resolved in Python with
the same helpers as the per-row engine and passed as arrays. Property tests
(tests/attainment/test_engine_oracle.py) require these rows to equal the per-row engine's.
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
WORK_MEM = "64MB"


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
        "last": last,
        "now": now,
        "passes": [False, True] if any_submitted else [False],
    }
    names = {
        "m": ("ind", "ratio", "how", "ytd", "higher", "add"),
        "r": ("ind", "fig", "row", "own"),
        "t": ("ind", "level", "id", "goal", "base", "base_period", "deadline"),
    }
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
        _planner_set(cursor, PLANNER.values())
        cursor.execute(head + SELECT_ROWS, params)
        written = cursor.rowcount
        # Transaction-local settings would outlive the statement in a caller's transaction.
        _planner_set(cursor, before)
    return written


# For this one statement (set and restored around it):
PLANNER = {
    # Hash joins and aggregates in memory instead of sorts spilled to disk (the default
    # 4 MB is meant for many small queries).
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
SELECT_ROWS = f"""
WITH
meta AS (
    SELECT * FROM unnest(%(m_ind)s::bigint[], %(m_ratio)s::bool[], %(m_how)s::text[],
                         %(m_ytd)s::bool[], %(m_higher)s::bool[], %(m_add)s::bool[])
        AS m(ind, is_ratio, how, ytd, higher, additive)
),
routes AS (
    SELECT * FROM unnest(%(r_ind)s::bigint[], %(r_fig)s::int[], %(r_row)s::int[],
                         %(r_own)s::bool[]) AS r(ind, fig_level, row_level, own)
),
tgt AS (
    SELECT * FROM unnest(%(t_ind)s::bigint[], %(t_level)s::int[], %(t_id)s::bigint[],
                         %(t_goal)s::numeric[], %(t_base)s::numeric[],
                         %(t_base_period)s::date[], %(t_deadline)s::date[])
        AS t(ind, level, target_id, goal, base, base_period, deadline)
),
passes AS (SELECT unnest(%(passes)s::bool[]) AS prov),
-- 1. Counted cells, per pass: a counted hand-typed figure wins over the teams' one.
cells AS (
    SELECT DISTINCT ON (p.prov, f.indicator_id, f.division_id, f.period)
        p.prov, f.indicator_id AS ind, f.division_id AS div, f.period,
        f.value AS v, f.numerator AS n, f.denominator AS d, f.source AS src
    FROM reports_datavalue f
    CROSS JOIN passes p
    LEFT JOIN reports_report rep ON rep.id = f.report_id
    WHERE f.indicator_id = ANY(%(ids)s::bigint[])
      AND (f.source = 'teams'
           OR (f.source = 'manual'
               AND (rep.status = 'approved' OR (p.prov AND rep.status = 'submitted'))))
    ORDER BY p.prov, f.indicator_id, f.division_id, f.period, f.source
),
-- 2. Each cell to its ancestor at every row level of its indicator's routes: the unit at
-- each level above every division (the division, its parent, its grandparent; levels are
-- distinct along a path), joined by hash, not looked up per figure.
ancestors AS MATERIALIZED (
    SELECT d0.id AS div, d0.level AS fig_level, x.level AS row_level, x.id AS unit
    FROM divisions_division d0
    LEFT JOIN divisions_division d1 ON d1.id = d0.parent_id
    LEFT JOIN divisions_division d2 ON d2.id = d1.parent_id
    CROSS JOIN LATERAL (VALUES (d0.level, d0.id), (d1.level, d1.id), (d2.level, d2.id))
        AS x(level, id)
    WHERE d0.level <= 3 AND x.id IS NOT NULL
),
placed AS (
    SELECT c.prov, c.ind, c.period, r.own, c.v, c.n, c.d, c.src, a.unit
    FROM cells c
    JOIN ancestors a ON a.div = c.div
    JOIN routes r ON r.ind = c.ind AND r.fig_level = a.fig_level AND r.row_level = a.row_level
),
rolled AS (
    SELECT prov, ind, unit, period, own, sum(v) AS v, sum(n) AS n, sum(d) AS d,
        bool_or(src = 'manual') AS m, bool_or(src = 'teams') AS t
    FROM placed
    GROUP BY prov, ind, unit, period, own
),
-- An authoritative own figure replaces the roll-up in its month.
overlaid AS (
    SELECT DISTINCT ON (prov, ind, unit, period) prov, ind, unit, period, v, n, d, m, t
    FROM rolled ORDER BY prov, ind, unit, period, own DESC
),
-- 3. Successors: their predecessors' months before they started, × share, as stored.
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
    SELECT prov, ind, unit, period, sum(v) AS v, sum(n) AS n, sum(d) AS d,
        bool_or(m) AS m, bool_or(t) AS t
    FROM (SELECT * FROM overlaid UNION ALL SELECT * FROM inherited) x
    GROUP BY prov, ind, unit, period
),
-- 4. Every month from a series' first to the last month, aggregated over time.
-- The units that get rows (levels 1–3), read once: later steps join these few rows by
-- hash instead of looking a unit up per row.
unit_info AS MATERIALIZED (
    SELECT id, level, valid_to FROM divisions_division WHERE level <= 3
),
bounds AS (
    SELECT s.prov, s.ind, s.unit, ui.level, ui.valid_to, min(s.period) AS first,
        greatest(%(last)s::date, max(s.period)) AS upto
    FROM series s JOIN unit_info ui ON ui.id = s.unit
    GROUP BY s.prov, s.ind, s.unit, ui.level, ui.valid_to
),
grid AS (
    SELECT b.prov, b.ind, b.unit, g.period::date AS period,
        (date_part('year', b.first) * 12 + date_part('month', b.first))::int + g.n::int - 1
            AS idx
    FROM bounds b
    CROSS JOIN LATERAL generate_series(b.first, b.upto, interval '1 month')
        WITH ORDINALITY AS g(period, n)
),
months AS (
    SELECT g.prov, g.ind, g.unit, g.period, g.idx, mt.is_ratio, mt.how, mt.higher,
        s.period AS present, s.v, s.n, s.d, s.m, s.t,
        (g.idx - 1) / 12 AS yr,
        CASE WHEN mt.ytd THEN (g.idx - 1) / 12 ELSE 0 END AS win,
        -- Each month's own value, for yearly averages only (the other rows skip a division).
        CASE WHEN mt.how <> 'average' THEN NULL
             WHEN mt.is_ratio THEN CASE WHEN s.d <> 0 THEN s.n::{WIDE} / s.d * 100 END
             ELSE s.v END AS own_value,
        -- Running sums only where the time aggregation sums.
        CASE WHEN mt.how = 'sum' AND NOT mt.is_ratio THEN coalesce(s.v, 0) END AS add_v,
        CASE WHEN mt.how = 'sum' AND mt.is_ratio THEN coalesce(s.n, 0) END AS add_n,
        CASE WHEN mt.how = 'sum' AND mt.is_ratio THEN coalesce(s.d, 0) END AS add_d
    FROM grid g
    JOIN meta mt ON mt.ind = g.ind
    LEFT JOIN series s ON (s.prov, s.ind, s.unit, s.period) = (g.prov, g.ind, g.unit, g.period)
),
running AS (
    SELECT mo.*,
        max(present) OVER w AS latest,
        sum(add_v) OVER w AS cum_v,
        sum(add_n) OVER w AS cum_n,
        sum(add_d) OVER w AS cum_d,
        sum(own_value) OVER y AS year_sum,
        count(own_value) OVER y AS year_count
    FROM months mo
    WINDOW w AS (PARTITION BY prov, ind, unit, win ORDER BY period),
           y AS (PARTITION BY prov, ind, unit, yr ORDER BY period)
),
-- The latest month's figures carried forward: the first row of each run of months that
-- share the same latest month is that month itself.
carried AS (
    SELECT r.*,
        first_value(v) OVER c AS lv, first_value(n) OVER c AS ln, first_value(d) OVER c AS ld,
        first_value(m) OVER c AS lm, first_value(t) OVER c AS lt
    FROM running r
    WINDOW c AS (PARTITION BY prov, ind, unit, win, latest ORDER BY period)
),
aggregated AS (
    SELECT r.prov, r.ind, r.unit, r.period, r.idx, r.higher, r.latest AS data_period,
        CASE WHEN r.latest IS NULL THEN NULL
             WHEN r.how = 'sum' AND r.is_ratio THEN
                CASE WHEN r.cum_d <> 0 THEN r.cum_n::{WIDE} / r.cum_d * 100 END
             WHEN r.how = 'sum' THEN r.cum_v
             WHEN r.how = 'average' THEN
                CASE WHEN r.year_count > 0 THEN r.year_sum::{WIDE} / r.year_count END
             WHEN r.is_ratio THEN CASE WHEN r.ld <> 0 THEN r.ln::{WIDE} / r.ld * 100 END
             ELSE r.lv END AS actual,
        CASE WHEN r.latest IS NULL OR r.how = 'average' THEN NULL
             WHEN r.how = 'sum' THEN CASE WHEN r.is_ratio THEN r.cum_n END
             ELSE r.ln END AS n,
        CASE WHEN r.latest IS NULL OR r.how = 'average' THEN NULL
             WHEN r.how = 'sum' THEN CASE WHEN r.is_ratio THEN r.cum_d END
             ELSE r.ld END AS d,
        CASE WHEN r.latest IS NULL THEN ''
             WHEN r.lm AND r.lt THEN 'manual+teams' WHEN r.lm THEN 'manual' ELSE 'teams' END
            AS sources
    FROM carried r
),
-- 5. Targets: the baseline (the target's, else the series' first value) and the value at
-- the deadline (only on a figure of the deadline's own year), both as stored.
firsts AS (
    SELECT DISTINCT ON (prov, ind, unit) prov, ind, unit, period, round(actual, 6) AS actual
    FROM aggregated WHERE actual IS NOT NULL ORDER BY prov, ind, unit, period
),
terms AS (
    SELECT u.prov, u.ind, u.unit, u.valid_to, t.target_id, t.goal, t.deadline,
        CASE WHEN t.goal IS NULL THEN NULL WHEN t.target_id IS NOT NULL AND t.base IS NOT NULL
             THEN t.base ELSE f.actual END AS base,
        CASE WHEN t.goal IS NULL THEN NULL WHEN t.target_id IS NOT NULL AND t.base IS NOT NULL
             THEN t.base_period ELSE f.period END AS base_period,
        (date_part('year', CASE WHEN t.target_id IS NOT NULL AND t.base IS NOT NULL
                                THEN t.base_period ELSE f.period END) * 12
         + date_part('month', CASE WHEN t.target_id IS NOT NULL AND t.base IS NOT NULL
                                   THEN t.base_period ELSE f.period END))::int AS base_idx,
        (date_part('year', t.deadline) * 12 + date_part('month', t.deadline))::int
            AS deadline_idx,
        CASE WHEN extract(year FROM a.data_period) = extract(year FROM t.deadline)
             THEN round(a.actual, 6) END AS at_deadline
    FROM bounds u
    JOIN tgt t ON t.ind = u.ind AND t.level = u.level
    LEFT JOIN firsts f ON (f.prov, f.ind, f.unit) = (u.prov, u.ind, u.unit)
    -- The grid is contiguous: the month at or before the deadline is the deadline's month,
    -- or the series' last month when it ends earlier.
    LEFT JOIN aggregated a ON (a.prov, a.ind, a.unit) = (u.prov, u.ind, u.unit)
        AND a.period = least(date_trunc('month', t.deadline)::date, u.upto)
),
judged AS (
    SELECT a.*, tm.target_id, tm.goal, tm.deadline, tm.base, tm.base_period, tm.base_idx,
        tm.deadline_idx, a.period > tm.deadline AS after,
        CASE WHEN a.period > tm.deadline THEN tm.at_deadline ELSE round(a.actual, 6) END AS j
    FROM aggregated a
    JOIN terms tm ON (tm.prov, tm.ind, tm.unit) = (a.prov, a.ind, a.unit)
    WHERE tm.valid_to IS NULL OR a.period <= tm.valid_to
),
-- `assess` (attainment.method): the baseline defaults to the value judged, months count
-- as whole months.
facts AS (
    SELECT jd.*,
        jd.goal IS NOT NULL AS has_goal,
        jd.goal IS NOT NULL AND jd.j IS NOT NULL AS assessed,
        coalesce(CASE WHEN jd.base_period IS NOT NULL THEN jd.base END, jd.j) AS b,
        CASE WHEN jd.base IS NOT NULL AND jd.base_period IS NOT NULL
             THEN jd.base_period ELSE jd.period END AS bp,
        CASE WHEN jd.higher THEN jd.j >= jd.goal ELSE jd.j <= jd.goal END AS met
    FROM judged jd
),
steps AS (
    SELECT fa.*,
        fa.goal - fa.b AS gap,
        fa.idx - fa.b_idx AS elapsed,
        fa.deadline_idx - fa.idx AS remaining,
        fa.deadline_idx - fa.b_idx AS total
    FROM (
        SELECT fc.*,
            CASE WHEN fc.base IS NOT NULL AND fc.base_period IS NOT NULL THEN fc.base_idx
                 ELSE fc.idx END AS b_idx
        FROM facts fc
    ) fa
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
-- 6. Approved rows, and provisional ones where their numbers differ.
final AS (
    SELECT r.* FROM rows r
    WHERE NOT r.prov OR NOT EXISTS (
        SELECT 1 FROM rows a
        WHERE NOT a.prov AND (a.ind, a.unit, a.period) = (r.ind, r.unit, r.period)
          AND a.target_id IS NOT DISTINCT FROM r.target_id
          AND round(a.actual, 6) IS NOT DISTINCT FROM round(r.actual, 6)
          AND round(a.n, 6) IS NOT DISTINCT FROM round(r.n, 6)
          AND round(a.d, 6) IS NOT DISTINCT FROM round(r.d, 6))
)
SELECT f.ind, f.target_id, coalesce(f.target_id, 0), f.unit, f.period, f.prov,
    f.actual, f.n, f.d, f.data_period, f.goal,
    CASE WHEN f.assessed THEN f.share END,
    coalesce(f.status, ''),
    CASE WHEN f.assessed AND NOT f.after THEN f.projected END,
    CASE WHEN f.has_goal AND f.after THEN f.j END,
    f.reached_in,
    CASE WHEN f.assessed AND NOT f.after AND NOT f.met THEN f.ratio END,
    f.sources,
    coalesce(st.start IS NOT NULL
             AND (f.period < st.start OR f.data_period < st.start), false),
    %(now)s,
    f.base, f.base_period
FROM final f
LEFT JOIN starts st ON st.unit = f.unit
"""  # noqa: S608
