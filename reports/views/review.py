"""Submit, return, approve, reopen; history; the completeness board for steering staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import months as periods
from divisions import access
from reports import selectors, services
from reports.models import DataValue, ReportStatus
from reports.views.common import (
    period_from_url,
    period_slug,
    report_or_404,
    unit_for_view,
    unit_from_url,
)


def _back(report) -> HttpResponse:
    return redirect(
        "reports:entry", district_code=report.division.code, period=period_slug(report.period)
    )


def _transition(request, district_code, period, action: str) -> HttpResponse:
    month = period_from_url(period)
    unit = unit_from_url(district_code, month)
    needed = access.Action.EDIT_FIGURES if action == "submit" else access.Action.APPROVE
    access.require(request.user, needed, unit)
    if action == "submit":
        report = services.report_get_or_create_draft(user=request.user, division=unit, period=month)
    else:
        report = report_or_404(unit, month)
    reason = request.POST.get("reason", "")
    try:
        if action == "submit":
            services.report_submit(user=request.user, report=report)
            messages.success(request, _("Đã gửi báo cáo để Ban Chỉ đạo duyệt."))
        elif action == "return":
            services.report_return(user=request.user, report=report, reason=reason)
            messages.success(request, _("Đã trả lại báo cáo cho đơn vị."))
        elif action == "approve":
            services.report_approve(user=request.user, report=report)
            messages.success(request, _("Đã duyệt và khoá báo cáo."))
        else:
            services.report_reopen(user=request.user, report=report, reason=reason)
            messages.success(request, _("Đã mở lại báo cáo; đơn vị có thể sửa số liệu."))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    return _back(report)


@login_required
@require_POST
def submit(request, district_code: str, period: str):
    return _transition(request, district_code, period, "submit")


@login_required
@require_POST
def return_report(request, district_code: str, period: str):
    return _transition(request, district_code, period, "return")


@login_required
@require_POST
def approve(request, district_code: str, period: str):
    return _transition(request, district_code, period, "approve")


@login_required
@require_POST
def reopen(request, district_code: str, period: str):
    if access.role_of(request.user) != access.Role.STEERING:
        raise PermissionDenied(_("Chỉ Ban Chỉ đạo được mở lại báo cáo đã duyệt."))
    return _transition(request, district_code, period, "reopen")


@login_required
@require_GET
def history(request: HttpRequest, district_code: str, period: str) -> HttpResponse:
    """A report's transitions and the changes of its figures."""
    month = period_from_url(period)
    unit = unit_for_view(request.user, district_code, month)
    report = report_or_404(unit, month)
    transitions, changes = selectors.report_history(report=report)
    return render(
        request,
        "reports/history.html",
        {"report": report, "transitions": transitions, "changes": changes, "slug": period},
    )


@login_required
@require_GET
def figure_history(request: HttpRequest, pk: int) -> HttpResponse:
    dv = get_object_or_404(
        DataValue.objects.select_related("indicator", "division", "report"), pk=pk
    )
    if not access.can_view(request.user, dv.division):
        raise PermissionDenied(_("Bạn không xem được số liệu của đơn vị này."))
    return render(
        request,
        "reports/figure_history.html",
        {"dv": dv, "changes": selectors.figure_history(data_value=dv)},
    )


def _board_months(request) -> list:
    current = periods.current_month()
    try:
        count = max(1, min(24, int(request.GET.get("months", 6))))
    except ValueError:
        count = 6
    months = [current]
    while len(months) < count and periods.previous_month(months[0]) >= periods.REPORTING_START:
        months.insert(0, periods.previous_month(months[0]))
    return months


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """Districts × months: status, due date, late; bulk approval of submitted reports."""
    if not access.can_approve(request.user):
        raise PermissionDenied(_("Chỉ Ban Chỉ đạo xem bảng theo dõi nộp báo cáo."))
    months = _board_months(request)
    rows, _units = selectors.completeness_board(months=months, today=timezone.localdate())
    submitted = [
        c
        for _u, cells in rows
        for c in cells
        if c.report and c.report.status == ReportStatus.SUBMITTED
    ]
    # Separation of duties: the user's own submissions are shown but cannot be ticked.
    own = {c.report.pk for c in submitted if services.approval_blocked_for(request.user, c.report)}
    # Newest month first: the month that needs action is in view on a phone, where the table
    # scrolls inside its box.
    return render(
        request,
        "reports/board.html",
        {
            "rows": [(unit, cells[::-1]) for unit, cells in rows],
            "months": months[::-1],
            "submitted": submitted,
            "approvable": [c for c in submitted if c.report.pk not in own],
            "own_submissions": own,
            "structure": selectors.structure_label(months[-1]),
        },
    )


@login_required
@require_POST
def bulk_approve(request: HttpRequest) -> HttpResponse:
    if not access.can_approve(request.user):
        raise PermissionDenied(_("Chỉ Ban Chỉ đạo được duyệt báo cáo."))
    ids = [i for i in request.POST.getlist("report") if i.isdigit()]
    try:
        done = services.reports_bulk_approve(user=request.user, report_ids=ids)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        if done.approved:
            messages.success(request, _("Đã duyệt %(n)s báo cáo.") % {"n": len(done.approved)})
        if done.skipped_own:
            messages.warning(request, done.skipped_message())
    return redirect("reports:board")
