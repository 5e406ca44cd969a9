"""One file over 500 lines: every scale (N× the province, the nation) shares the unit and figure writers.

Synthetic data at N× the province, for the benchmark (never for a real database).

N=1 is Cà Mau itself: the shipped province, 9 district-level units and 100 communes, plus about
900 synthetic hamlets. N>1 adds N−1 copies of the district/commune/hamlet tree under the same
province. `national` is the whole country after the 2025 reorganisation: 34 provinces (Cà Mau
and 33 synthetic ones) with 3,321 commune-level units directly under them and no districts;
only those units get figures. Every figure of every reporting level of every catalogue indicator, for every month,
sits in an approved monthly report.

Marker: every report is created by, and every figure last updated by, the inactive user
`SYNTHETIC_USERNAME`; every synthetic division code starts with "S<copy>-" ("S0-" for the national shape; GSO
codes are digits, so they cannot collide). A database holding any report or figure without that marker
is refused. Figures and their history rows are written with PostgreSQL COPY / INSERT … SELECT.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from attainment.models import Attainment
from core import months as periods
from divisions.models import KIND_LEVEL, PATH_SEPARATOR, Division, Kind, Level
from divisions.services import divisions_upsert, rows_from_shipped_file
from reports.models import (
    Channel,
    DataValue,
    DataValueChange,
    RecomputeRequest,
    Report,
    ReportStatus,
    ReportTransition,
    Source,
)
from reports.services import FIGURE_COLUMNS
from targets.models import Indicator, Measurement, TimeAggregation

SYNTHETIC_USERNAME = "synthetic_scale_data"
SYNTHETIC_PREFIX = "S"
DEFAULT_SEED = 20220714  # Resolution 05-NQ/TU
HAMLETS_PER_COMMUNE = (6, 12)  # ~9 on average: ~900 for the province's 100 communes
FOUR = Decimal("0.0001")
# The country after the reorganisation of 2025 (Resolution 202/2025/QH15, 1 July 2025).
NATIONAL = "national"
NATIONAL_PROVINCES = 34
NATIONAL_COMMUNES = 3_321
NATIONAL_COPY = 0
# The national shape exists only from the reorganisation's first month: its figures start there.
NATIONAL_FROM = dt.date(2025, 7, 1)


class Refused(Exception):
    """The database is not one the generator may write to."""


@dataclass
class GenerateResult:
    scale: int | str
    months: int = 0
    divisions: int = 0
    divisions_created: int = 0
    reports: int = 0
    figures: int = 0
    changes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        secs = ", ".join(f"{k} {v:.1f}s" for k, v in self.seconds.items())
        return (
            f"scale {self.scale}: {self.divisions} divisions ({self.divisions_created} new), "
            f"{self.months} months, {self.reports} approved reports, {self.figures} figures, "
            f"{self.changes} history rows; {secs}"
        )


def synthetic_user():
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=SYNTHETIC_USERNAME,
        defaults={"is_active": False, "email": "synthetic@example.invalid"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def synthetic_code(copy: int, code: str) -> str:
    return f"{SYNTHETIC_PREFIX}{copy}-{code}"


def foreign_rows(user) -> dict[str, int]:
    """Reports and figures the generator did not make (they must not be touched)."""
    counts = {
        "reports": Report.objects.exclude(created_by=user).count(),
        "figures": DataValue.objects.exclude(updated_by=user).count(),
    }
    return {k: v for k, v in counts.items() if v}


def _cell_rng(seed: int, *parts: object) -> random.Random:
    """One generator per cell, so a cell's series does not depend on what else is generated."""
    return random.Random(zlib.crc32("|".join(map(str, (seed, *parts))).encode()))


