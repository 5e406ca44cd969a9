"""Shared fixtures: Cà Mau's real divisions (built once per run) and one user per role (the
'small world')."""

from __future__ import annotations

import fcntl
import io
import os
import pickle

import pytest
from django.conf import settings

from tests.divisions.factories import make_user

# App fixtures the access matrix (and other cross-app tests) can request by name.
pytest_plugins = [
    "tests.targets.fixtures",
    "tests.reports.fixtures",
    "tests.reports.province_fixtures",
    "tests.teams.fixtures",
    "tests.api.fixtures",
    "tests.documents.fixtures",
]

# Districts used across the suite: A = Thới Bình (967), B = U Minh (966).
DISTRICT_A, DISTRICT_B = "967", "966"
COMMUNE_A = "32068"  # Xã Biển Bạch, in Thới Bình
COMMUNE_B = "32047"  # Xã Khánh Hòa, in U Minh


def _require_services() -> bool:
    return os.environ.get("CDS_REQUIRE_SERVICES") == "1"


def _on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    broker = "none (eager)" if settings.CELERY_TASK_ALWAYS_EAGER else settings.CELERY_BROKER_URL
    return [f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME')}", f"broker: {broker}"]


def _group_shared_work(items) -> None:
    """With pytest-xdist (`make test` runs two workers), tests that share an outside resource
    (the broker's database) run on one worker; they and the browser journeys, the longest
    tests, are handed out first so that no worker is left with a long one at the end while
    the other waits (the order within each kind is kept)."""
    for item in items:
        if item.get_closest_marker("services"):
            item.add_marker(pytest.mark.xdist_group("services"))
    items.sort(key=_hand_out_order)


def _hand_out_order(item) -> int:
    if item.get_closest_marker("services"):
        return 0
    return 1 if "/e2e/" in f"/{item.nodeid}" else 2


def pytest_collection_modifyitems(config, items):
    """Service tests run only against real PostgreSQL + Redis; in CI they must run."""
    _group_shared_work(items)
    if _on_postgres() and not settings.CELERY_TASK_ALWAYS_EAGER:
        return
    service_items = [i for i in items if i.get_closest_marker("services")]
    if not service_items:
        return
    if _require_services():
        raise pytest.UsageError(
            "CDS_REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL or CELERY_BROKER_URL is "
            f"unset: {len(service_items)} service tests would not run."
        )
    config.hook.pytest_deselected(items=service_items)
    items[:] = [i for i in items if not i.get_closest_marker("services")]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _require_services() and terminalreporter.stats.get("skipped"):
        terminalreporter.write_line(
            "FAILED: tests were skipped while CDS_REQUIRE_SERVICES=1; CI runs every test.",
            red=True,
        )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if _require_services() and reporter and reporter.stats.get("skipped"):
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _portal_language():
    """Every test starts in the portal's language (Vietnamese): a test that switches to English
    must not leave the next test on its worker reading English messages."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Tasks run in-process unless a test asks for the real worker (`celery_worker_live`)."""
    from camau_cds.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield


def _load_camau() -> None:
    from divisions.services import divisions_upsert, rows_from_shipped_file

    divisions_upsert(rows=rows_from_shipped_file())


def _load_reorganised() -> None:
    from divisions.services import reorganisation_load

    reorganisation_load()


def _load_demo() -> None:
    """What `make setup-demo` loads after migrating: divisions, catalogue, demo accounts, teams,
    figures and the periodic tasks (the seed commands refuse to run without DEBUG)."""
    from django.core.management import call_command
    from django.test import override_settings

    from camau_cds.celery import app
    from targets.services import catalogue_load

    _load_reorganised()
    catalogue_load()
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with override_settings(DEBUG=True):
            for command in ("seed_accounts", "seed_teams", "seed_demo", "setup_periodic_tasks"):
                call_command(command, stdout=io.StringIO())
    finally:
        app.conf.task_always_eager = eager


# The worlds of the suite, by fixture name, and the loader that builds each.
_LOADERS = {"camau": _load_camau, "reorganised": _load_reorganised, "demo": _load_demo}


def _rows_written_by(load) -> dict:
    """Run `load` in a transaction that is rolled back; return the rows it wrote, by model, and
    the rows of other tables they refer to.

    Only tables that were empty may change (what the loaders do on a fresh test database);
    anything else raises, and the fixtures fall back to running the loader in each test.
    """
    from django.apps import apps
    from django.db import connection, transaction

    models = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]

    def content(model):
        names = [f.attname for f in model._meta.concrete_fields]
        return names, list(model._base_manager.order_by("pk").values_list(*names))

    def prepared(model, rows):
        """Column names and the rows in the form the world is inserted from, computed once:
        COPY's CSV text on PostgreSQL, values as the driver binds them elsewhere."""
        fields = model._meta.concrete_fields
        columns = [f.column for f in fields]
        if connection.vendor == "postgresql":
            return columns, _copy_text(fields, rows)
        values = [
            tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True))
            for row in rows
        ]
        return columns, values

    with transaction.atomic():
        before = {m: content(m)[1] for m in models}
        load()
        written = []
        for model in models:
            names, rows = content(model)
            if rows == before[model]:
                continue
            if before[model]:
                raise RuntimeError(f"{model._meta.label}: the loader changed a table with rows")
            written.append((model, *prepared(model, rows)))
        referenced = _referenced_rows([m for m, _, _ in written], content)
        transaction.set_rollback(True)
    return {"rows": written, "referenced": referenced}


