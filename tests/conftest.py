"""Shared fixtures: Cà Mau's real divisions and one user per role (the 'small world')."""

from __future__ import annotations

import os

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


def pytest_collection_modifyitems(config, items):
    """Service tests run only against real PostgreSQL + Redis; in CI they must run."""
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
def _eager_celery(settings):
    """Tasks run in-process unless a test asks for the real worker (`celery_worker_live`)."""
    from camau_cds.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield


@pytest.fixture
def camau(db):
    """Cà Mau's province, 9 district-level and 100 commune-level units, open-ended.

    The structure before 01/07/2025 as if it had not ended: tests of reporting mechanics work
    on a rolling "last month". Tests of the 2025 reorganisation use `reorganised`.
    """
    from divisions.models import Division
    from divisions.services import divisions_upsert, rows_from_shipped_file

    divisions_upsert(rows=rows_from_shipped_file())
    return {d.code: d for d in Division.objects.all()}


@pytest.fixture
def reorganised(db):
    """Everything `load_divisions` loads: old Cà Mau and Bạc Liêu (ending 30/06/2025), the 64
    units from 01/07/2025 and the successions. `.old`/`.new`: code → unit of each structure."""
    import datetime as dt
    from types import SimpleNamespace

    from divisions.models import REORG_DATE, Division
    from divisions.services import reorganisation_load

    reorganisation_load()
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
