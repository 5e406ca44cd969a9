"""Celery tasks of the reports app. Thin: they call services and are safe to retry."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)


@shared_task(
    name="reports.drain_recompute_outbox",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def drain_recompute_outbox() -> int:
    """Process pending RecomputeRequest rows; returns how many were processed.

    The attainment engine (another issue) recomputes here; until then rows are only marked.
    Idempotent: rows are claimed under a lock and marked once.
    """
    from reports.outbox import outbox_drain

    return outbox_drain()


@shared_task(name="reports.send_report_reminders")
def send_report_reminders() -> int:
    """Email officers of districts that have not submitted last month's report (see reminders)."""
    from reports.reminders import reminders_send

    return reminders_send()


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
    from reports.attainment import attainment_recompute

    return attainment_recompute().rows