def _referenced_rows(models, content) -> list[tuple[type, list[str], list[tuple]]]:
    """Rows outside the world that its rows point at (the role groups a migration creates), so
    they can be put back where a transactional test's flush removed them."""
    targets: dict[type, set] = {}
    for model in models:
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model not in models:
                ids = model._base_manager.exclude(**{field.attname: None})
                targets.setdefault(field.related_model, set()).update(
                    ids.values_list(field.attname, flat=True)
                )
    found = []
    for target, ids in targets.items():
        names, rows = content(target)
        found.append((target, names, [r for r in rows if r[names.index("id")] in ids]))
    return found


def _build_worlds(names, django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        try:
            return {name: _rows_written_by(_LOADERS[name]) for name in names}
        except RuntimeError:
            return {}


def _shared_worlds(names, django_db_blocker, tmp_path_factory, worker_id) -> dict:
    """`_build_worlds`, once per run for all pytest-xdist workers: the first worker to need
    the worlds builds them and leaves them in the run's temporary folder (models by label);
    the others wait for it and read them. Every worker's test database is migrated alike, and
    `_load_world` checks the rows the worlds point at before inserting."""
    if worker_id == "master":
        return _build_worlds(names, django_db_blocker)
    folder = tmp_path_factory.getbasetemp().parent
    path = folder / f"worlds-{'-'.join(names)}.pickle"
    with open(folder / f"{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return _by_model(pickle.loads(path.read_bytes()))
        worlds = _build_worlds(names, django_db_blocker)
        path.write_bytes(pickle.dumps(_by_label(worlds)))
        return worlds


def _by_label(worlds: dict) -> dict:
    # Auto-created many-to-many models cannot be pickled by reference; their labels can.
    return {
        name: {part: [(m._meta.label, *rest) for m, *rest in world[part]] for part in world}
        for name, world in worlds.items()
    }


def _by_model(worlds: dict) -> dict:
    from django.apps import apps

    return {
        name: {part: [(apps.get_model(m), *rest) for m, *rest in world[part]] for part in world}
        for name, world in worlds.items()
    }


_NULL = "\\N"


def _copy_text(fields, rows) -> str:
    """Rows as COPY's CSV: NULL as \\N (so an empty string stays one), JSON as JSON text,
    booleans as t/f, everything else as its text form."""
    import csv
    import json

    from django.core.serializers.json import DjangoJSONEncoder
    from django.db.models import JSONField

    def text(field, value):
        if value is None:
            return _NULL
        if isinstance(field, JSONField):
            return json.dumps(value, cls=field.encoder or DjangoJSONEncoder)
        if isinstance(value, bool):
            return "t" if value else "f"
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # quotes a lone "\r" (see copy_rows)
    writer.writerows([text(f, v) for f, v in zip(fields, row, strict=True)] for row in rows)
    return buf.getvalue()


@pytest.fixture(scope="session")
def _division_worlds(django_db_setup, django_db_blocker, tmp_path_factory, worker_id):
    """Each division world built once per run (the loader's validation and history are most of
    a world's cost); a test that asks gets the rows inserted in its own transaction, so what it
    changes is rolled back (or flushed) as before."""
    return _shared_worlds(("camau", "reorganised"), django_db_blocker, tmp_path_factory, worker_id)


@pytest.fixture(scope="session")
def _demo_world(django_db_setup, django_db_blocker, tmp_path_factory, worker_id):
    """The demo of `make run`, built once per run on first use (about twenty seconds of
    seeding), whichever worker needs it first."""
    return _shared_worlds(("demo",), django_db_blocker, tmp_path_factory, worker_id)


@pytest.fixture
def make_run_demo(db, _demo_world):
    """The database as `make setup-demo` leaves it: {username: user} of the demo accounts.

    Tests that need the live server's committed data request `transactional_db` (or
    `live_server`) first; the rows are inserted the same way."""
    from django.contrib.auth import get_user_model

    _load_world("demo", _demo_world)
    return get_user_model().objects.in_bulk(field_name="username")


def demo_kept_open(django_db_blocker, demo_world):
    """The demo inserted once for a test module or class (a fixture of that scope yields from
    this): in a transaction that stays open while its tests run and is rolled back after
    them. Each test runs in a savepoint inside it (pytest-django's `db`), so what a test
    writes is still undone before the next one; inserting the demo and rolling it back was
    most of such a test's time.

    The fixture must be set up before the test's own transaction (a test that takes further
    fixtures with `request.getfixturevalue` names it in `usefixtures`)."""
    from django.db import connection, transaction

    with django_db_blocker.unblock():
        # Inside a test's transaction the demo would be rolled back with that test.
        assert not connection.in_atomic_block, "set up the demo before the test's db"
    with django_db_blocker.unblock(), transaction.atomic():
        _load_world("demo", demo_world)
        # The demo's deferred foreign-key checks run here, once: left pending, they would run
        # at the end of every test (Django's TestCase checks constraints before its rollback)
        # and come back with each savepoint's rollback.
        connection.check_constraints()
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def demo_for_module(django_db_setup, django_db_blocker, _demo_world):
    """The demo inserted once for the test module that asks (`demo_kept_open`)."""
    yield from demo_kept_open(django_db_blocker, _demo_world)


@pytest.fixture
def demo_users(demo_for_module, db):
    """{username: user} of the demo accounts, on the demo kept for the module."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.in_bulk(field_name="username")


def _load_world(name: str, worlds: dict) -> None:
    """Insert the rows built once, or run the loader where the test already has divisions
    (`reorganised` over `camau` updates the old units, as `load_divisions` does)."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from core.bulk_sql import insert_rows

    world = worlds.get(name)
    if not world or not _referenced_rows_in_place(world["referenced"]):
        _LOADERS[name]()
        return
    referenced = [m for m, _, _ in world["referenced"]]
    world = world["rows"]
    if any(model._base_manager.exists() for model, _, _ in world):
        _LOADERS[name]()
        return
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for model, columns, rows in world:
            table = quote(model._meta.db_table)
            if isinstance(rows, str):
                names = ", ".join(quote(c) for c in columns)
                copy = f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv, NULL '{_NULL}')"
                cursor.cursor.copy_expert(copy, io.StringIO(rows))
            else:
                insert_rows(model._meta.db_table, columns, rows)
    # PostgreSQL: the next id after the inserted ones (SQLite follows on its own).
    with connection.cursor() as cursor:
        models = [m for m, _, _ in world] + referenced
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _referenced_rows_in_place(referenced) -> bool:
    """Put back referenced rows a flush removed (same ids); False where another row holds
    one of their ids, so the caller runs the loader instead."""
    for model, names, rows in referenced:
        present = {r[0]: r for r in model._base_manager.values_list("id", *names)}
        for row in rows:
            values = dict(zip(names, row, strict=True))
            held = present.get(values["id"])
            if held is None:
                model._base_manager.bulk_create([model(**values)])
            elif held[1:] != row:
                return False
    return True


@pytest.fixture
def camau(db, _division_worlds):
    """Cà Mau's province, 9 district-level and 100 commune-level units, open-ended.

    The structure before 01/07/2025 as if it had not ended: tests of reporting mechanics work
    on a rolling "last month". Tests of the 2025 reorganisation use `reorganised`.
    """
    from divisions.models import Division

    _load_world("camau", _division_worlds)
    return {d.code: d for d in Division.objects.all()}


@pytest.fixture
def reorganised(db, _division_worlds):
    """Everything `load_divisions` loads: old Cà Mau and Bạc Liêu (ending 30/06/2025), the 64
    units from 01/07/2025 and the successions. `.old`/`.new`: code → unit of each structure."""
    import datetime as dt
    from types import SimpleNamespace

    from divisions.models import REORG_DATE, Division

    _load_world("reorganised", _division_worlds)
    before = REORG_DATE - dt.timedelta(days=1)
    return SimpleNamespace(
        old=Division.objects.by_codes(Division.objects.values_list("code", flat=True), on=before),
        new=Division.objects.by_codes(
            Division.objects.values_list("code", flat=True), on=REORG_DATE
        ),
        province=Division.objects.get(code="96"),
    )


@pytest.fixture
def steering_user(camau):
    return make_user("steering", "96", username="bcd")


@pytest.fixture
def officer_a(camau):
    return make_user("district_officer", DISTRICT_A, username="officer_a")


@pytest.fixture
def officer_b(camau):
    return make_user("district_officer", DISTRICT_B, username="officer_b")


@pytest.fixture
def commune_officer(camau):
    return make_user("commune_officer", COMMUNE_A, username="commune_a")


@pytest.fixture
def team_leader(camau):
    return make_user("team_leader", COMMUNE_A, username="leader_a")


@pytest.fixture
def province_officer(camau):
    """An officer of a provincial agency (Sở, ban, ngành): the province's own figures."""
    return make_user("province_officer", "96", username="so_khcn")


@pytest.fixture
def viewer(camau):
    return make_user("viewer", "96", username="viewer")


@pytest.fixture
def no_role_user(camau):
    return make_user(None, None, username="norole")


@pytest.fixture
def role_users(
    steering_user,
    province_officer,
    officer_a,
    officer_b,
    commune_officer,
    team_leader,
    viewer,
    no_role_user,
):
    """Every role of the access matrix, keyed by the names the matrix uses."""
    return {
        "steering": steering_user,
        "province_officer": province_officer,
        "officer_a": officer_a,
        "officer_b": officer_b,
        "commune": commune_officer,
        "team_leader": team_leader,
        "viewer": viewer,
        "no_role": no_role_user,
    }
