"""Celery tasks of the reports app. Thin: they call services and are safe to retry.

The attainment tasks (outbox drain, nightly recompute) live in `attainment.tasks`.
"""

from __future__ import annotations

import logging

from celery import shared_task

from reports.reminders import reminders_send

logger = logging.getLogger(__name__)


@shared_task(name="reports.send_report_reminders")
def send_report_reminders() -> int:
    """Email officers of districts that have not submitted last month's report (see reminders)."""
    return reminders_send()
