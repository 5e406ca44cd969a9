"""Celery tasks of the attainment engine. Thin: they call the engine and are safe to retry.

The names keep their `reports.` prefix: beat schedules stored in the database (and `reports`,
which queues the drain by name after an approval) refer to them.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from attainment.engine import attainment_recompute
from attainment.outbox import outbox_drain

logger = logging.getLogger(__name__)

DRAIN_TASK = "reports.drain_recompute_outbox"


@shared_task(
    name=DRAIN_TASK,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def drain_recompute_outbox() -> int:
    """Process pending RecomputeRequest rows; returns how many were processed.

    Idempotent: rows are claimed under a lock and marked once.
    """
    return outbox_drain()


@shared_task(
    name="reports.recompute_all_attainment",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def recompute_all_attainment() -> int:
    """Nightly full recompute of every attainment row (idempotent); returns rows written."""
    return attainment_recompute().rows
