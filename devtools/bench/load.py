"""One file over 500 lines: the load step's users, server, phases and figures share one plan.

The benchmark's load step: many signed-in users on a real gunicorn with the production settings.

This module owns the load step of `run_benchmark --load`: the virtual users (accounts, roles,
sessions and the figures each saves), the gunicorn server started as the image starts it
(`camau_cds.settings.production` and `gunicorn.conf.py`: sync workers, one per core plus
one unless `WEB_CONCURRENCY` says), the request mix (dashboards, API pages,
the report entry page and htmx grid saves), the full recompute run over and over in a separate
process during one phase, and the measurements' figures and Markdown table. Three phases on
the same server: one user alone (the baseline), N users, N users while the recompute runs.
What the users saved is deleted at the end (the scale data stays as the generator left it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import os
import random
import re
import runpy
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test.utils import override_settings
from django.utils import timezone

from core import months as periods
from devtools.bench import run as bench
from divisions.access import Role
from divisions.models import Division, Level, UserScope
from reports import selectors
from reports.models import DataValue, DataValueChange, Report, Source

USER_PREFIX = "bench_load_"
# Page kinds, in the tables' order; officers do all of them, steering readers the first five.
KINDS = (
    "dashboard_province",
    "dashboard_districts",
    "dashboard_indicator",
    "api_values",
    "api_attainment",
    "report_page",
    "grid_save",
)
READ_KINDS = KINDS[:5]
# Officers save more often than they open the page: each htmx save returns the row to edit on.
WEIGHTS = {"report_page": 1, "grid_save": 2}
PHASES = ("single", "concurrent", "recompute")
GOAL_RATIO = 3.0
# The image's gunicorn settings (`gunicorn.conf.py`, read from the working directory).
WORKERS = runpy.run_path(str(bench.ROOT / "gunicorn.conf.py"))["workers"]
REQUEST_TIMEOUT = 30.0  # below gunicorn's --timeout 60: a stuck request is an error, not a hang
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
ERROR_SAMPLES = 5
_VERSION = re.compile(r'name="([^"]+)__version" value="(\d+)"')
_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class VirtualUser:
    """One signed-in user: an officer saving into its own unit's report, or a steering reader."""

    username: str
    session_key: str
    unit_code: str | None = None
    # name prefix of a cell ("<indicator>__<division>") -> {"value"|"numerator"|..: Decimal}
    cells: dict[str, dict] = field(default_factory=dict)

    @property
    def kinds(self) -> tuple[str, ...]:
        return KINDS if self.unit_code else READ_KINDS


@dataclass
class Plan:
    """What every phase needs: the users, the month they save into, the indicators shown."""

    users: list[VirtualUser]
    period_slug: str
    indicators: list[str]
    secret_key: str


# --------------------------------------------------------------------------------------------
# Users: accounts with roles, sessions made directly (no login form, so django-axes never
# counts a failure), and the figures each officer types
# --------------------------------------------------------------------------------------------


def _accounts(count: int, units: list[Division]) -> list:
    """`count` accounts: the first ones officers of one reporting unit each (province officer
    for the province, district officer for a district), the rest steering readers."""
    User = get_user_model()
    names = [f"{USER_PREFIX}{i:02d}" for i in range(count)]
    existing = {u.username: u for u in User.objects.filter(username__in=names)}
    new = []
    for name in names:
        if name not in existing:
            user = User(username=name, email=f"{name}@example.invalid")
            user.set_unusable_password()
            new.append(user)
    User.objects.bulk_create(new)
    users = list(User.objects.filter(username__in=names).order_by("username"))
    roles = {Level.PROVINCE: Role.PROVINCE_OFFICER, Level.DISTRICT: Role.DISTRICT_OFFICER}
    groups = {r: Group.objects.get_or_create(name=r.value)[0] for r in Role}
    through = User.groups.through
    through.objects.filter(user__in=users).delete()
    UserScope.objects.filter(user__in=users).delete()
    province = Division.objects.province()
    memberships, scopes = [], []
    for i, user in enumerate(users):
        unit = units[i] if i < len(units) else None
        role = roles.get(unit.level, Role.COMMUNE_OFFICER) if unit else Role.STEERING
        memberships.append(through(user_id=user.pk, group_id=groups[role].pk))
        scopes.append(UserScope(user=user, division=unit or province))
    through.objects.bulk_create(memberships)
    UserScope.objects.bulk_create(scopes)
    return users


