"""The report workflow: draft → submitted → approved (or returned), reopening, bulk approval.

Each action locks the report, checks the transition, stamps who and when, records the
transition and, on approval, writes the attainment outbox row in the same transaction; the
drain task is queued by name after the commit (reports never import the attainment app).
The unit's officers are e-mailed after the commit when their report is returned or approved.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import months as periods
from core.bulk_sql import for_update
from divisions import access
from divisions.access import Action
from divisions.models import Division
from reports import notifications
from reports.models import (
    RecomputeRequest,
    Report,
    ReportStatus,
    ReportTransition,
)

logger = logging.getLogger(__name__)

# The attainment outbox drain (`attainment.tasks`), queued by name after an approval commits.
DRAIN_TASK = "reports.drain_recompute_outbox"

# --------------------------------------------------------------------------------------------
# Report workflow
# --------------------------------------------------------------------------------------------


class TransitionError(ValidationError):
    """A status change that the workflow does not allow."""


class SelfApprovalError(TransitionError):
    """The user who submitted a report tried to approve it (separation of duties)."""


def approval_blocked_for(user, report: Report) -> bool:
    """Whether separation of duties keeps `user` from approving `report`: they submitted it
    (the latest submission counts), unless CDS_ALLOW_SELF_APPROVAL is on. Returning or
    reopening one's own report stays allowed: it only sends the report back for correction."""
    if settings.CDS_ALLOW_SELF_APPROVAL or user is None or report.submitted_by_id is None:
        return False
    return report.submitted_by_id == user.pk


def _self_approval_message(report: Report) -> str:
    return _(
        "Bạn đã gửi báo cáo %(report)s nên không thể tự duyệt; cần một cán bộ khác của Ban "
        "Chỉ đạo duyệt."
    ) % {"report": f"{report.division.name} {periods.label(report.period)}"}


# The only allowed status changes: action → (from statuses, to status).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED}), ReportStatus.SUBMITTED),
    "return": (frozenset({ReportStatus.SUBMITTED}), ReportStatus.RETURNED),
    "approve": (frozenset({ReportStatus.SUBMITTED}), ReportStatus.APPROVED),
    "reopen": (frozenset({ReportStatus.APPROVED}), ReportStatus.RETURNED),
}


def _action_labels() -> dict[str, str]:
    return {
        "submit": _("gửi"),
        "return": _("trả lại"),
        "approve": _("duyệt"),
        "reopen": _("mở lại"),
    }


