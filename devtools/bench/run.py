"""One file over 500 lines: every benchmark step shares the timing, query-count and report code.

The benchmark: each cost of the portal against the fastest the same stack does on the same
data, in the same run (see devtools/bench/README.md and docs/PERFORMANCE.md).

Steps that need their own peak memory (the import, the full recompute) run in a child process
(`run_benchmark --child ...`) that reports its seconds, query count and peak RSS as JSON.
Everything the benchmark writes besides the synthetic data and the attainment rows is rolled
back.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from attainment.models import Attainment
from core import months as periods
from devtools.bench.scale_data import DEFAULT_SEED, NATIONAL, NATIONAL_FROM
from divisions.access import Role
from divisions.models import Division, Level, UserScope
from reports.models import DataValue, Report, ReportStatus, Source
from reports.services import FIGURE_COLUMNS
from targets.models import Indicator, Measurement, TimeAggregation

ROOT = Path(__file__).resolve().parent.parent.parent
RESULTS = ROOT / "devtools" / "bench" / "results.json"
SMOKE_RESULTS = ROOT / "devtools" / "bench" / "out" / "results-smoke.json"
BENCH_USERNAME = "bench_steering"
DASHBOARD_INDICATOR = "work_records_online"
MB = 1024 * 1024
NOTE = "Số liệu thử hiệu năng"


# A scale: N copies of the province, or NATIONAL (34 provinces, 3,321 communes), the largest.
Scale = int | str


def scale_order(scale: Scale) -> tuple[int, int]:
    """Smallest first; the national shape after every multiple of the province."""
    return (1, 0) if scale == NATIONAL else (0, int(scale))


@dataclass
class Sizes:
    """How much work each step does (full run vs the CI smoke run)."""

    import_rows: int = 20_000
    # None: 07/2022 (national: 07/2025, the reorganisation) to last month; n: the last n months.
    months: int | None = None
    api_requests: int = 20
    # Per page and round: a round's p95 of 50 is its 48th slowest, past 2 outliers (of 100: 5);
    # three rounds must each pass, so one bad round fails the figure anyway.
    page_requests: int = 50
    page_rounds: int = 3
    rollup_repeats: int = 3

    @classmethod
    def smoke(cls) -> Sizes:
        return cls(import_rows=2_000, months=2, api_requests=3, page_requests=3, rollup_repeats=1)


@dataclass
class Figure:
    """One measured figure with its goal."""

    name: str
    scale: str
    measured: float | None
    goal: str
    passed: bool | None
    unit: str = ""
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "scale": self.scale,
            "measured": self.measured,
            "unit": self.unit,
            "goal": self.goal,
            "pass": self.passed,
            "detail": self.detail,
        }


def peak_rss_mb() -> float:
    """Peak resident set size of this process, in MB.

    Linux: VmHWM of /proc/self/status, the high-water mark of this process image. (ru_maxrss
    is not used there: it carries over the parent's peak through fork + exec, so a child step
    would report the parent's memory.)
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def check_database() -> None:
    """PostgreSQL only, and never a database that looks like someone's working data."""
    if connection.vendor != "postgresql":
        raise RuntimeError(
            "run_benchmark needs PostgreSQL (it compares against COPY and GROUP BY ROLLUP). "
            "Create a separate database and point DATABASE_URL at it, e.g.\n"
            "  psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE cds_bench'\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/cds_bench make bench"
        )
    name = connection.settings_dict["NAME"] or ""
    if "bench" not in name and not name.startswith("test_"):
        raise RuntimeError(
            f"Database {name!r} is not a benchmark database: its name must contain 'bench' "
            "(e.g. cds_bench). The benchmark replaces every report and figure in it."
        )


def machine() -> dict:
    info: dict = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "platform": platform.platform(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        info["postgresql"] = cur.fetchone()[0]
        cur.execute("SHOW shared_buffers")
        info["pg_shared_buffers"] = cur.fetchone()[0]
        cur.execute("SHOW work_mem")
        info["pg_work_mem"] = cur.fetchone()[0]
    with contextlib.suppress(OSError):
        info["git_commit"] = subprocess.run(  # noqa: S603 - fixed command
            [shutil.which("git") or "git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    return info


def bench_user():
    """A steering-role user scoped to the province (the heaviest reader and the approver)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=BENCH_USERNAME, defaults={"email": "bench@example.invalid"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    group, _ = Group.objects.get_or_create(name=Role.STEERING.value)
    user.groups.add(group)
    if not UserScope.objects.filter(user=user).exists():
        # The province in force (Cà Mau; in the national shape, one of 34).
        UserScope.objects.create(user=user, division=Division.objects.province())
    return user


def months_range(sizes: Sizes, scale: Scale = 1) -> tuple[dt.date | None, dt.date | None]:
    """The months a scale generates: the last `sizes.months`; else every month since 07/2022,
    or for the national shape since 07/2025 (it exists only since the reorganisation)."""
    last = periods.previous_month(periods.current_month())
    if sizes.months is None:
        return (NATIONAL_FROM, last) if scale == NATIONAL else (None, None)
    first = last
    for _ in range(sizes.months - 1):
        first = periods.previous_month(first)
    return first, last


# --------------------------------------------------------------------------------------------
# Import: the upload view's function vs COPY of the same rows
# --------------------------------------------------------------------------------------------


def _import_value(ind: Indicator, rng: random.Random) -> tuple:
    """(value, numerator, denominator) as typed in the file, valid for the indicator."""
    if ind.measurement == Measurement.RATIO:
        den = rng.randint(50, 500)
        return None, rng.randint(0, den), den
    if ind.measurement == Measurement.SHARE:
        return f"{rng.uniform(0, 30):.2f}", None, None
    if ind.measurement == Measurement.AMOUNT:
        return f"{rng.uniform(5, 15):.1f}", None, None
    if ind.time_aggregation == TimeAggregation.LATEST:
        # Stocks may not fall below last month's value without a note.
        return rng.randint(50_000, 60_000), None, None
    return rng.randint(0, 500), None, None


def import_rows(target_rows: int, seed: int) -> list[tuple]:
    """The rows of one province-wide file: every unit of the bench user's province in force in
    the month (district-level units and communes), for every indicator they report, month
    after month from the newest, until `target_rows` rows. Rows: (indicator, division,
    period, value, numerator, denominator).
    """
    indicators = list(Indicator.objects.filter(is_active=True).order_by("code"))
    province = Division.objects.province()
    units = list(
        Division.objects.filter(
            level__in=(Level.DISTRICT, Level.COMMUNE), path__startswith=province.path
        ).order_by("path")
    )
    rng = random.Random(seed)
    rows: list[tuple] = []
    month = periods.current_month()
    while len(rows) < target_rows and month >= periods.REPORTING_START:
        end = periods.next_month(month) - dt.timedelta(days=1)
        in_force = [
            u
            for u in units
            if (u.valid_from is None or u.valid_from <= end)
            and (u.valid_to is None or u.valid_to >= month)
        ]
        for ind in indicators:
            rows += [
                (ind, div, month, *_import_value(ind, rng))
                for div in in_force
                if div.level in ind.reporting_levels
            ]
        month = periods.previous_month(month)
    return rows[:target_rows]


def reporting_units(rows: list[tuple]) -> dict[int, Division]:
    """Each row's unit → the unit whose monthly report holds its figures."""
    from reports.services import reporting_unit_of

    parents = {d.id: d for d in Division.objects.filter(level__lte=Level.DISTRICT)}
    return {div.id: reporting_unit_of(div, parents) for _i, div, *_v in rows}


def one_unit_month(rows: list[tuple], owners: dict[int, Division]):
    """(unit, month, rows) of the first reporting unit in the file's oldest month: what one
    unit's monthly template holds (a district and its communes, or a commune of 2025)."""
    month = min(r[2] for r in rows)
    first = min((r for r in rows if r[2] == month), key=lambda r: owners[r[1].id].path)
    unit = owners[first[1].id]
    return unit, month, [r for r in rows if r[2] == month and owners[r[1].id] == unit]


def _csv_bytes(rows: list[tuple]) -> bytes:
    from reports.imports import COLUMNS

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for ind, div, month, value, num, den in rows:
        writer.writerow(
            [
                ind.code,
                ind.name_vi,
                div.code,
                div.name,
                f"{month:%Y-%m}",
                "" if value is None else value,
                "" if num is None else num,
                "" if den is None else den,
                # A note lets a stock figure fall below last month (a warning, not an error).
                NOTE,
                "",
            ]
        )
    return out.getvalue().encode("utf-8")


def _parse_only(data: bytes) -> float:
    """Seconds to read the same file and parse its cells as the import does, writing
    nothing: the import's share spent in the file formats and the cell readers."""
    from reports.imports import parse_rows, read_dataset

    started = time.perf_counter()
    dataset, _header = read_dataset(SimpleUploadedFile("tinh.csv", data))
    parse_rows(dataset, None)
    return time.perf_counter() - started


def _fresh_user(user):
    """The same account as a new object: its role and scope are cached on the instance, and
    an upload request starts without them."""
    return type(user).objects.get(pk=user.pk)


def _import_file(user, name: str, data: bytes, *, unit, period) -> None:
    from reports.imports import figures_import

    outcome = figures_import(
        user=user,
        upload=SimpleUploadedFile(name, data),
        unit=unit,
        period=period,
        dry_run=False,
    )
    if not outcome.ok:
        raise RuntimeError(
            f"import of {name} refused: " + "; ".join(e.message for e in outcome.errors[:5])
        )


def _one_unit_statements(user, rows: list[tuple], owners: dict[int, Division]) -> dict:
    """Phase: the statements of one unit's monthly file (as the template holds it), counted
    with a fresh user object and rolled back."""
    unit, month, unit_rows = one_unit_month(rows, owners)
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        _import_file(
            _fresh_user(user), "don-vi.csv", _csv_bytes(unit_rows), unit=unit, period=month
        )
        transaction.set_rollback(True)
    return {"unit_file_rows": len(unit_rows), "unit_file_statements": len(ctx.captured_queries)}


def _timed_import(user, data: bytes) -> dict:
    """Phase: run figures_import on the province-wide file, timed, counting its statements
    and their time."""
    province = Division.objects.province()
    out: dict = {}
    user = _fresh_user(user)
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        _import_file(user, "tinh.csv", data, unit=province, period=None)
        out["import_seconds"] = time.perf_counter() - started
    out["import_queries"] = len(ctx.captured_queries)
    # Where the time went: the statements' own time, and reading + parsing alone.
    out["import_sql_seconds"] = sum(float(q["time"]) for q in ctx.captured_queries)
    out["import_parse_seconds"] = _parse_only(data)
    out["import_peak_rss_mb"] = peak_rss_mb()
    return out


def _resolved_rows(rows: list[tuple], owners: dict[int, Division], user) -> list[tuple]:
    """Phase: the imported rows resolved to ids as the import stored them, as COPY columns."""
    reports = {
        (r.division_id, r.period): r.id
        for r in Report.objects.filter(
            division__in={u.id for u in owners.values()},
            period__in={m for _i, _d, m, *_v in rows},
        )
    }
    stamp = dt.datetime.now(dt.UTC).isoformat()
    resolved = []
    for ind, div, month, value, num, den in rows:
        if num is not None:
            value = f"{num / den * 100:.4f}" if den else None
        resolved.append(
            (
                ind.pk,
                div.pk,
                month.isoformat(),
                value,
                num,
                den,
                NOTE,
                1,
                Source.MANUAL.value,
                reports[(owners[div.id].id, month)],
                stamp,
                stamp,
                user.pk,
            )
        )
    return resolved


def _copy_into_scratch(resolved: list[tuple]) -> dict:
    """Phase: COPY the rows into a copy of the figures table (same columns, indexes and
    checks), timed: the floor any import could reach."""
    table = DataValue._meta.db_table
    out: dict = {}
    with connection.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE bench_copy (LIKE {table} INCLUDING ALL)")
        started = time.perf_counter()
        buf = io.StringIO()
        for row in resolved:
            buf.write("\t".join("\\N" if v is None else str(v) for v in row))
            buf.write("\n")
        buf.seek(0)
        cur.cursor.copy_expert(
            f"COPY bench_copy ({', '.join(FIGURE_COLUMNS)}) FROM STDIN WITH (FORMAT text)", buf
        )
        out["copy_seconds"] = time.perf_counter() - started
        cur.execute("SELECT count(*) FROM bench_copy")
        out["copy_rows"] = cur.fetchone()[0]
    return out


def step_import(*, target_rows: int, seed: int) -> dict:
    """Import one province-wide file of `target_rows` figures (every unit, as many months as
    it takes) with reports.imports.figures_import, as the steering staff's upload does, then
    COPY the same rows into a scratch copy of the figures table; before it, count the
    statements of one unit's monthly file. Everything is rolled back."""
    user = bench_user()
    rows = import_rows(target_rows, seed)
    data = _csv_bytes(rows)
    owners = reporting_units(rows)
    months = {m for _i, _d, m, *_v in rows}
    out: dict = {
        "rows": len(rows),
        "files": 1,
        "months": len(months),
        "units": len({d.pk for _i, d, *_v in rows}),
    }
    rss_before = peak_rss_mb()
    with transaction.atomic():
        # Months already approved are reopened as drafts (setup, not timed).
        Report.objects.filter(period__in=months).update(
            status=ReportStatus.DRAFT, approved_at=None, approved_by=None
        )
        out.update(_one_unit_statements(user, rows, owners))
        out.update(_timed_import(user, data))
        out.update(_copy_into_scratch(_resolved_rows(rows, owners, user)))
        transaction.set_rollback(True)
    out["rss_before_mb"] = rss_before
    return out


# --------------------------------------------------------------------------------------------
# Attainment: full recompute, ROLLUP baseline, incremental after one approval
# --------------------------------------------------------------------------------------------


def step_recompute() -> dict:
    from attainment.engine import attainment_recompute

    rss_before = peak_rss_mb()
    backend = _backend_pid()
    # The recompute's GROUP BYs may use parallel workers, whose CPU is not counted here: the
    # CPU figure is a lower bound for the database's share.
    db_cpu, cpu = _backend_cpu_seconds(backend), time.process_time()
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        result = attainment_recompute()
        seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    db_cpu_after = _backend_cpu_seconds(backend)
    peak = peak_rss_mb()
    by_kind: dict[str, float] = {}
    for q in ctx.captured_queries:
        kind = q["sql"].lstrip().split(" ", 1)[0].upper()
        by_kind[kind] = by_kind.get(kind, 0.0) + float(q["time"])
    return {
        "recompute_seconds": seconds,
        # Where the time went: statements by kind (SELECT = the GROUP BYs, COPY = the write).
        "recompute_sql_seconds_by_kind": by_kind,
        **_write_floor(),
        # CPU of this process + its PostgreSQL backend: the work done, whatever else runs.
        "recompute_cpu_seconds": (
            cpu + db_cpu_after - db_cpu if db_cpu is not None and db_cpu_after is not None else None
        ),
        "recompute_rows": result.rows,
        "recompute_queries": len(ctx.captured_queries),
        "recompute_peak_rss_mb": peak,
        "rss_before_mb": rss_before,
    }


def _write_floor() -> dict:
    """The least any recompute storing these rows can cost to write them: one
    INSERT … SELECT of the attainment rows just written into an empty copy of the table
    (same columns, indexes and checks, logged like it), with no parsing and no computing.
    Rolled back."""
    table = Attainment._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"CREATE TABLE bench_floor (LIKE {table} INCLUDING ALL)")
        started = time.perf_counter()
        cur.execute(f"INSERT INTO bench_floor SELECT * FROM {table}")  # noqa: S608 - model table
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return {"write_floor_seconds": seconds}


ROLLUP_SQL = """
SELECT dv.indicator_id, dv.period, lv.l1, lv.l2, lv.l3,
       SUM(dv.value), SUM(dv.numerator), SUM(dv.denominator), COUNT(*)
FROM {dv} dv
JOIN {rep} r ON r.id = dv.report_id AND r.status = 'approved'
JOIN {div} d ON d.id = dv.division_id
LEFT JOIN {div} p ON p.id = d.parent_id
LEFT JOIN {div} g ON g.id = p.parent_id
CROSS JOIN LATERAL (
    SELECT CASE d.level WHEN 1 THEN d.id WHEN 2 THEN p.id ELSE g.id END AS l1,
           CASE d.level WHEN 2 THEN d.id WHEN 3 THEN p.id END AS l2,
           CASE d.level WHEN 3 THEN d.id END AS l3
) lv
GROUP BY dv.indicator_id, dv.period, ROLLUP (lv.l1, lv.l2, lv.l3)
"""


def step_rollup(repeats: int) -> dict:
    """One GROUP BY ROLLUP summing every approved figure up province/district/commune."""
    sql = ROLLUP_SQL.format(
        dv=DataValue._meta.db_table, rep=Report._meta.db_table, div=Division._meta.db_table
    )
    times, rows = [], 0
    for _ in range(repeats):
        with connection.cursor() as cur:
            started = time.perf_counter()
            cur.execute(sql)
            rows = len(cur.fetchall())
            times.append(time.perf_counter() - started)
    return {"rollup_seconds": statistics.median(times), "rollup_rows": rows}


def _approve_again(user, district: Division, month: dt.date) -> float:
    """Phase: put the district-month back to submitted and approve it with report_approve
    (which queues the recompute in the outbox); returns the approval's seconds."""
    from reports.services import report_approve

    # The synthetic reports are the bench user's own: as submitted by nobody, separation of
    # duties lets the same user approve.
    Report.objects.filter(division=district, period=month).update(
        status=ReportStatus.SUBMITTED, approved_at=None, approved_by=None, submitted_by=None
    )
    report = Report.objects.get(division=district, period=month)
    started = time.perf_counter()
    report_approve(user=user, report=report)
    return time.perf_counter() - started


def step_incremental(repeats: int = 5) -> dict:
    """Approve one district-month through report_approve, then drain the outbox the way the
    Celery task does (a recompute scoped to that district from that month). Rolled back.

    A Celery worker is a long-lived process: one untimed run first (imports, first queries),
    then the median of `repeats` runs, each rolled back. The statements are counted in the
    untimed run only: CaptureQueriesContext forces Django's debug cursor (a log entry per
    statement), which a worker does not run with.
    """
    from attainment.outbox import outbox_drain

    user = bench_user()
    # Thới Bình, else the first district with reports; in the national shape (no districts
    # report) the first province.
    reporting = Division.objects.filter(pk__in=Report.objects.values("division_id"))
    district = (
        reporting.filter(level=Level.DISTRICT, code="967").first()
        or reporting.filter(level=Level.DISTRICT).order_by("path").first()
        or reporting.order_by("path").first()
    )
    month = Report.objects.filter(division=district).order_by("-period").first().period
    out: dict = {"district": district.code, "month": f"{month:%Y-%m}", "repeats": repeats}
    with transaction.atomic():
        _approve_again(user, district, month)
        with CaptureQueriesContext(connection) as ctx:
            out["drained"] = outbox_drain()
        out["incremental_queries"] = len(ctx.captured_queries)
        transaction.set_rollback(True)
    approve, drain = [], []
    for _ in range(repeats):
        with transaction.atomic():
            approve.append(_approve_again(user, district, month))
            started = time.perf_counter()
            out["drained"] = outbox_drain()
            drain.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    out["approve_seconds"] = statistics.median(approve)
    out["incremental_seconds"] = statistics.median(drain)
    out["incremental_seconds_all"] = drain
    return out


# --------------------------------------------------------------------------------------------
# Web: API vs bare JsonResponse, dashboard latency
# --------------------------------------------------------------------------------------------

WEB_SETTINGS = {
    "ROOT_URLCONF": "devtools.bench.urls",
    "ALLOWED_HOSTS": ["testserver", "127.0.0.1", "localhost"],
    "SECURE_SSL_REDIRECT": False,
}


def _timed_get(client: Client, url: str) -> float:
    return _timed_get_cpu(client, url)[0]


def _timed_get_cpu(client: Client, url: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one GET. CPU time leaves out the
    database's share but is far less disturbed by other work on the machine."""
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: HTTP {response.status_code}")
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return time.perf_counter() - started, time.process_time() - cpu


def step_api(requests: int) -> dict:
    user = bench_user()
    out: dict = {}
    with override_settings(**WEB_SETTINGS):
        client = Client()
        client.force_login(user)
        pairs = {
            "json": ("/api/v1/values/?page_size=5000", "/__bench__/values.json"),
            "csv": ("/api/v1/values/?page_size=5000&format=csv", "/__bench__/values.csv"),
        }
        api_rows = len(client.get(pairs["json"][0]).json()["results"])
        bare_rows = len(client.get(pairs["json"][1]).json()["results"])
        out["rows"] = {"api": api_rows, "bare": bare_rows}
        for kind, (api_url, bare_url) in pairs.items():
            _timed_get(client, api_url)
            _timed_get(client, bare_url)
            api_t = bare_t = 0.0
            # Interleaved, so drift of the machine hits both alike.
            for _ in range(requests):
                api_t += _timed_get(client, api_url)
                bare_t += _timed_get(client, bare_url)
            with CaptureQueriesContext(connection) as ctx:
                _timed_get(client, api_url)
            out[kind] = {
                "api_rps": requests / api_t,
                "bare_rps": requests / bare_t,
                "api_queries": len(ctx.captured_queries),
                "requests": requests,
            }
    return out


def dashboard_pages() -> dict[str, str]:
    return {
        "province": "/dashboard/",
        "districts": "/dashboard/districts/",
        "indicator": f"/dashboard/indicator/{DASHBOARD_INDICATOR}/",
    }


def _backend_cpu_seconds(pid: int | None) -> float | None:
    """CPU time used so far by the PostgreSQL backend serving us (same machine only)."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backend_pid() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return cur.fetchone()[0]


def _page_round(client: Client, url: str, requests: int, backend: int) -> dict:
    """Phase: one round of one page: 2 warm-ups, `requests` timed GETs, `requests` more for
    the CPU figure, then one GET whose statements are counted."""
    _timed_get(client, url)
    _timed_get(client, url)
    samples = [_timed_get_cpu(client, url) for _ in range(requests)]
    times = sorted(wall for wall, _cpu in samples)
    # CPU pass: parallel query workers are separate processes whose CPU we cannot read, so
    # this pass runs without them (only for the CPU figure).
    with connection.cursor() as cur:
        cur.execute("SET max_parallel_workers_per_gather = 0")
    db_cpu = _backend_cpu_seconds(backend)
    cpu_samples = [_timed_get_cpu(client, url) for _ in range(requests)]
    db_cpu_after = _backend_cpu_seconds(backend)
    with connection.cursor() as cur:
        cur.execute("RESET max_parallel_workers_per_gather")
    with CaptureQueriesContext(connection) as ctx:
        _timed_get(client, url)
    p95_index = min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))
    return {
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": times[p95_index] * 1000,
        "min_ms": times[0] * 1000,
        "median_cpu_ms": statistics.median(cpu for _wall, cpu in samples) * 1000,
        # CPU of this process + of its PostgreSQL backend per request: unlike wall time,
        # hardly disturbed by other work on the machine.
        "cpu_ms_per_request": (
            (sum(cpu for _wall, cpu in cpu_samples) + (db_cpu_after - db_cpu)) / requests * 1000
            if db_cpu is not None and db_cpu_after is not None
            else None
        ),
        "queries": len(ctx.captured_queries),
        "requests": requests,
    }


def step_dashboards(requests: int, rounds: int = 1) -> dict:
    """Each dashboard page measured `rounds` times in a row, the rounds interleaved by page
    (round 1 of every page, then round 2, ...): {page: {"rounds": [one round's figures]}}."""
    user = bench_user()
    out: dict = {name: {"rounds": []} for name in dashboard_pages()}
    with override_settings(**WEB_SETTINGS):
        client = Client()
        client.force_login(user)
        backend = _backend_pid()
        for _ in range(rounds):
            for name, url in dashboard_pages().items():
                out[name]["rounds"].append(_page_round(client, url, requests, backend))
    return out


# --------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] or "postgres"
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def run_child(step: str, **params) -> dict:
    """Run one step in a fresh process; returns its JSON (with its own peak RSS)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        cmd = [
            sys.executable,
            str(ROOT / "manage.py"),
            "run_benchmark",
            "--child",
            step,
            "--child-params",
            json.dumps(params),
            "--child-out",
            str(out),
        ]
        env = {**os.environ, "DATABASE_URL": database_url()}
        done = subprocess.run(  # noqa: S603 - our own manage.py
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"benchmark step {step} failed:\n{done.stdout}\n{done.stderr}")
        return json.loads(out.read_text())


def child_main(step: str, params: dict, out: Path) -> None:
    connection.close()  # a fresh connection in this process
    with override_settings(DEBUG=False):
        if step == "import":
            result = step_import(target_rows=params["rows"], seed=params["seed"])
        elif step == "recompute":
            result = step_recompute()
        else:
            raise ValueError(step)
    out.write_text(json.dumps(result))


def measure_scale(scale: Scale, sizes: Sizes, seed: int, log) -> dict:
    first, last = months_range(sizes, scale)
    log(f"== scale {scale}: generating")
    buf = io.StringIO()
    started = time.perf_counter()
    call_command(
        "generate_scale_data",
        scale=scale,
        seed=seed,
        months_from=first,
        months_to=last,
        replace_synthetic=True,
        not_production=True,
        stdout=buf,
    )
    m: dict = {"generate_seconds": time.perf_counter() - started, "generate": buf.getvalue()}
    m["figures"] = DataValue.objects.count()
    m["divisions"] = Division.objects.count()
    m["reports"] = Report.objects.count()
    log(buf.getvalue().strip())
    log(f"== scale {scale}: full recompute (child process)")
    m["recompute"] = run_child("recompute")
    log(f"   {m['recompute']['recompute_seconds']:.1f}s, {m['recompute']['recompute_rows']} rows")
    log(f"== scale {scale}: GROUP BY ROLLUP baseline")
    m["rollup"] = step_rollup(sizes.rollup_repeats)
    log(f"== scale {scale}: incremental recompute after one approval")
    m["incremental"] = step_incremental()
    log(f"== scale {scale}: dashboards")
    m["dashboards"] = step_dashboards(sizes.page_requests, sizes.page_rounds)
    # Diagnosis, not a goal: the same pages once the planner has statistics of the attainment
    # table the recompute just rewrote (autovacuum may not have analysed it yet); one round.
    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {Attainment._meta.db_table}")
    m["dashboards_after_analyze"] = step_dashboards(sizes.page_requests)
    log(f"== scale {scale}: API vs bare JsonResponse")
    m["api"] = step_api(sizes.api_requests)
    log(f"== scale {scale}: import {sizes.import_rows} rows (child process)")
    m["import"] = run_child("import", rows=sizes.import_rows, seed=seed)
    return m


def _fig(out, name, scale, measured, goal, passed, unit="", **detail):
    out.append(Figure(name, str(scale), measured, goal, passed, unit, detail))


def _import_figures(figs: list[Figure], s: Scale, imp: dict) -> None:
    """Phase: the province-wide file's time against COPY and its statements per row, and the
    statements of one unit's monthly file, at scale `s`."""
    ratio = imp["import_seconds"] / imp["copy_seconds"]
    _fig(
        figs,
        "import: real path ÷ COPY (time)",
        s,
        ratio,
        "≤ 5",
        ratio <= 5,
        "×",
        import_seconds=imp["import_seconds"],
        copy_seconds=imp["copy_seconds"],
        rows=imp["rows"],
        files=imp["files"],
    )
    qpr = imp["import_queries"] / imp["rows"]
    _fig(
        figs,
        "import: queries per row",
        s,
        qpr,
        "≤ 0.01",
        qpr <= 0.01,
        "queries/row",
        queries=imp["import_queries"],
        rows=imp["rows"],
        units=imp["units"],
        months=imp["months"],
    )
    unit_statements = imp["unit_file_statements"]
    _fig(
        figs,
        "import: statements of one unit's monthly file",
        s,
        float(unit_statements),
        "≤ 12",
        unit_statements <= 12,
        "statements",
        rows=imp["unit_file_rows"],
    )


def _api_figures(figs: list[Figure], s: Scale, api: dict) -> None:
    """Phase: the values API (JSON and CSV) against a bare JsonResponse, at scale `s`."""
    for kind in ("json", "csv"):
        a = api[kind]
        r = a["api_rps"] / a["bare_rps"]
        _fig(
            figs,
            f"API values/ {kind.upper()}: rps ÷ bare rps",
            s,
            r,
            "≥ 0.5",
            r >= 0.5,
            "×",
            api_rps=a["api_rps"],
            bare_rps=a["bare_rps"],
            rows=api["rows"],
            requests=a["requests"],
        )


def _recompute_figures(figs: list[Figure], s: Scale, m: dict) -> None:
    """Phase: the full recompute against GROUP BY ROLLUP, the incremental one against the full."""
    rec, roll = m["recompute"], m["rollup"]
    r = rec["recompute_seconds"] / roll["rollup_seconds"]
    _fig(
        figs,
        "full recompute ÷ GROUP BY ROLLUP (time)",
        s,
        r,
        "≤ 3",
        r <= 3,
        "×",
        recompute_seconds=rec["recompute_seconds"],
        rollup_seconds=roll["rollup_seconds"],
        attainment_rows=rec["recompute_rows"],
        figures=m["figures"],
        queries=rec["recompute_queries"],
    )
    inc = m["incremental"]
    r = inc["incremental_seconds"] / rec["recompute_seconds"]
    _fig(
        figs,
        "incremental recompute (one district-month) ÷ full",
        s,
        r,
        "≤ 0.02 (1/50)",
        r <= 0.02,
        "×",
        incremental_seconds=inc["incremental_seconds"],
        full_seconds=rec["recompute_seconds"],
        district=inc["district"],
        month=inc["month"],
    )


def _recompute_growth_figures(figs: list[Figure], measures: dict, lo: Scale, hi: Scale) -> None:
    """Phase: the full recompute's seconds and CPU per figure, scale `hi` ÷ scale `lo`."""
    label = f"{hi}/{lo}"
    a, b = measures[lo], measures[hi]
    per_lo = a["recompute"]["recompute_seconds"] / a["figures"]
    per_hi = b["recompute"]["recompute_seconds"] / b["figures"]
    r = per_hi / per_lo
    _fig(
        figs,
        "recompute growth: s/figure ratio",
        label,
        r,
        "≤ 1.0 (linear)",
        r <= 1.0,
        "×",
        seconds={str(lo): a["recompute"]["recompute_seconds"], str(hi): per_hi * b["figures"]},
        figure_counts={str(lo): a["figures"], str(hi): b["figures"]},
    )
    ca, cb = (
        a["recompute"].get("recompute_cpu_seconds"),
        b["recompute"].get("recompute_cpu_seconds"),
    )
    r = (cb / b["figures"]) / (ca / a["figures"]) if ca and cb else None
    _fig(
        figs,
        "recompute growth: CPU s/figure ratio",
        label,
        r,
        "≤ 1.0 (linear)",
        r is not None and r <= 1.0,
        "×",
        cpu_seconds={str(lo): ca, str(hi): cb},
    )


def _round_ratios(a: dict, b: dict, key: str) -> list[dict]:
    """Round i at the larger scale against round i at the smaller: {lo, hi, ratio} each."""
    return [
        {
            "lo": ra.get(key),
            "hi": rb.get(key),
            "ratio": rb[key] / ra[key] if ra.get(key) and rb.get(key) else None,
        }
        for ra, rb in zip(a["rounds"], b["rounds"], strict=False)
    ]


def _worst_ratio_figure(figs, name, label, rounds: list[dict], **detail) -> None:
    """Phase: a ratio goal met only when every round meets it; shows the worst round."""
    ratios = [r["ratio"] for r in rounds]
    known = [r for r in ratios if r is not None]
    worst = max(known) if known else None
    passed = bool(rounds) and len(known) == len(ratios) and worst <= 1.2
    goal = f"≤ 1.2, all {len(rounds)} rounds"
    _fig(figs, name, label, worst, goal, passed, "×", rounds=rounds, **detail)


def _page_growth_figures(
    figs: list[Figure], page: str, a: dict, b: dict, lo: Scale, hi: Scale
) -> None:
    """Phase: one dashboard page's CPU, latencies and query count, scale `hi` vs `lo` (`a`,
    `b` their measurements), round by round: each goal holds only if it holds in every
    round, and the figure shows the worst round."""
    label = f"{hi}/{lo}"
    pa, pb = a["dashboards"][page], b["dashboards"][page]
    cpu = _round_ratios(pa, pb, "cpu_ms_per_request")
    _worst_ratio_figure(figs, f"dashboard {page}: CPU per request ratio", label, cpu)
    qa, qb = a["dashboards_after_analyze"][page], b["dashboards_after_analyze"][page]
    for stat in ("median_ms", "p95_ms"):
        _worst_ratio_figure(
            figs,
            f"dashboard {page}: {stat.split('_')[0]} latency ratio",
            label,
            _round_ratios(pa, pb, stat),
            min_ms={
                str(lo): [r["min_ms"] for r in pa["rounds"]],
                str(hi): [r["min_ms"] for r in pb["rounds"]],
            },
            after_analyze=_round_ratios(qa, qb, stat),
        )
    counts = [
        {"lo": ra["queries"], "hi": rb["queries"], "difference": rb["queries"] - ra["queries"]}
        for ra, rb in zip(pa["rounds"], pb["rounds"], strict=False)
    ]
    worst = max((c["difference"] for c in counts), key=abs, default=None)
    _fig(
        figs,
        f"dashboard {page}: query count difference",
        label,
        None if worst is None else float(worst),
        f"= 0, all {len(counts)} rounds",
        bool(counts) and all(c["difference"] == 0 for c in counts),
        "queries",
        rounds=counts,
    )


def _memory_figures(figs: list[Figure], measures: dict, scale: Scale) -> None:
    """Phase: the peak RSS of the import and of the full recompute at one scale."""
    for step, key in (("import", "import_peak_rss_mb"), ("recompute", "recompute_peak_rss_mb")):
        mb = measures[scale][step][key]
        _fig(
            figs,
            f"memory: peak RSS of {step}",
            scale,
            mb,
            "< 500 MB",
            mb < 500,
            "MB",
            process_rss_before_step_mb=measures[scale][step]["rss_before_mb"],
        )


def figures_from(measures: dict[Scale, dict]) -> list[Figure]:
    """The goals, in the results' order: per scale the import, API and recompute ratios; then
    growth from the smallest scale to each larger one (N=1 → N=10 and N=1 → national), with
    memory at each larger scale (at the only one for a single scale)."""
    figs: list[Figure] = []
    scales = sorted(measures, key=scale_order)
    for s in scales:
        m = measures[s]
        _import_figures(figs, s, m["import"])
        _api_figures(figs, s, m["api"])
        _recompute_figures(figs, s, m)
    lo = scales[0]
    for hi in scales[1:]:
        _recompute_growth_figures(figs, measures, lo, hi)
        for page in dashboard_pages():
            _page_growth_figures(figs, page, measures[lo], measures[hi], lo, hi)
        _memory_figures(figs, measures, hi)
    if len(scales) == 1:
        _memory_figures(figs, measures, lo)
    return figs


def format_table(figs: list[Figure]) -> str:
    lines = [f"{'figure':<52} {'scale':>10} {'measured':>12} {'goal':>20}  result"]
    lines.append("-" * len(lines[0]))
    for f in figs:
        value = "—" if f.measured is None else f"{f.measured:.4g}"
        verdict = "PASS" if f.passed else "FAIL"
        lines.append(f"{f.name:<52} {f.scale:>10} {value:>12} {f.goal:>20}  {verdict}")
    passed = sum(1 for f in figs if f.passed)
    lines.append(f"{passed}/{len(figs)} goals met")
    return "\n".join(lines)


def run(
    *, scales: list[Scale], sizes: Sizes, seed: int = DEFAULT_SEED, out: Path = RESULTS, log=print
) -> dict:
    check_database()
    # The benchmark database follows the code (it holds nothing but synthetic data).
    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    load_before = os.getloadavg()
    measures = {}
    debug = bool(settings.DEBUG)
    # Measure without DEBUG's query log (CaptureQueriesContext turns it on where we count).
    with override_settings(DEBUG=False):
        for scale in scales:
            measures[scale] = measure_scale(scale, sizes, seed, log)
    figs = figures_from(measures)
    result = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "smoke": sizes.months is not None,
        "scales": scales,
        "sizes": sizes.__dict__,
        "machine": machine(),
        # Other work on the machine during the run (1, 5, 15 min load averages): the ratios
        # within one scale are measured back to back, ratios across scales are more exposed.
        "load_average": {"start": load_before, "end": os.getloadavg()},
        "debug_at_start": debug,
        "seconds": time.perf_counter() - started,
        "figures": [f.as_dict() for f in figs],
        "measurements": {str(k): v for k, v in measures.items()},
    }
    # Busy: other work at the start, or beyond our own (~1.5: this process + PostgreSQL) at the end.
    half = 0.5 * (os.cpu_count() or 1)
    busy = load_before[0] > half or result["load_average"]["end"][0] > half + 1.5
    result["machine_busy"] = busy
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    log(format_table(figs))
    if busy:
        log(
            "WARNING: the machine was busy (load average above half the cores): latencies "
            "compared across scales (dashboards) are unreliable in this run."
        )
    log(f"results written to {out} ({result['seconds']:.0f}s)")
    return result


# --------------------------------------------------------------------------------------------
# Profiles (for docs/PERFORMANCE.md): where the time of a failing step goes
# --------------------------------------------------------------------------------------------


def profile(step: str, *, rows: int = 2000, seed: int = DEFAULT_SEED, top: int = 25) -> str:
    """cProfile one step on the data in the database, plus its slowest SQL statements."""
    import cProfile
    import pstats

    check_database()
    prof = cProfile.Profile()
    with override_settings(DEBUG=False), CaptureQueriesContext(connection) as ctx:
        prof.enable()
        if step == "import":
            step_import(target_rows=rows, seed=seed)
        elif step == "recompute":
            step_recompute()
        elif step == "incremental":
            step_incremental()
        elif step.startswith("page:"):
            with override_settings(**WEB_SETTINGS):
                client = Client()
                client.force_login(bench_user())
                _timed_get(client, dashboard_pages()[step.split(":", 1)[1]])
        else:
            raise RuntimeError(
                f"unknown step {step!r}: import, recompute, incremental, page:<name>"
            )
        prof.disable()
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(top)
    slow = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:10]
    text.write(f"\n{len(ctx.captured_queries)} queries; slowest:\n")
    for q in slow:
        text.write(f"{q['time']}s  {q['sql'][:300]}\n")
    return text.getvalue()


def _num(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _goal_table(results: dict) -> list[str]:
    """Phase: one Markdown row per goal figure."""
    lines = [
        "| figure | scale | measured | goal | result |",
        "|---|---|---|---|---|",
    ]
    for f in results["figures"]:
        value = "—" if f["measured"] is None else f"{_num(f['measured'])} {f['unit']}".strip()
        verdict = "PASS" if f["pass"] else "**FAIL**"
        lines.append(f"| {f['name']} | {f['scale']} | {value} | {f['goal']} | {verdict} |")
    return lines


def _step_rows() -> list[tuple[str, object]]:
    """The raw measurements of the data, import, recompute and API steps: (label, getter)."""
    rows: list[tuple[str, object]] = [
        ("figures", lambda m: m["figures"]),
        ("divisions", lambda m: m["divisions"]),
        ("generate (s)", lambda m: m["generate_seconds"]),
        (
            "import of one province-wide file (s)",
            lambda m: (
                f"{m['import']['import_seconds']:.2f} ({m['import']['rows']:,} rows, "
                f"{m['import']['units']} units, {m['import']['months']} months)"
            ),
        ),
        ("COPY of the same rows (s)", lambda m: m["import"]["copy_seconds"]),
        ("import statements (one file)", lambda m: m["import"]["import_queries"]),
        (
            "statements of one unit's monthly file",
            lambda m: (
                f"{m['import']['unit_file_statements']} ({m['import']['unit_file_rows']} rows)"
            ),
        ),
        ("… of which SQL statements' own time (s)", lambda m: m["import"]["import_sql_seconds"]),
        (
            "… reading + parsing the same files alone (s)",
            lambda m: m["import"]["import_parse_seconds"],
        ),
        ("full recompute (s)", lambda m: m["recompute"]["recompute_seconds"]),
    ]
    for kind in ("SELECT", "COPY", "DELETE", "ANALYZE"):
        rows.append(
            (
                f"… of which {kind} statements (s)",
                lambda m, k=kind: m["recompute"]["recompute_sql_seconds_by_kind"].get(k, 0.0),
            )
        )
    rows += [
        (
            "INSERT … SELECT of the recompute's rows into an empty copy of the table (s)",
            lambda m: m["recompute"]["write_floor_seconds"],
        ),
        (
            "full recompute CPU, app + PostgreSQL (s)",
            lambda m: m["recompute"]["recompute_cpu_seconds"],
        ),
        ("attainment rows written", lambda m: m["recompute"]["recompute_rows"]),
        ("GROUP BY ROLLUP (s)", lambda m: m["rollup"]["rollup_seconds"]),
        ("incremental recompute (s)", lambda m: m["incremental"]["incremental_seconds"]),
        (
            "API JSON rps / bare rps",
            lambda m: f"{m['api']['json']['api_rps']:.1f} / {m['api']['json']['bare_rps']:.1f}",
        ),
        (
            "API CSV rps / bare rps",
            lambda m: f"{m['api']['csv']['api_rps']:.1f} / {m['api']['csv']['bare_rps']:.1f}",
        ),
    ]
    return rows


def _per_round(rounds: list[dict], text) -> str:
    """One cell with every round's value, in order ("54 / 63, 55 / 64, 53 / 62")."""
    return ", ".join(text(r) for r in rounds)


def _page_rows() -> list[tuple[str, object]]:
    """The raw measurements of each dashboard page (every round, in order), then peak memory:
    (label, getter)."""
    rows: list[tuple[str, object]] = []
    for page in dashboard_pages():
        rows += [
            (
                f"{page} page median / p95 (ms), per round",
                lambda m, p=page: _per_round(
                    m["dashboards"][p]["rounds"],
                    lambda r: f"{r['median_ms']:.0f} / {r['p95_ms']:.0f}",
                ),
            ),
            (
                f"{page} page after ANALYZE median / p95 (ms)",
                lambda m, p=page: _per_round(
                    m["dashboards_after_analyze"][p]["rounds"],
                    lambda r: f"{r['median_ms']:.0f} / {r['p95_ms']:.0f}",
                ),
            ),
            (
                f"{page} page CPU per request, app + PostgreSQL (ms), per round",
                lambda m, p=page: _per_round(
                    m["dashboards"][p]["rounds"], lambda r: f"{r['cpu_ms_per_request']:.1f}"
                ),
            ),
            (
                f"{page} page queries, per round",
                lambda m, p=page: _per_round(
                    m["dashboards"][p]["rounds"], lambda r: str(r["queries"])
                ),
            ),
        ]
    rows += [
        ("peak RSS import (MB)", lambda m: m["import"]["import_peak_rss_mb"]),
        ("peak RSS full recompute (MB)", lambda m: m["recompute"]["recompute_peak_rss_mb"]),
    ]
    return rows


def _raw_table(results: dict) -> list[str]:
    """Phase: the raw measurements, one column per scale ("—" where a run lacks one)."""
    lines = [
        "",
        "| raw measurement | "
        + " | ".join(k if k == NATIONAL else f"N={k}" for k in results["measurements"])
        + " |",
    ]
    lines.append("|---|" + "---|" * len(results["measurements"]))
    ms = list(results["measurements"].values())
    for label, get in _step_rows() + _page_rows():
        cells = []
        for m in ms:
            try:
                cells.append(_num(get(m)))
            except (KeyError, TypeError):
                cells.append("—")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def _machine_line(results: dict) -> str:
    """Phase: the machine, versions, commit and load of the run, in one sentence."""
    m = results["machine"]
    return (
        f"Machine: {m.get('cpu', '?')}, {m.get('nproc')} cores, {m.get('ram_gb')} GB RAM; "
        f"{m.get('postgresql', '?').split(' on ')[0]} (shared_buffers {m.get('pg_shared_buffers')},"
        f" work_mem {m.get('pg_work_mem')}); Python {m.get('python')}, Django {m.get('django')};"
        f" commit {m.get('git_commit', '?')}; run {results['generated_at']}, "
        f"{results['seconds']:.0f} s; load average "
        f"{', '.join(f'{x:.1f}' for x in results.get('load_average', {}).get('start', []))} at start"
        + (
            " (busy machine: cross-scale latencies unreliable)."
            if results.get("machine_busy")
            else "."
        )
    )


def markdown(results: dict) -> str:
    """The figures of a results.json as a Markdown table (for docs/PERFORMANCE.md)."""
    lines = _goal_table(results) + _raw_table(results)
    lines += ["", _machine_line(results)]
    return "\n".join(lines)