def series(ind: Indicator, level: int, key: str, months: list[dt.date], seed: int) -> list:
    """(value, numerator, denominator) per month for one indicator × division.

    Ratios: whole numerator ≤ denominator, value = numerator/denominator×100 (4 places).
    Shares 0–100, amounts > 0 with one decimal, counts whole; stocks never decrease.
    """
    rng = _cell_rng(seed, ind.code, key)
    size = {Level.PROVINCE: 40.0, Level.DISTRICT: 8.0}.get(level, 1.0)
    n = len(months)
    out = []
    if ind.measurement == Measurement.RATIO:
        start, end = rng.uniform(5, 50), rng.uniform(55, 100)
        base = rng.uniform(30, 300) * size
        for i in range(n):
            pct = start + (end - start) * (i / max(1, n - 1)) + rng.uniform(-3, 3)
            pct = min(100.0, max(0.0, pct))
            den = max(1, round(base * rng.uniform(0.85, 1.15)))
            num = min(den, round(den * pct / 100))
            value = (Decimal(num) / Decimal(den) * 100).quantize(FOUR)
            out.append((value, Decimal(num), Decimal(den)))
        return out
    if ind.measurement == Measurement.SHARE:
        start, end = rng.uniform(1, 8), rng.uniform(8, 25)
        for i in range(n):
            pct = start + (end - start) * (i / max(1, n - 1)) + rng.uniform(-0.5, 0.5)
            out.append((Decimal(str(round(min(100.0, max(0.0, pct)), 2))), None, None))
        return out
    if ind.measurement == Measurement.AMOUNT:
        start = rng.uniform(8, 15)
        for i in range(n):
            v = start * (1 - 0.3 * i / max(1, n - 1)) * rng.uniform(0.95, 1.05)
            out.append((Decimal(str(round(max(0.1, v), 1))), None, None))
        return out
    # Counts.
    if ind.time_aggregation == TimeAggregation.LATEST:
        final = rng.randint(2, 12) * (3 if level == Level.DISTRICT else 1)
        if level == Level.PROVINCE:
            final *= 10
        stock = 0
        for i in range(n):
            stock = max(stock, round(final * min(1.0, (i + 1) / max(1, n) * 1.4)))
            out.append((Decimal(stock), None, None))
        return out
    monthly = rng.uniform(5, 120) * size
    for _i in range(n):
        out.append((Decimal(max(0, round(monthly * rng.uniform(0.6, 1.4)))), None, None))
    return out


def _delete_synthetic(scale: int, *, national: bool = False) -> None:
    """Remove every synthetic report and figure (and derived rows); divisions above `scale`,
    and the national shape's units unless it is the one generated."""
    tables = [
        m._meta.db_table for m in (DataValueChange, DataValue, ReportTransition, Report, Attainment)
    ]
    tables.append(RecomputeRequest._meta.db_table)
    with connection.cursor() as cur:
        try:
            # TRUNCATE, not DELETE: a DELETE queues one deferred foreign-key check per row, run
            # at commit (about a minute for a national scale's 430,000 figures and history rows).
            # In a savepoint: a table referencing these that is not listed makes it fail.
            with transaction.atomic():
                cur.execute(f"TRUNCATE {', '.join(tables)}")
        except DatabaseError:
            for table in tables:
                cur.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed model table names
        # Copies above the requested scale: codes "S<k>-…" with k > scale.
        cur.execute(
            f"DELETE FROM {Division._meta.db_table} "  # noqa: S608
            "WHERE code LIKE %s AND CAST(split_part(substr(code, 2), '-', 1) AS integer) > %s",
            [f"{SYNTHETIC_PREFIX}%-%", scale],
        )
        if not national:
            cur.execute(
                f"DELETE FROM {Division._meta.db_table} WHERE code LIKE %s",  # noqa: S608
                [synthetic_code(NATIONAL_COPY, "%")],
            )
        # Each deleted division queued a deferred foreign-key check per referencing table.
        # Run them now, while the figure tables are empty: at commit, after the new figures,
        # every one scans the history table (no index on its division), which took minutes.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")


def _new_division(code: str, name: str, kind: str, parent: Division) -> Division:
    """An unsaved division under `parent` (bulk_create skips save(): level and path set here)."""
    return Division(
        code=code,
        name=name,
        kind=kind,
        level=KIND_LEVEL[kind],
        parent=parent,
        path=f"{parent.path}{code}{PATH_SEPARATOR}",
    )


def _hamlets_for(seed: int, commune: Division, copy: int, source_code: str) -> list[Division]:
    """The hamlets of one commune of copy `copy`, as many as the seed gives its original."""
    count = _cell_rng(seed, "hamlets", source_code).randint(*HAMLETS_PER_COMMUNE)
    return [
        _new_division(
            synthetic_code(copy, f"{source_code}-{j:02d}"),
            f"Ấp {j}",
            Kind.HAMLET if j % 4 else Kind.KHOM,
            commune,
        )
        for j in range(1, count + 1)
    ]