def _sessions(users: list, secret_key: str) -> dict[int, str]:
    """A session per user, signed with the server's secret key: {user id: session key}."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    expire = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows, keys = [], {}
    with override_settings(SECRET_KEY=secret_key):
        for user in users:
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
            keys[user.pk] = secrets.token_hex(16)
            rows.append(
                Session(
                    session_key=keys[user.pk], session_data=store().encode(data), expire_date=expire
                )
            )
    Session.objects.bulk_create(rows)
    return keys


def _typed_cells(units: list[Division], month: dt.date) -> dict[str, dict]:
    """{unit code: cells}: each unit's own row as an officer re-types it, last month's hand
    typed figures (valid by construction: a stock is never typed below last month)."""
    last = periods.previous_month(month)
    cells: dict[str, dict] = {u.code: {} for u in units}
    figures = DataValue.objects.filter(
        period=last, division__in=units, source=Source.MANUAL
    ).select_related("indicator", "division")
    for f in figures:
        prefix = f"{f.indicator.code}__{f.division.code}"
        if f.numerator is not None and f.denominator is not None:
            cells[f.division.code][prefix] = {
                "numerator": f.numerator,
                "denominator": f.denominator,
            }
        elif f.value is not None:
            whole = bool(f.indicator.whole_numbers)
            cells[f.division.code][prefix] = {"value": f.value, "whole": whole}
    return cells


def prepare(users: int) -> Plan:
    """Accounts, sessions and typed figures for `users` virtual users (see `_accounts`)."""
    from targets.models import Indicator

    month = periods.current_month()
    units = list(selectors.reporting_units(period=month))
    cleanup()
    accounts = _accounts(users, units)
    secret_key = secrets.token_urlsafe(50)
    keys = _sessions(accounts, secret_key)
    cells = _typed_cells(units, month)
    plan_users = []
    for i, account in enumerate(accounts):
        unit = units[i].code if i < len(units) else None
        plan_users.append(
            VirtualUser(account.username, keys[account.pk], unit, cells.get(unit, {}))
        )
    indicators = list(
        Indicator.objects.filter(is_active=True).order_by("code").values_list("code", flat=True)
    )
    return Plan(plan_users, f"{month:%Y-%m}", indicators, secret_key)


def cleanup(session_keys: tuple[str, ...] = ()) -> dict:
    """Delete what the virtual users saved (reports, figures, their history), their sessions,
    roles and scopes: the generator refuses a database holding reports or figures it did not
    make, and replaces the synthetic units a scope would still point at."""
    User = get_user_model()
    users = User.objects.filter(username__startswith=USER_PREFIX)
    reports = Report.objects.filter(created_by__in=users)
    out = {
        "changes": DataValueChange.objects.filter(changed_by__in=users).delete()[0],
        "figures": DataValue.objects.filter(report__in=reports).delete()[0],
    }
    out["reports"] = reports.delete()[1].get(Report._meta.label, 0)
    Session.objects.filter(session_key__in=session_keys).delete()
    UserScope.objects.filter(user__in=users).delete()
    User.groups.through.objects.filter(user__in=users).delete()
    return out


def saved_figures() -> int:
    """Figures the virtual users' grid saves stored (before `cleanup`)."""
    return DataValue.objects.filter(updated_by__username__startswith=USER_PREFIX).count()


