"""E-mails to the officers of a reporting unit: its report returned (with the reason), its
report approved, and the monthly reminder (`reports.reminders` decides who is reminded).

Mails are written in Vietnamese, the officers' language, whatever the sender's language; they
go out after the report's transaction commits, and a mail failure is logged, never raised:
the transition is what counts, the mail only tells about it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from divisions.access import Role
from reports.models import Report
from reports.timeliness import lateness

logger = logging.getLogger(__name__)

# The roles that enter a unit's report, each scoped to the reporting unit itself: the province's
# agencies, a district-level unit (until 06/2025), a commune-level unit (since 07/2025).
REPORTING_ROLES = (Role.PROVINCE_OFFICER, Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICER)


def unit_officers(units: Iterable):
    """Active officers with an e-mail address whose scope is one of the reporting units."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name__in=[role.value for role in REPORTING_ROLES],
            cds_scope__division__in=list(units),
        )
        .exclude(email="")
        .select_related("cds_scope__division")
        .distinct()
        .order_by("pk")
    )


def link(path: str) -> str:
    """An address officers can open from their mailbox: the site's origin (EMAIL_LINK_BASE_URL,
    else the first trusted origin, which a deployment behind TLS sets) and the path."""
    origins = list(getattr(settings, "CSRF_TRUSTED_ORIGINS", []) or [])
    base = getattr(settings, "EMAIL_LINK_BASE_URL", "") or (origins[0] if origins else "")
    return base.rstrip("/") + path


def report_link(report: Report) -> str:
    return link(reverse("reports:entry", args=[report.division.code, f"{report.period:%Y-%m}"]))


def compose(kind: str, context: dict, to: str) -> EmailMessage:
    """One message from templates/emails/<kind>_subject.txt and <kind>_body.txt, in Vietnamese."""
    with translation.override("vi"):
        subject = render_to_string(f"emails/{kind}_subject.txt", context).strip()
        body = render_to_string(f"emails/{kind}_body.txt", context)
    return EmailMessage(" ".join(subject.split()), body, to=[to])


def send(messages: list[EmailMessage]) -> int:
    """Send the messages on one connection; the number sent (0 when the mail server fails)."""
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:  # noqa: BLE001 - a mail server failure must not undo a report's step
        logger.exception("could not send %s report e-mails", len(messages))
        return 0


def _report_messages(kind: str, reports: list[Report]) -> list[EmailMessage]:
    by_unit: dict[int, list] = {}
    for user in unit_officers({r.division_id for r in reports}):
        by_unit.setdefault(user.cds_scope.division_id, []).append(user)
    messages = []
    for report in reports:
        readers = {u.pk: u for u in by_unit.get(report.division_id, [])}
        submitter = report.submitted_by
        if submitter is not None and submitter.email and submitter.is_active:
            readers.setdefault(submitter.pk, submitter)
        context = {
            "report": report,
            "link": report_link(report),
            "late": lateness(report, report.period),
        }
        for user in readers.values():
            messages.append(compose(kind, {**context, "user": user}, user.email))
    return messages


def notify_reports(kind: str, report_ids: list[int]) -> int:
    """E-mail the units' officers (and whoever submitted) that their reports were `kind`
    ("returned" or "approved"). Reads the reports afresh: called after the commit."""
    reports = list(
        Report.objects.filter(pk__in=report_ids).select_related(
            "division", "submitted_by", "returned_by", "approved_by"
        )
    )
    sent = send(_report_messages(kind, reports))
    logger.info("%s e-mails for %s %s reports", sent, len(reports), kind)
    return sent


def notify_after_commit(kind: str, reports: Iterable[Report]) -> None:
    """Send the `kind` e-mails once the current transaction has committed (never for a step
    that was rolled back)."""
    ids = [r.pk for r in reports]
    if ids:
        transaction.on_commit(lambda: notify_reports(kind, ids))
