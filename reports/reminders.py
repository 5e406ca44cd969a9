"""Reminder emails to the officers of reporting units whose monthly report is not sent yet."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from core import months as periods
from divisions.access import Role
from reports import selectors
from reports.models import Report, ReportStatus, due_date_for

logger = logging.getLogger(__name__)

# Days before the due date on which officers are reminded (0 = on the due date itself).
REMINDER_DAYS_BEFORE = (3, 0)


# The roles that enter a unit's report, each scoped to the reporting unit itself: the province's
# agencies, a district-level unit (until 06/2025), a commune-level unit (since 07/2025).
REPORTING_ROLES = (Role.PROVINCE_OFFICER, Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICER)


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
    units = list(pending_units(period))
    officers = (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name__in=[role.value for role in REPORTING_ROLES],
            cds_scope__division__in=units,
        )
        .exclude(email="")
        .select_related("cds_scope__division")
        .distinct()
    )
    messages = []
    with translation.override("vi"):
        for user in officers:
            unit = user.cds_scope.division
            context = {
                "user": user,
                "unit": unit,
                "period": period,
                "due": due,
                "days_left": days_left,
                "path": reverse("reports:entry", args=[unit.code, f"{period:%Y-%m}"]),
            }
            subject = render_to_string("reports/email/reminder_subject.txt", context).strip()
            body = render_to_string("reports/email/reminder_body.txt", context)
            messages.append(EmailMessage(subject, body, to=[user.email]))
    if not messages:
        return 0
    sent = get_connection().send_messages(messages) or 0
    logger.info("report reminders for %s: %s emails", period, sent)
    return sent