def _copy_units(
    copy: int,
    province: Division,
    real_districts: list[Division],
    real_communes: list[Division],
    existing: set[str],
) -> tuple[dict[str, Division], int]:
    """Copy `copy` (≥ 2) of the districts and communes, created where missing; returns the
    commune copies keyed by their original's code, and how many divisions were created."""
    new = [
        _new_division(synthetic_code(copy, d.code), f"{d.name} ({copy})", d.kind, province)
        for d in real_districts
        if synthetic_code(copy, d.code) not in existing
    ]
    Division.objects.bulk_create(new, batch_size=2000)
    created = len(new)
    districts = {
        d.code.split("-", 1)[1]: d
        for d in Division.objects.filter(
            code__in=[synthetic_code(copy, d.code) for d in real_districts]
        )
    }
    new = []
    for c in real_communes:
        code = synthetic_code(copy, c.code)
        if code in existing:
            continue
        parent_code = c.codes[-2]
        new.append(_new_division(code, f"{c.name} ({copy})", c.kind, districts[parent_code]))
    Division.objects.bulk_create(new, batch_size=2000)
    created += len(new)
    communes = {
        c.code.split("-", 1)[1]: c
        for c in Division.objects.filter(
            code__in=[synthetic_code(copy, c.code) for c in real_communes]
        )
    }
    return communes, created


def _ensure_divisions(scale: int, seed: int) -> tuple[int, int]:
    """The real tree (shipped file) plus hamlets and N−1 synthetic copies; returns counts."""
    divisions_upsert(rows=rows_from_shipped_file())
    province = Division.objects.get(level=Level.PROVINCE, parent__isnull=True)
    real_districts = list(
        Division.objects.filter(level=Level.DISTRICT).exclude(code__startswith="S").order_by("path")
    )
    real_communes = list(
        Division.objects.filter(level=Level.COMMUNE).exclude(code__startswith="S").order_by("path")
    )
    existing = set(Division.objects.filter(code__startswith="S").values_list("code", flat=True))
    created = 0
    for copy in range(1, scale + 1):
        if copy == 1:
            communes = {c.code: c for c in real_communes}
        else:
            communes, made = _copy_units(copy, province, real_districts, real_communes, existing)
            created += made
        hamlets = []
        for source_code, commune in communes.items():
            hamlets += [
                h for h in _hamlets_for(seed, commune, copy, source_code) if h.code not in existing
            ]
        Division.objects.bulk_create(hamlets, batch_size=2000)
        created += len(hamlets)
    return Division.objects.count(), created


def _ensure_national() -> tuple[int, int]:
    """The national shape: Cà Mau (the shipped province) and 33 synthetic provinces, with
    3,321 communes and wards spread evenly under them (no districts); returns counts."""
    divisions_upsert(rows=rows_from_shipped_file())
    camau = Division.objects.province()
    existing = set(
        Division.objects.filter(code__startswith=synthetic_code(NATIONAL_COPY, "")).values_list(
            "code", flat=True
        )
    )
    made = [
        Division(
            code=code,
            name=f"Tỉnh {n:02d}",
            kind=Kind.PROVINCE,
            level=Level.PROVINCE,
            path=f"{code}{PATH_SEPARATOR}",
        )
        for n in range(2, NATIONAL_PROVINCES + 1)
        if (code := synthetic_code(NATIONAL_COPY, f"P{n:02d}")) not in existing
    ]
    Division.objects.bulk_create(made, batch_size=2000)
    created = len(made)
    provinces = [camau] + list(
        Division.objects.filter(
            level=Level.PROVINCE, code__startswith=synthetic_code(NATIONAL_COPY, "")
        ).order_by("code")
    )
    per, extra = divmod(NATIONAL_COMMUNES, len(provinces))
    made = []
    for n, province in enumerate(provinces, start=1):
        for j in range(1, per + (n <= extra) + 1):
            code = synthetic_code(NATIONAL_COPY, f"P{n:02d}-{j:03d}")
            if code not in existing:
                kind = Kind.WARD if j % 5 == 0 else Kind.COMMUNE
                made.append(_new_division(code, f"Xã {n:02d}-{j:03d}", kind, province))
    Division.objects.bulk_create(made, batch_size=2000)
    return Division.objects.count(), created + len(made)


