"""Celery tasks of the attainment engine. Thin: they call the engine and are safe to retry.

The names keep their `reports.` prefix: beat schedules stored in the database (and `reports`,
which queues the drain by name after an approval) refer to them.

Every task is idempotent and retried with backoff on database errors and when another
recompute holds the writer lock (`RecomputeBusy`); the drain's work stays in the outbox and a
full recompute's in its `FullRecompute` row until done, so giving up loses nothing.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from attainment.engine import RecomputeBusy
from attainment.outbox import outbox_drain
from attainment.runs import full_recompute_request, full_recompute_run, lost_full_recomputes_requeue

logger = logging.getLogger(__name__)

DRAIN_TASK = "reports.drain_recompute_outbox"
RETRIED = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError, RecomputeBusy),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 12,
}


@shared_task(name=DRAIN_TASK, **RETRIED)
def drain_recompute_outbox() -> int:
    """Process pending RecomputeRequest rows; returns how many were processed.

    Idempotent: rows are claimed under a lock and marked once.
    """
    return outbox_drain()


@shared_task(name="reports.recompute_all_attainment", bind=True, **RETRIED)
def recompute_all_attainment(self) -> int:
    """Nightly full recompute of every attainment row (idempotent); returns rows written.

    The request is recorded first (one row per task, whatever its retries and deliveries):
    if this worker dies or the task gives up, the watchdog (`requeue_lost_full_recomputes`)
    queues the run again."""
    run = full_recompute_request(task_id=self.request.id)
    return full_recompute_run(run.pk) or 0


@shared_task(name="attainment.run_full_recompute", **RETRIED)
def run_full_recompute(run_id: int) -> int:
    """Run one requested full recompute again (what the watchdog queues); 0 when it is done
    or running elsewhere."""
    return full_recompute_run(run_id) or 0


@shared_task(name="attainment.requeue_lost_full_recomputes", acks_late=True)
def requeue_lost_full_recomputes() -> int:
    """Watchdog (beat, every minute): queue again the full recomputes whose worker died or
    whose task gave up; returns how many."""
    ids = lost_full_recomputes_requeue(run_full_recompute.delay)
    if ids:
        logger.warning("full recomputes %s were lost and are queued again", ids)
    return len(ids)
