"""Recomputes under faults, on PostgreSQL with real processes: overlapping scoped and full
recomputes end with the rows of one full recompute, and a full recompute whose whole worker
was killed is run again within minutes (not after the broker's one-hour visibility timeout).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection, connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attainment.engine import ROW_COLUMNS, WRITER_LOCK, RecomputeBusy, attainment_recompute
from attainment.models import Attainment, FullRecompute
from core.bulk_sql import copy_rows
from tests.attainment.test_attainment_incremental import MONTHS, catalogue, figure, snapshot
from tests.integration.conftest import (  # noqa: F401 (fixtures)
    ROOT,
    RedisServer,
    database_url,
    use_broker,
    wait_for,
)

pytestmark = pytest.mark.services

# Approvals in three districts, each from its own month: what three drains recompute.
CHANGES = (("967", "32068", 3), ("966", "32047", 5), ("970", "32155", 1))


def stored_tuples() -> list[tuple]:
    return list(Attainment.objects.values_list(*ROW_COLUMNS))


def run_recompute(division_code: str | None, start: dt.date | None, delay: float, errors):
    """One recompute in a thread of its own (its own database connection), retried while
    another holds the writer lock, as the Celery task is."""
    from divisions.models import Division

    try:
        time.sleep(delay)
        division = Division.objects.get(code=division_code) if division_code else None
        while True:
            try:
                attainment_recompute(division=division, period_from=start)
                return
            except RecomputeBusy:
                time.sleep(0.05)
    except Exception as exc:  # reported to the test thread
        errors.append(exc)
    finally:
        connections.close_all()


operations = st.lists(
    st.one_of(
        st.tuples(st.just("full"), st.floats(0, 0.3)),
        st.tuples(st.sampled_from(range(len(CHANGES))), st.floats(0, 0.3)),
    ),
    max_size=5,
)


@pytest.fixture
def changed_world(camau):
    """Figures before the approvals, the rows of a full recompute of them (the stored state
    the drains start from), then the approved changes and the rows expected after them."""
    indicators = catalogue()
    for n, month in enumerate(MONTHS[:8]):
        for district, commune, _start in CHANGES:
            for ind in indicators:
                figure(ind, district, commune, month, 10 + n, camau)
    attainment_recompute()
    before = stored_tuples()
    for district, commune, start in CHANGES:
        for ind in indicators:
            figure(ind, district, commune, MONTHS[start], 99, camau)
            figure(ind, district, commune, MONTHS[start + 4], 7, camau, teams=True)
    attainment_recompute()
    return before, snapshot()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(extra=operations, drain_delays=st.lists(st.floats(0, 0.3), min_size=3, max_size=3))
@pytest.mark.django_db(transaction=True)
def test_overlapping_scoped_and_full_recomputes_end_with_the_full_recomputes_rows(
    changed_world, extra, drain_delays
):
    before, expected = changed_world
    Attainment.objects.all().delete()
    copy_rows(Attainment, ROW_COLUMNS, before)
    # Every approval's drain, plus random full recomputes and repeated drains, all at once.
    jobs = [(i, delay) for i, delay in enumerate(drain_delays)] + extra
    errors: list[Exception] = []
    threads = []
    for job, delay in jobs:
        if job == "full":
            args = (None, None, delay, errors)
        else:
            district, _commune, start = CHANGES[job]
            args = (district, MONTHS[start], delay, errors)
        threads.append(threading.Thread(target=run_recompute, args=args))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert snapshot() == expected


def start_process(args: list[str], broker_url: str, log, **env) -> subprocess.Popen:
    """A Celery process (worker or beat) on the test database, as docker-compose runs it:
    the broker's visibility timeout stays at its production default (one hour)."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "DJANGO_TESTING": "1",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "camau_cds", *args],
        cwd=ROOT,
        env=environment,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def worker_args(name: str) -> list[str]:
    return ["worker", "--pool=solo", "--loglevel=INFO", "--without-gossip", "-n", name]


def waiting_for_the_writer_lock() -> bool:
    """A worker of this test has recorded its full recompute and waits for the writer lock.

    `pg_locks` is the whole server's: only this database's wait for this key counts (the
    other pytest worker's tests take advisory locks of their own in their own database, and
    killing our worker before it has even recorded the run would leave nothing to requeue).
    """
    key = WRITER_LOCK & 0xFFFF_FFFF_FFFF_FFFF  # a bigint key is shown as two unsigned halves
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid::text::bigint = %s AND objid::text::bigint = %s AND objsubid = 1",
            [key >> 32, key & 0xFFFF_FFFF],
        )
        return cursor.fetchone()[0] > 0 and FullRecompute.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_full_recompute_is_run_again_within_minutes(
    camau,
    tmp_path,
    use_broker,  # noqa: F811
):
    """The nightly full recompute's worker is killed whole (SIGKILL to its process group)
    while it runs; the broker would redeliver the task after an hour. Another worker and beat
    (with a 3-second lease and a watchdog every second) bring the rows back within minutes,
    equal to an undisturbed full recompute."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from attainment.tasks import recompute_all_attainment

    indicators = catalogue()
    for month in MONTHS[:6]:
        figure(indicators[1], "967", "32068", month, 5, camau)
    attainment_recompute()
    expected = snapshot()
    Attainment.objects.all().delete()
    every_second = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="watchdog",
        task="attainment.requeue_lost_full_recomputes",
        interval=every_second,
    )

    redis = RedisServer(tmp_path)
    redis.start()
    use_broker(redis.url)
    env = {"CDS_RECOMPUTE_LEASE_SECONDS": "3", "CDS_RECOMPUTE_LOCK_WAIT_SECONDS": "120"}
    log = tmp_path / "celery.log"
    first = start_process(worker_args("first@%h"), redis.url, log, **env)
    others: list[subprocess.Popen] = []
    try:
        wait_for(lambda: b"ready." in log.read_bytes(), timeout=30)
        # Hold the writer lock so that the recompute is caught running, then kill its worker.
        with connections["default"].cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITER_LOCK])
            recompute_all_attainment.delay()
            wait_for(waiting_for_the_writer_lock, timeout=30)
            stop(first, signal.SIGKILL)
            cursor.execute("COMMIT")
        assert not Attainment.objects.exists()

        killed_at = time.monotonic()
        others.append(start_process(worker_args("second@%h"), redis.url, log, **env))
        beat = ["beat", "--loglevel=INFO", "-S", "django_celery_beat.schedulers:DatabaseScheduler"]
        others.append(start_process(beat, redis.url, tmp_path / "beat.log", **env))
        # "Within minutes": a new worker and beat start, the lease runs out, the watchdog
        # queues the run again and it recomputes (the broker alone would wait an hour).
        wait_for(lambda: snapshot() == expected, timeout=120, interval=0.5)
        assert time.monotonic() - killed_at < 120
    finally:
        for process in [first, *others]:
            stop(process)
        redis.stop()