def _national_units() -> list[Division]:
    """The units of the national shape that report: 34 provinces and their communes."""
    prefix = synthetic_code(NATIONAL_COPY, "")
    return list(
        Division.objects.filter(level__lte=Level.COMMUNE)
        .filter(Q(code__startswith=prefix) | Q(pk=Division.objects.province().pk))
        .order_by("path")
    )


def _copy_rows(table: str, columns: list[str], rows: list[tuple]) -> None:
    """COPY rows into a table (tab-separated text, \\N for NULL)."""
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in row))
        buf.write("\n")
    buf.seek(0)
    with connection.cursor() as cur:
        cur.cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT text)", buf
        )


def _refuse_foreign_data(user, replace: bool) -> None:
    """Phase: refuse a database holding real data, or synthetic data without `replace`."""
    foreign = foreign_rows(user)
    if foreign:
        raise Refused(
            "The database holds data the generator did not make ("
            + ", ".join(f"{v} {k}" for k, v in foreign.items())
            + "); use a separate database, e.g. cds_bench."
        )
    if not replace and (Report.objects.exists() or DataValue.objects.exists()):
        raise Refused("Synthetic data already exists; pass --replace-synthetic to regenerate it.")


def _write_reports(units: list[Division], months: list[dt.date], user) -> dict:
    """Phase: an approved report per district-level unit (and the province) and month, with its
    three workflow steps; returns (unit pk, month) → report pk."""
    reporting_units = [u for u in units if u.level <= Level.DISTRICT]
    tz = timezone.get_current_timezone()
    reports = []
    for unit in reporting_units:
        for m in months:
            due = periods.next_month(m) + dt.timedelta(days=14)
            submitted = dt.datetime.combine(due, dt.time(9), tzinfo=tz)
            approved = submitted + dt.timedelta(days=2)
            reports.append(
                Report(
                    division=unit,
                    period=m,
                    status=ReportStatus.APPROVED,
                    created_by=user,
                    submitted_at=submitted,
                    submitted_by=user,
                    approved_at=approved,
                    approved_by=user,
                )
            )
    Report.objects.bulk_create(reports, batch_size=5000)
    ReportTransition.objects.bulk_create(
        [
            ReportTransition(report=r, from_status=a, to_status=b, by=user, at=at)
            for r in reports
            for a, b, at in (
                ("", ReportStatus.DRAFT, r.submitted_at - dt.timedelta(days=10)),
                (ReportStatus.DRAFT, ReportStatus.SUBMITTED, r.submitted_at),
                (ReportStatus.SUBMITTED, ReportStatus.APPROVED, r.approved_at),
            )
        ],
        batch_size=5000,
    )
    return {(r.division_id, r.period): r.pk for r in reports}


def _figure_rows(
    units: list[Division], months: list[dt.date], seed: int, report_id: dict, user
) -> list[tuple]:
    """Phase: every active indicator's monthly figures at each level it is reported at, as
    COPY rows of the figures table (a commune's figures in its district's report)."""
    now = timezone.now().isoformat()
    rows: list[tuple] = []
    by_level: dict[int, list[Division]] = {1: [], 2: [], 3: []}
    for u in units:
        by_level[u.level].append(u)
    for ind in Indicator.objects.filter(is_active=True).order_by("code"):
        for level in ind.reporting_levels:
            for div in by_level[level]:
                # A commune's figures sit in its district's report (its province's, with no
                # districts in between).
                owner = div.pk if level <= Level.DISTRICT else div.parent_id
                # Copies share their original's series: the work grows, the shape does not.
                key = div.code.split("-", 1)[1] if div.code.startswith("S") else div.code
                for m, (v, num, den) in zip(
                    months, series(ind, level, key, months, seed), strict=True
                ):
                    rows.append(
                        (
                            ind.pk,
                            div.pk,
                            m.isoformat(),
                            v,
                            num,
                            den,
                            "",
                            1,
                            Source.MANUAL.value,
                            report_id[(owner, m)],
                            now,
                            now,
                            user.pk,
                        )
                    )
    return rows


