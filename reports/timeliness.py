"""Whether a monthly report came on time: days past its due date and the words for it
("Nộp muộn N ngày" for a report sent late, "Quá hạn N ngày" for one still owed)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import ngettext

from reports.models import Report, ReportStatus, due_date_for

SENT = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


def days_late(report: Report | None, period: dt.date, today: dt.date | None = None) -> int:
    """Days past the due date: until the submission for a sent report (0 if on time), until
    today for a report still owed (a draft, a returned one or none at all)."""
    due = due_date_for(period)
    if report is not None and report.submitted_at is not None and report.status in SENT:
        return max(0, (timezone.localdate(report.submitted_at) - due).days)
    today = today or timezone.localdate()
    return max(0, (today - due).days)


def lateness(report: Report | None, period: dt.date, today: dt.date | None = None) -> str:
    """ "Nộp muộn N ngày" for a report sent after its due date, "Quá hạn N ngày" for one still
    owed past it, else ""."""
    days = days_late(report, period, today)
    if not days:
        return ""
    if report is not None and report.status in SENT:
        return ngettext("Nộp muộn %(n)s ngày", "Nộp muộn %(n)s ngày", days) % {"n": days}
    return ngettext("Quá hạn %(n)s ngày", "Quá hạn %(n)s ngày", days) % {"n": days}
