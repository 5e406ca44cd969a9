"""Celery tasks of the reports app. Thin: they call services and are safe to retry."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="reports.drain_recompute_outbox", acks_late=True)
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