def _write_figures(rows: list[tuple], user) -> int:
    """Phase: COPY the figures in, then their first history rows in one INSERT … SELECT;
    returns the number of history rows."""
    _copy_rows(
        DataValue._meta.db_table,
        FIGURE_COLUMNS,
        rows,
    )
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {DataValueChange._meta.db_table} "  # noqa: S608
            "(data_value_id, changed_by_id, changed_at, new_value, new_numerator, "
            "new_denominator, version, note, channel, indicator_id, division_id, period, "
            "source, report_id) "
            "SELECT id, updated_by_id, updated_at, value, numerator, denominator, 1, '', %s, "
            "indicator_id, division_id, period, source, report_id "
            f"FROM {DataValue._meta.db_table} WHERE updated_by_id = %s",
            [Channel.DEMO.value, user.pk],
        )
        return cur.rowcount


def _vacuum_analyze() -> None:
    """Phase: reclaim the rows deleted above and refresh statistics, so every run starts from
    the same table state (dead rows of an earlier, larger scale would slow every scan down)."""
    tables = (Division, Report, DataValue, DataValueChange, ReportTransition, Attainment)
    with connection.cursor() as cur:
        for model in tables:
            if connection.in_atomic_block:  # inside a test transaction: VACUUM is not allowed
                cur.execute(f"ANALYZE {model._meta.db_table}")
            else:
                cur.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")


def generate(
    *,
    scale: int | str,
    seed: int = DEFAULT_SEED,
    months_from: dt.date | None = None,
    months_to: dt.date | None = None,
    replace: bool = False,
) -> GenerateResult:
    """Write synthetic data at `scale`× the province. Raises Refused on a database with
    real reports or figures, or with synthetic ones when `replace` is False. `scale` may be
    `NATIONAL`: the whole country's shape instead of copies of the province, whose months
    start at 07/2025 unless `months_from` says otherwise."""
    if connection.vendor != "postgresql":
        raise Refused("generate_scale_data needs PostgreSQL (it loads figures with COPY).")
    national = scale == NATIONAL
    if not national and (not isinstance(scale, int) or scale < 1):
        raise Refused(f"--scale must be 1 or more, or {NATIONAL}.")
    first = months_from or (NATIONAL_FROM if national else periods.REPORTING_START)
    last = months_to or periods.previous_month(periods.current_month())
    months = periods.months_between(first, last)
    if not months:
        raise Refused("No month between --months-from and --months-to.")
    result = GenerateResult(scale=scale, months=len(months))
    clock = time.perf_counter()
    user = synthetic_user()
    _refuse_foreign_data(user, replace)

    with transaction.atomic():
        _delete_synthetic(1 if national else scale, national=national)
        result.seconds["clear"] = time.perf_counter() - clock
        clock = time.perf_counter()
        result.divisions, result.divisions_created = (
            _ensure_national() if national else _ensure_divisions(scale, seed)
        )
        call_command("load_catalogue", stdout=io.StringIO())
        result.seconds["divisions+catalogue"] = time.perf_counter() - clock
        clock = time.perf_counter()

        units = (
            _national_units()
            if national
            else list(
                Division.objects.filter(level__lte=Level.COMMUNE)
                .exclude(code__startswith=synthetic_code(NATIONAL_COPY, ""))
                .order_by("path")
            )
        )
        report_id = _write_reports(units, months, user)
        result.reports = len(report_id)
        result.seconds["reports"] = time.perf_counter() - clock
        clock = time.perf_counter()

        rows = _figure_rows(units, months, seed, report_id, user)
        result.seconds["figures (python)"] = time.perf_counter() - clock
        clock = time.perf_counter()
        result.changes = _write_figures(rows, user)
        result.figures = len(rows)
        result.seconds["figures (COPY)"] = time.perf_counter() - clock
        clock = time.perf_counter()
    # Foreign keys are checked at commit (deferred): most of the load time at scale 10.
    result.seconds["commit"] = time.perf_counter() - clock
    clock = time.perf_counter()
    _vacuum_analyze()
    result.seconds["vacuum+analyze"] = time.perf_counter() - clock
    return result