# --------------------------------------------------------------------------------------------
# The server: gunicorn as the image runs it, on a free port of this machine
# --------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(secret_key: str) -> dict[str, str]:
    """The production image's environment: its settings module, a secret key and the hosts
    from the environment, this database; nothing of the caller's DEBUG or test settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="camau_cds.settings.production",
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=bench.database_url(),
    )
    return env


def _wait_until_serving(proc: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        with contextlib.suppress(OSError):
            status, _body, _cookies = _request(port, "GET", "/healthz", {})
            if status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not serve /healthz:\n{log.read_text(errors='replace')}")


def _stop(proc: subprocess.Popen) -> None:
    """End a process group we started: TERM, then KILL if it lingers."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=STOP_TIMEOUT)


@dataclass(frozen=True)
class Server:
    port: int
    pid: int


def _jiffies(pid: int) -> int:
    """CPU time (user + system, clock ticks) of a process and of its children, recursively
    (gunicorn's master and its workers)."""
    total = 0
    with contextlib.suppress(OSError):
        total = sum(
            int(x) for x in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[11:13]
        )
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += _jiffies(int(child))
    return total


def _cpu_snapshot(pid: int) -> tuple[int, int, int]:
    """(machine busy ticks, machine total ticks, the server's ticks): Linux /proc only."""
    busy = total = 0
    with contextlib.suppress(OSError):
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        total = sum(ticks)
        busy = total - ticks[3] - ticks[4]  # less idle and iowait
    return busy, total, _jiffies(pid)


def _cpu_figures(before: tuple, after: tuple, requests: int) -> dict:
    """How busy the machine's CPUs were during a phase, and the server's CPU per request
    (its workers' Python; PostgreSQL's share not counted): with the machine near 100 %,
    latency under load is waiting for a CPU."""
    busy, total, server = (b - a for a, b in zip(before, after, strict=True))
    return {
        "machine_cpu_busy": busy / total if total else None,
        "server_cpu_ms_per_request": (
            server / os.sysconf("SC_CLK_TCK") * 1000 / requests if requests else None
        ),
    }


