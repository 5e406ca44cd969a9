"""Full recomputes that are redone until they finish: requested by the nightly job, run under
a row lock, and queued again by a watchdog when their worker died or their task gave up.

A broker redelivers a killed worker's unacknowledged task only after its visibility timeout
(an hour); the watchdog makes that minutes, without lowering the timeout (which would run
long tasks twice while they are still running).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from attainment.engine import attainment_recompute
from attainment.models import FullRecompute


def _open_runs():
    """Unfinished runs, skipping those a running recompute holds."""
    runs = FullRecompute.objects.filter(finished_at__isnull=True)
    if connection.features.has_select_for_update_skip_locked:
        runs = runs.select_for_update(skip_locked=True)
    return runs


def full_recompute_request(task_id: str | None = None) -> FullRecompute:
    """Record that a full recompute is wanted (before it runs); the same row for every
    delivery and retry of one task."""
    if task_id is None:
        return FullRecompute.objects.create(queued_at=timezone.now())
    run, _created = FullRecompute.objects.get_or_create(
        task_id=task_id, defaults={"queued_at": timezone.now()}
    )
    return run


def full_recompute_run(run_id: int) -> int | None:
    """Run the requested full recompute `run_id` unless it is done or running elsewhere.

    The run's row stays locked for the whole recompute and is marked finished in the same
    transaction: rows and mark commit together, or neither does. Returns the rows written,
    or None when there was nothing to do (a duplicate delivery)."""
    with transaction.atomic():
        run = _open_runs().filter(pk=run_id).first()
        if run is None:
            return None
        rows = attainment_recompute().rows
        FullRecompute.objects.filter(pk=run.pk).update(finished_at=timezone.now(), rows=rows)
    return rows


def lost_full_recomputes_requeue(queue) -> list[int]:
    """Queue again (through `queue(run_id)`, after commit) every unfinished run that nobody
    is running and that was queued more than the lease ago; returns their ids.

    Runs queued the most allowed times (`CDS_RECOMPUTE_MAX_ATTEMPTS`) are left for an
    operator (`FullRecompute` rows without `finished_at`); every other lost run is tried
    again within the lease plus the watchdog's period."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.CDS_RECOMPUTE_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            _open_runs()
            .filter(queued_at__lt=stale, attempts__lt=settings.CDS_RECOMPUTE_MAX_ATTEMPTS)
            .values_list("pk", flat=True)
        )
        FullRecompute.objects.filter(pk__in=ids).update(queued_at=now, attempts=F("attempts") + 1)
        for run_id in ids:
            transaction.on_commit(lambda run_id=run_id: queue(run_id))
    return ids