def _check_transition(report: Report, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if report.status not in sources:
        raise TransitionError(
            _("Không thể %(action)s báo cáo %(report)s đang ở trạng thái “%(status)s”.")
            % {
                "action": _action_labels()[action],
                "report": f"{report.division.name} {periods.label(report.period)}",
                "status": report.get_status_display(),
            }
        )
    return target


def _locked(report: Report) -> Report:
    """Re-read the report under a row lock so two reviewers cannot both act on it."""
    return for_update(Report.objects.select_related("division")).get(pk=report.pk)


def _record(report: Report, *, from_status: str, user, now, reason: str = "") -> None:
    ReportTransition.objects.create(
        report=report,
        from_status=from_status,
        to_status=report.status,
        by=user,
        at=now,
        reason=reason,
    )


def report_get_or_create_draft(*, user, division: Division, period: dt.date) -> Report:
    """The unit's report for the month, created as a draft (with its first transition)."""
    if not periods.in_window(period) or period.day != 1:
        raise ValidationError(
            _("Tháng %(month)s nằm ngoài thời gian báo cáo (từ %(start)s đến tháng hiện tại).")
            % {"month": periods.label(period), "start": periods.label(periods.REPORTING_START)}
        )
    access.require(user, Action.EDIT_FIGURES, division)
    with transaction.atomic():
        report, created = Report.objects.get_or_create(
            division=division, period=period, defaults={"created_by": user}
        )
        if created:
            _record(report, from_status="", user=user, now=timezone.now())
    return report


def _transition(
    *,
    user,
    report: Report,
    action: str,
    stamp: Callable[[Report, dt.datetime], None],
    reason: str = "",
    recompute: bool = False,
    guard: Callable[[Report], None] | None = None,
) -> Report:
    """The one way a report changes status: lock the row, check the transition table (and
    `guard`, on the locked row), stamp who and when, save, record the transition, and
    (approve, reopen) queue the recompute through the outbox, all in one transaction."""
    with transaction.atomic():
        report = _locked(report)
        if guard is not None:
            guard(report)
        before = report.status
        report.status = _check_transition(report, action)
        now = timezone.now()
        stamp(report, now)
        report.full_clean()
        report.save()
        _record(report, from_status=before, user=user, now=now, reason=reason)
        if recompute:
            _outbox_row(report).save()
            transaction.on_commit(queue_recompute_drain)
    return report


def report_submit(*, user, report: Report) -> Report:
    """Officer sends the draft (or a returned report) for review."""
    access.require(user, Action.EDIT_FIGURES, report.division)

    def stamp(r: Report, now: dt.datetime) -> None:
        r.submitted_at, r.submitted_by = now, user

    return _transition(user=user, report=report, action="submit", stamp=stamp)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError(_("Hãy ghi lý do để đơn vị biết cần sửa gì."))
    return reason


def report_return(*, user, report: Report, reason: str) -> Report:
    """Steering staff send a submitted report back with a reason."""
    access.require(user, Action.APPROVE, report.division)
    reason = _require_reason(reason)

    def stamp(r: Report, now: dt.datetime) -> None:
        r.returned_at, r.returned_by, r.return_reason = now, user, reason

    report = _transition(user=user, report=report, action="return", stamp=stamp, reason=reason)
    notifications.notify_after_commit("returned", [report])
    return report


def _outbox_row(report: Report) -> RecomputeRequest:
    return RecomputeRequest(
        indicator_ids=None,
        division_path=report.division.path,
        period_from=report.period,
        # Later months of stocks and running totals depend on this one.
        period_to=max(report.period, periods.current_month()),
        reason=f"approve report {report.pk}",
    )


def queue_recompute_drain() -> None:
    """Ask Celery to drain the outbox; a broker failure only delays it (the rows stay).

    The task belongs to `attainment` (a higher app): it is found by its name, never imported.
    """
    try:
        current_app.tasks[DRAIN_TASK].delay()
    except Exception:  # noqa: BLE001 - the outbox keeps the work; never break an approval
        logger.exception("could not queue drain_recompute_outbox; the outbox keeps the work")


def report_approve(*, user, report: Report) -> Report:
    """Steering staff approve a submitted report: it is locked and attainment is recomputed.
    Whoever submitted it may not approve it (`approval_blocked_for`)."""
    access.require(user, Action.APPROVE, report.division)

    def not_own(r: Report) -> None:
        if approval_blocked_for(user, r):
            raise SelfApprovalError(_self_approval_message(r))

    def stamp(r: Report, now: dt.datetime) -> None:
        r.approved_at, r.approved_by = now, user

    report = _transition(
        user=user, report=report, action="approve", stamp=stamp, recompute=True, guard=not_own
    )
    notifications.notify_after_commit("approved", [report])
    return report


def report_reopen(*, user, report: Report, reason: str) -> Report:
    """Steering staff unlock an approved report (it goes back to the unit as returned)."""
    if access.role_of(user) != access.Role.STEERING:
        raise PermissionDenied(_("Chỉ Ban Chỉ đạo được mở lại báo cáo đã duyệt."))
    access.require(user, Action.APPROVE, report.division)
    reason = _require_reason(reason)

    def stamp(r: Report, now: dt.datetime) -> None:
        r.returned_at, r.returned_by, r.return_reason = now, user, reason
        r.approved_at = r.approved_by = None

    # Figures may change again: dashboards must not keep the approved ones (recompute).
    report = _transition(
        user=user, report=report, action="reopen", stamp=stamp, reason=reason, recompute=True
    )
    # For the unit a reopened report is a returned one: same mail, same reason shown.
    notifications.notify_after_commit("returned", [report])
    return report


@dataclass
class BulkApproval:
    """What a bulk approval did: the reports approved, and those left submitted because the
    user submitted them (separation of duties)."""

    approved: list[Report]
    skipped_own: list[Report]

    def skipped_message(self) -> str:
        return _(
            "Chưa duyệt %(n)s báo cáo do chính bạn gửi (%(reports)s); cần một cán bộ khác của "
            "Ban Chỉ đạo duyệt."
        ) % {
            "n": len(self.skipped_own),
            "reports": ", ".join(
                f"{r.division.name} {periods.label(r.period)}" for r in self.skipped_own
            ),
        }


def reports_bulk_approve(*, user, report_ids: Iterable[int]) -> BulkApproval:
    """Approve several submitted reports at once, all or none: a report that is missing or not
    submitted refuses the batch (the page is stale). Reports the user submitted are skipped,
    not refused: the board lists them with the others, and the rest can still be approved."""
    ids = sorted({int(i) for i in report_ids})
    if not ids:
        raise TransitionError(_("Hãy chọn ít nhất một báo cáo đã gửi để duyệt."))
    with transaction.atomic():
        locked = list(
            for_update(Report.objects.select_related("division")).filter(pk__in=ids).order_by("pk")
        )
        if len(locked) != len(ids):
            raise TransitionError(_("Có báo cáo không tồn tại; hãy tải lại trang."))
        for rep in locked:
            access.require(user, Action.APPROVE, rep.division)
            _check_transition(rep, "approve")
        result = BulkApproval(
            approved=[r for r in locked if not approval_blocked_for(user, r)],
            skipped_own=[r for r in locked if approval_blocked_for(user, r)],
        )
        reports = result.approved
        if not reports:
            return result
        now = timezone.now()
        for rep in reports:
            rep.status = ReportStatus.APPROVED
            rep.approved_at, rep.approved_by = now, user
        Report.objects.bulk_update(reports, ["status", "approved_at", "approved_by"])
        ReportTransition.objects.bulk_create(
            [
                ReportTransition(
                    report=r,
                    from_status=ReportStatus.SUBMITTED,
                    to_status=ReportStatus.APPROVED,
                    by=user,
                    at=now,
                )
                for r in reports
            ]
        )
        RecomputeRequest.objects.bulk_create([_outbox_row(r) for r in reports])
        transaction.on_commit(queue_recompute_drain)
        notifications.notify_after_commit("approved", reports)
    return result