@contextlib.contextmanager
def served(secret_key: str, workdir: Path):
    """gunicorn with the production settings on 127.0.0.1 (the Dockerfile's command, bound to
    a free local port); its static manifest collected first as the image build does. Yields
    its port and pid; the server is stopped whatever happens."""
    env = server_env(secret_key)
    manage = [sys.executable, str(bench.ROOT / "manage.py")]
    subprocess.run(  # noqa: S603 - our own manage.py
        [*manage, "collectstatic", "--noinput", "-v", "0"],
        cwd=bench.ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    port = _free_port()
    log = workdir / "gunicorn.log"
    with log.open("wb") as handle:
        proc = subprocess.Popen(  # noqa: S603 - gunicorn from this environment
            [
                sys.executable,
                "-m",
                "gunicorn",
                "camau_cds.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=bench.ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_serving(proc, port, log)
            yield Server(port, proc.pid)
        finally:
            _stop(proc)


@contextlib.contextmanager
def recomputing(workdir: Path, max_seconds: float):
    """`attainment_recompute()` over and over in a separate process until the block ends (or
    `max_seconds` pass). Yields a dict filled, after the block, with the runs' seconds."""
    stop, out, ready = workdir / "recompute.stop", workdir / "recompute.json", workdir / "ready"
    for path in (stop, out, ready):
        path.unlink(missing_ok=True)
    params = {"stop": str(stop), "ready": str(ready), "max_seconds": max_seconds}
    cmd = [
        sys.executable,
        str(bench.ROOT / "manage.py"),
        "run_benchmark",
        "--child",
        "load-recompute",
        "--child-params",
        json.dumps(params),
        "--child-out",
        str(out),
    ]
    env = {**os.environ, "DATABASE_URL": bench.database_url()}
    log = workdir / "recompute.log"
    result: dict = {}
    with log.open("wb") as handle:
        proc = subprocess.Popen(  # noqa: S603 - our own manage.py
            cmd,
            cwd=bench.ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            if not ready.exists():
                raise RuntimeError(f"recompute process did not start:\n{log.read_text()}")
            yield result
            stop.touch()
            proc.wait(timeout=max_seconds + START_TIMEOUT)
        finally:
            _stop(proc)
    if not out.exists():
        raise RuntimeError(f"recompute process failed:\n{log.read_text(errors='replace')}")
    result.update(json.loads(out.read_text()))


def recompute_loop(params: dict) -> dict:
    """The recompute child: full recomputes back to back until told to stop (DEBUG off: no
    query log growing with every run)."""
    from attainment.engine import attainment_recompute

    Path(params["ready"]).touch()
    stop, runs = Path(params["stop"]), []
    deadline = time.monotonic() + params["max_seconds"]
    with override_settings(DEBUG=False):
        while not stop.exists() and time.monotonic() < deadline:
            started = time.perf_counter()
            attainment_recompute()
            runs.append(time.perf_counter() - started)
    return {"recomputes": len(runs), "recompute_seconds": runs}


# --------------------------------------------------------------------------------------------
# The users' requests: http.client, one connection per request (gunicorn's sync workers close
# it after each answer), as the proxy terminating HTTPS forwards them
# --------------------------------------------------------------------------------------------


def _request(port: int, method: str, path: str, headers: dict, body: bytes | None = None):
    """(status, body text, Set-Cookie values) of one request to the local server."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request(
            method,
            path,
            body=body,
            headers={"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{port}", **headers},
        )
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, text, response.msg.get_all("Set-Cookie") or []
    finally:
        conn.close()


@dataclass
class Browser:
    """What a virtual user's browser holds: cookies, the form's token, the cells' versions."""

    user: VirtualUser
    port: int
    plan: Plan
    rng: random.Random
    csrf_cookie: str = ""
    csrf_field: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    saves: int = 0

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def cookie(self) -> str:
        jar = f"{settings.SESSION_COOKIE_NAME}={self.user.session_key}"
        if self.csrf_cookie:
            jar += f"; {settings.CSRF_COOKIE_NAME}={self.csrf_cookie}"
        return jar

    @property
    def entry_path(self) -> str:
        return f"/reports/{self.user.unit_code}/{self.plan.period_slug}/"

    def remember(self, text: str, cookies: list[str]) -> None:
        """Keep the CSRF cookie and token and the versions of a page or a swapped-in row."""
        for cookie in cookies:
            if cookie.startswith(f"{settings.CSRF_COOKIE_NAME}="):
                self.csrf_cookie = cookie.split(";", 1)[0].split("=", 1)[1]
        found = _CSRF_FIELD.search(text)
        if found:
            self.csrf_field = found.group(1)
        self.versions.update(_VERSION.findall(text))


def _get_path(s: Browser, kind: str) -> str:
    if kind == "dashboard_indicator":
        return f"/dashboard/indicator/{s.rng.choice(s.plan.indicators)}/"
    return {
        "dashboard_province": "/dashboard/",
        "dashboard_districts": "/dashboard/districts/",
        "api_values": "/api/v1/values/",
        "api_attainment": "/api/v1/attainment/",
        "report_page": s.entry_path,
    }[kind]


def _typed(number, bump: int) -> str:
    """A number as a Vietnamese officer types it (decimal comma, no grouping)."""
    text = format((number + bump).normalize(), "f")
    return text.replace(".", ",")


def _save_body(s: Browser) -> bytes:
    """The row's inputs as htmx posts them: every cell's number and version, the row's note.
    Whole-number counts alternate between last month's figure and one more, so every other
    save changes them (a new version and a history row, as a correction does)."""
    bump = s.saves % 2
    fields = {"csrfmiddlewaretoken": s.csrf_field, f"note__{s.user.unit_code}": ""}
    for prefix, cell in s.user.cells.items():
        if prefix not in s.versions:
            continue  # not on this month's row
        for name in ("value", "numerator", "denominator"):
            if name in cell:
                fields[f"{prefix}__{name}"] = _typed(
                    cell[name], bump if name == "value" and cell.get("whole") else 0
                )
        fields[f"{prefix}__version"] = s.versions[prefix]
    return urlencode(fields).encode()


def _save(s: Browser) -> tuple[int, str, list[str]]:
    """POST the user's row to the grid's row-save URL as htmx does: (status, text, cookies)."""
    row = s.user.unit_code
    body = _save_body(s)
    s.saves += 1
    return _request(
        s.port,
        "POST",
        f"{s.entry_path}row/{row}/",
        {
            "Cookie": s.cookie(),
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": s.origin,
            "Referer": s.origin + s.entry_path,
            "HX-Request": "true",
            "HX-Target": f"row-{row}",
            "HX-Current-URL": s.origin + s.entry_path,
        },
        body,
    )


def _problem(kind: str, status: int, text: str) -> str:
    """'' when the answer is what the user wanted, else what went wrong (for the results)."""
    if kind != "grid_save":
        return "" if status == 200 else f"HTTP {status}: {text[:200]}"
    # htmx gets 200 either way: a refused save shows its errors in the cells.
    if status == 200 and "row-saved" in text and "is-invalid" not in text:
        return ""
    errors = " ".join(re.findall(r'd-block">([^<]+)', text)) or text[:200]
    return f"save HTTP {status}: {errors[:300]}"


def one_request(s: Browser, kind: str) -> tuple[float, str]:
    """(seconds, what went wrong or '') of one request of `kind` by this user."""
    started = time.perf_counter()
    try:
        if kind == "grid_save":
            status, text, cookies = _save(s)
        else:
            status, text, cookies = _request(
                s.port, "GET", _get_path(s, kind), {"Cookie": s.cookie()}
            )
    except (OSError, http.client.HTTPException) as exc:
        return time.perf_counter() - started, f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - started
    problem = _problem(kind, status, text)
    if not problem:
        s.remember(text, cookies)
    return seconds, problem


# --------------------------------------------------------------------------------------------
# Phases: users in threads for a fixed time, each request's kind drawn from its role's mix
# --------------------------------------------------------------------------------------------


def _next_kind(s: Browser) -> str:
    kinds = s.user.kinds
    kind = s.rng.choices(kinds, weights=[WEIGHTS.get(k, 1) for k in kinds])[0]
    # A save needs the page's token and versions: the officer opens the page first.
    if kind == "grid_save" and not (s.csrf_field and s.versions):
        return "report_page"
    return kind


def _user_loop(s: Browser, deadline: float, think: float, samples: list) -> None:
    """One user until the deadline: a request, then a pause of 0.5–1.5 × `think` seconds."""
    while time.monotonic() < deadline:
        kind = _next_kind(s)
        seconds, problem = one_request(s, kind)
        samples.append((kind, seconds, problem))
        if think:
            time.sleep(max(0.0, min(s.rng.uniform(0.5, 1.5) * think, deadline - time.monotonic())))


def _stats(samples: list) -> dict:
    """Per page kind: requests, errors, median and p95 latency (ms), a few errors' texts."""
    out: dict = {}
    for kind in KINDS:
        mine = [(sec, problem) for k, sec, problem in samples if k == kind]
        times = sorted(sec * 1000 for sec, _p in mine)
        problems = [p for _s, p in mine if p]
        p95_index = min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))
        out[kind] = {
            "requests": len(mine),
            "errors": len(problems),
            "median_ms": statistics.median(times) if times else None,
            "p95_ms": times[p95_index] if times else None,
            "error_samples": problems[:ERROR_SAMPLES],
        }
    return out


def run_phase(
    plan: Plan, server: Server, users: int, seconds: float, think: float, seed: int
) -> dict:
    """`users` users (the plan's first ones) in threads for `seconds` seconds."""
    samples: list = []
    sessions = [
        Browser(u, server.port, plan, random.Random(f"{seed}-{i}"))
        for i, u in enumerate(plan.users[:users])
    ]
    load_before = os.getloadavg()
    cpu_before = _cpu_snapshot(server.pid)
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(target=_user_loop, args=(s, deadline, think, samples), daemon=True)
        for s in sessions
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + REQUEST_TIMEOUT + 5)
    wall = time.monotonic() - started
    cpu = _cpu_figures(cpu_before, _cpu_snapshot(server.pid), len(samples))
    return {
        "users": users,
        "officers": sum(1 for s in sessions if s.user.unit_code),
        "seconds": wall,
        "think_seconds": think,
        "requests": len(samples),
        "rps": len(samples) / wall,
        "load_average": {"start": load_before, "end": os.getloadavg()},
        **cpu,
        "kinds": _stats(samples),
    }


def warm_up(plan: Plan, server: Server, seed: int) -> None:
    """Every page kind a few times per worker, untimed: each worker imports and compiles
    its templates on first use, which no user waits for twice."""
    s = Browser(plan.users[0], server.port, plan, random.Random(seed))
    for kind in (*KINDS[:-1], *KINDS) * WORKERS:
        if kind in s.user.kinds:
            one_request(s, kind)


# --------------------------------------------------------------------------------------------
# The step, its figures and its table
# --------------------------------------------------------------------------------------------


def scale_label() -> str:
    """Which scale the database holds: national (34 provinces) or N copies of 9 districts."""
    if Division.objects.filter(level=Level.PROVINCE).count() > 1:
        return bench.NATIONAL
    return str(max(1, Division.objects.filter(level=Level.DISTRICT).count() // 9))


def measure(
    *, users: int = 20, seconds: float = 60.0, think: float = 1.0, seed: int = 1, log=print
) -> dict:
    """The load step on the data in the database: one user alone (no pause between
    requests: the baseline), `users` users, then `users` users while full recomputes run
    back to back in another process. What the users saved is deleted afterwards."""
    bench.check_database()
    plan = prepare(users)
    out: dict = {
        "scale": scale_label(),
        "users": users,
        "seconds": seconds,
        "think_seconds": think,
        "workers": WORKERS,
        "period": plan.period_slug,
        "officers": sum(1 for u in plan.users if u.unit_code),
        "phases": {},
    }
    try:
        with (
            tempfile.TemporaryDirectory(prefix="cds-load-") as tmp,
            served(plan.secret_key, Path(tmp)) as server,
        ):
            warm_up(plan, server, seed)
            log(f"== load: 1 user, {seconds:.0f} s")
            out["phases"]["single"] = run_phase(plan, server, 1, seconds, 0.0, seed)
            log(f"== load: {users} users, {seconds:.0f} s")
            out["phases"]["concurrent"] = run_phase(plan, server, users, seconds, think, seed)
            log(f"== load: {users} users + full recompute, {seconds:.0f} s")
            with recomputing(Path(tmp), seconds + 4 * REQUEST_TIMEOUT) as rec:
                out["phases"]["recompute"] = run_phase(plan, server, users, seconds, think, seed)
            out["phases"]["recompute"]["recompute"] = rec
        out["saved_figures"] = saved_figures()
    finally:
        out["cleanup"] = cleanup(tuple(u.session_key for u in plan.users))
    return out


def _phase_label(phase: str, users: int) -> str:
    return {
        "single": "1 user",
        "concurrent": f"{users} users",
        "recompute": f"{users} users + full recompute",
    }[phase]


def figures_from(m: dict) -> list[bench.Figure]:
    """Per page kind and loaded phase: its p95 ÷ the single user's p95, ≤ 3 with no errors;
    then each phase's error count (= 0)."""
    figs: list[bench.Figure] = []
    single = m["phases"]["single"]["kinds"]
    for phase in ("concurrent", "recompute"):
        kinds = m["phases"][phase]["kinds"]
        for kind in KINDS:
            a, b = single[kind], kinds[kind]
            ratio = b["p95_ms"] / a["p95_ms"] if a["p95_ms"] and b["p95_ms"] else None
            clean = a["errors"] == 0 and b["errors"] == 0 and a["requests"] and b["requests"]
            bench._fig(
                figs,
                f"load {kind}: p95, {_phase_label(phase, m['users'])} ÷ 1 user",
                m["scale"],
                ratio,
                f"≤ {GOAL_RATIO:g}, no errors",
                bool(ratio is not None and ratio <= GOAL_RATIO and clean),
                "×",
                single=a,
                loaded=b,
            )
    for phase in PHASES:
        errors = sum(k["errors"] for k in m["phases"][phase]["kinds"].values())
        bench._fig(
            figs,
            f"load errors: {_phase_label(phase, m['users'])}",
            m["scale"],
            float(errors),
            "= 0",
            errors == 0,
            "errors",
            requests=m["phases"][phase]["requests"],
        )
    return figs


def _cell(value, fmt: str = "{:.0f}") -> str:
    return "—" if value is None else fmt.format(value)


def markdown(load: dict) -> str:
    """The load step of a results.json ("load" key) as Markdown: requests, errors, median and
    p95 per page kind and phase, then the goals."""
    m = load["measurements"]
    lines = [
        f"Load: gunicorn ({m['workers']} sync workers, production settings), scale N={m['scale']},"
        f" {m['seconds']:.0f} s per phase; {m['users']} users ({m['officers']} officers saving into"
        f" their own unit's {m['period']} report, the others steering readers), pauses of "
        f"0.5–1.5 × {m['think_seconds']:g} s between requests (the single user: none).",
        "",
        "| page kind | phase | requests | errors | median (ms) | p95 (ms) |",
        "|---|---|---|---|---|---|",
    ]
    for kind in KINDS:
        for phase in PHASES:
            k = m["phases"][phase]["kinds"][kind]
            lines.append(
                f"| {kind} | {_phase_label(phase, m['users'])} | {k['requests']} | {k['errors']} "
                f"| {_cell(k['median_ms'])} | {_cell(k['p95_ms'])} |"
            )
    rec = m["phases"]["recompute"].get("recompute", {})
    runs = rec.get("recompute_seconds") or []
    lines += [
        "",
        f"Full recomputes during the last phase: {rec.get('recomputes', 0)}"
        + (f" (median {statistics.median(runs):.1f} s each)." if runs else "."),
        f"Figures stored by the grid saves: {m.get('saved_figures', 0)}.",
        "",
        "| figure | measured | goal | result |",
        "|---|---|---|---|",
    ]
    for f in load["figures"]:
        lines.append(
            f"| {f['name']} | {_cell(f['measured'], '{:.2f}')} {f['unit']} | {f['goal']} | "
            + ("PASS" if f["pass"] else "**FAIL**")
            + " |"
        )
    lines += [
        "",
        "| phase | requests/s | machine CPU busy | gunicorn CPU per request (ms) | load average |",
        "|---|---|---|---|---|",
    ]
    for p in PHASES:
        ph = m["phases"][p]
        busy = ph.get("machine_cpu_busy")
        lines.append(
            f"| {_phase_label(p, m['users'])} | {ph['rps']:.1f} | "
            f"{_cell(busy * 100 if busy is not None else None, '{:.0f} %')} | "
            f"{_cell(ph.get('server_cpu_ms_per_request'))} | "
            f"{ph['load_average']['start'][0]:.1f} → {ph['load_average']['end'][0]:.1f} |"
        )
    return "\n".join(lines)


def results_entry(m: dict) -> dict:
    """What goes under results.json's "load" key."""
    figs = figures_from(m)
    return {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": bench.machine(),
        "figures": [f.as_dict() for f in figs],
        "measurements": m,
    }
