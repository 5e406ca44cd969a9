"""Reminder e-mails to the officers of reporting units whose monthly report is not sent yet:
who is reminded and when (the mail itself is composed and sent by `reports.notifications`)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core import months as periods
from reports import notifications, selectors
from reports.models import Report, ReportStatus, due_date_for

logger = logging.getLogger(__name__)

# Days before the due date on which officers are reminded (0 = on the due date itself).
REMINDER_DAYS_BEFORE = (3, 0)

REPORTING_ROLES = notifications.REPORTING_ROLES


def pending_units(period: dt.date):
    """Reporting units without a submitted or approved report for the period."""
    done = Report.objects.filter(
        period=period, status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED]
    ).values("division_id")
    return selectors.reporting_units(period=period).exclude(pk__in=done)


def reminders_send(*, today: dt.date | None = None) -> int:
    """Email the officers of late-running reporting units when today is a reminder day.

    The report due this month is last month's. Returns the number of emails sent.
    """
    today = today or timezone.localdate()
    period = periods.previous_month(periods.month_start(today))
    due = due_date_for(period)
    days_left = (due - today).days
    days = getattr(settings, "CDS_REPORT_REMINDER_DAYS", REMINDER_DAYS_BEFORE)
    if days_left not in days or period < periods.REPORTING_START:
        return 0
    messages = []
    for user in notifications.unit_officers(pending_units(period)):
        unit = user.cds_scope.division
        context = {
            "user": user,
            "unit": unit,
            "period": period,
            "due": due,
            "days_left": days_left,
            "link": notifications.link(
                reverse("reports:entry", args=[unit.code, f"{period:%Y-%m}"])
            ),
        }
        messages.append(notifications.compose("reminder", context, user.email))
    sent = notifications.send(messages)
    if sent:
        logger.info("report reminders for %s: %s emails", period, sent)
    return sent
