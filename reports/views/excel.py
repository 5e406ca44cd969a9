"""Excel template download and upload: dry-run preview, then confirm in one transaction.

Two uploads: one unit's month (the unit's entry page), and one file covering any units and
months of the uploader's scope (a provincial agency's or the steering staff's whole-province
sheet, a commune's several months).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import months as periods
from core import numbers, uploads
from core.uploads import UploadError
from divisions import access
from reports.imports import figures_import, scope_template_workbook, template_workbook
from reports.models import Report
from reports.views.common import period_from_url, period_slug, unit_for_edit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_KIND = "figures"
SCOPE_PREVIEW_KIND = "figures_scope"


def _preview_scope(unit, month) -> str:
    return f"{unit.code}/{period_slug(month)}"


def _say_imported(request: HttpRequest, outcome) -> None:
    messages.success(
        request,
        _("Đã nhập tệp: %(created)s số liệu mới, %(updated)s số liệu sửa, %(same)s không đổi.")
        % {
            "created": outcome.result.created,
            "updated": outcome.result.updated,
            "same": outcome.result.unchanged,
        },
    )


def _checked(request: HttpRequest, upload, convention, *, unit=None, month=None):
    """The upload read within the limits and checked without writing (the preview's dry run):
    (its bytes, the outcome); `UploadError` when it is refused. Without a unit and month, every
    row's own unit and month are checked against the uploader's scope."""
    data = uploads.read_bounded(upload)
    outcome = figures_import(
        user=request.user,
        upload=SimpleUploadedFile(upload.name, data),
        unit=unit,
        period=month,
        dry_run=True,
        convention=convention,
    )
    return data, outcome


@login_required
@require_GET
def template(request: HttpRequest, district_code: str, period: str) -> HttpResponse:
    month = period_from_url(period)
    unit = unit_for_edit(request.user, district_code, month)
    response = HttpResponse(template_workbook(unit=unit, period=month), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="bao-cao-{unit.code}-{period_slug(month)}.xlsx"'
    )
    return response


def _context(unit, month, **extra) -> dict:
    report = Report.objects.filter(division=unit, period=month).first()
    conventions = [(c, numbers.convention_label(c)) for c in numbers.CONVENTIONS]
    return {
        "unit": unit,
        "period": month,
        "slug": period_slug(month),
        "report": report,
        "conventions": conventions,
        **extra,
    }


def _chosen_convention(request: HttpRequest) -> str | None:
    """The number convention the user picked for the file ("" = let the file decide)."""
    chosen = request.POST.get("number_convention", "")
    return chosen if chosen in numbers.CONVENTIONS else None


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, district_code: str, period: str) -> HttpResponse:
    """GET: the upload form. POST: check the file (dry run) and show the preview."""
    month = period_from_url(period)
    unit = unit_for_edit(request.user, district_code, month)
    if request.method == "GET":
        return render(request, "reports/import.html", _context(unit, month))
    upload = request.FILES.get("file")
    convention = _chosen_convention(request)
    if upload is None:
        return render(
            request,
            "reports/import.html",
            _context(unit, month, refused=_("Hãy chọn một tệp để tải lên.")),
            status=400,
        )
    try:
        data, outcome = _checked(request, upload, convention, unit=unit, month=month)
    except UploadError as exc:
        return _refused(request, unit, month, exc)
    token = ""
    if outcome.ok:
        token = uploads.preview_keep(
            request,
            PREVIEW_KIND,
            scope=_preview_scope(unit, month),
            name=upload.name,
            data=data,
            extra={"convention": convention or ""},
        )
    return render(
        request,
        "reports/import.html",
        _context(
            unit, month, outcome=outcome, token=token, filename=upload.name, chosen=convention
        ),
        status=200 if outcome.ok else 422,
    )


def _refused(request: HttpRequest, unit, month, exc: UploadError) -> HttpResponse:
    """A file refused as a whole: its one message, nothing saved."""
    return render(
        request,
        "reports/import.html",
        _context(unit, month, refused=" ".join(exc.messages)),
        status=400,
    )


@login_required
@require_POST
def import_confirm(request: HttpRequest, district_code: str, period: str) -> HttpResponse:
    """Apply the previewed file: every row in one transaction, or none."""
    month = period_from_url(period)
    unit = unit_for_edit(request.user, district_code, month)
    try:
        kept, extra = uploads.preview_take(
            request,
            PREVIEW_KIND,
            scope=_preview_scope(unit, month),
            token=request.POST.get("token", ""),
        )
    except UploadError as exc:
        messages.error(request, exc.message)
        return redirect("reports:import", district_code=unit.code, period=period_slug(month))
    try:
        outcome = figures_import(
            user=request.user,
            upload=kept,
            unit=unit,
            period=month,
            dry_run=False,
            convention=extra.get("convention") or None,
        )
    except UploadError as exc:
        return _refused(request, unit, month, exc)
    if not outcome.ok:
        return render(
            request, "reports/import.html", _context(unit, month, outcome=outcome), status=422
        )
    _say_imported(request, outcome)
    return redirect("reports:entry", district_code=unit.code, period=period_slug(month))


# --------------------------------------------------------------------------------------------
# One file for many units and months of the uploader's scope
# --------------------------------------------------------------------------------------------


def _scope_preview_scope(request: HttpRequest) -> str:
    """The preview belongs to its user: the file's units and months are checked again, against
    the user's scope, when it is confirmed."""
    return f"user/{request.user.pk}"


def _require_scope_upload(user) -> None:
    """Anyone who may enter figures for some unit (deny by default: a viewer, a team leader, an
    account without role or scope, or one of an ended unit may not); each row is then checked
    against the user's scope by the import itself."""
    access.require(user, access.Action.EDIT_FIGURES)


def _default_month():
    """Last month: the one being reported (this month while the window starts)."""
    month = periods.previous_month(periods.current_month())
    return month if periods.in_window(month) else periods.current_month()


def _scope_page(request: HttpRequest, *, status: int = 200, **extra) -> HttpResponse:
    month = _default_month()
    outcome = extra.get("outcome")
    groups = outcome.unit_months if outcome is not None else []
    context = {
        "template_month": month,
        "template_slug": period_slug(month),
        "template_first": period_slug(periods.REPORTING_START),
        "template_last": period_slug(periods.current_month()),
        "conventions": [(c, numbers.convention_label(c)) for c in numbers.CONVENTIONS],
        "unit_count": len({g.code for g in groups}),
        "month_count": len({g.period for g in groups}),
        **extra,
    }
    return render(request, "reports/scope_import.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def scope_import(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST: check the whole file (dry run) and show the preview."""
    _require_scope_upload(request.user)
    if request.method == "GET":
        return _scope_page(request)
    upload = request.FILES.get("file")
    convention = _chosen_convention(request)
    if upload is None:
        return _scope_page(request, status=400, refused=_("Hãy chọn một tệp để tải lên."))
    try:
        data, outcome = _checked(request, upload, convention)
    except UploadError as exc:
        return _scope_page(request, status=400, refused=" ".join(exc.messages))
    token = ""
    if outcome.ok:
        token = uploads.preview_keep(
            request,
            SCOPE_PREVIEW_KIND,
            scope=_scope_preview_scope(request),
            name=upload.name,
            data=data,
            extra={"convention": convention or ""},
        )
    return _scope_page(
        request,
        status=200 if outcome.ok else 422,
        outcome=outcome,
        token=token,
        filename=upload.name,
        chosen=convention,
    )


@login_required
@require_POST
def scope_import_confirm(request: HttpRequest) -> HttpResponse:
    """Apply the previewed file: every unit and month in one transaction, or none."""
    _require_scope_upload(request.user)
    try:
        kept, extra = uploads.preview_take(
            request,
            SCOPE_PREVIEW_KIND,
            scope=_scope_preview_scope(request),
            token=request.POST.get("token", ""),
        )
    except UploadError as exc:
        messages.error(request, exc.message)
        return redirect("reports:scope_import")
    try:
        outcome = figures_import(
            user=request.user,
            upload=kept,
            dry_run=False,
            convention=extra.get("convention") or None,
        )
    except UploadError as exc:
        return _scope_page(request, status=400, refused=" ".join(exc.messages))
    if not outcome.ok:
        # Something changed since the preview (a month approved, a figure edited): nothing kept.
        return _scope_page(request, status=422, outcome=outcome)
    _say_imported(request, outcome)
    return redirect("reports:index")


def _template_period(request: HttpRequest):
    """The month asked for (default last month), or the Vietnamese reason it cannot be used."""
    text = request.GET.get("period")
    if text is None:
        return _default_month(), None
    month = periods.parse_period(text)
    if month is None:
        return None, _("Tháng không hợp lệ.")
    if not periods.in_window(month):
        return None, _("Tháng nằm ngoài thời gian báo cáo.")
    return month, None


@login_required
@require_GET
def scope_template(request: HttpRequest) -> HttpResponse:
    """The Excel template of one month for every unit of the user's scope, prefilled."""
    _require_scope_upload(request.user)
    month, problem = _template_period(request)
    if problem is None:
        try:
            data = scope_template_workbook(user=request.user, period=month)
        except UploadError as exc:
            problem = " ".join(exc.messages)
    if problem is not None:
        return _scope_page(request, status=400, template_refused=problem)
    scope = access.get_access(request.user).scope
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="bao-cao-{scope.code}-{period_slug(month)}.xlsx"'
    )
    return response
