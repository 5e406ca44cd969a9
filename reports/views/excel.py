"""Excel template download and upload: dry-run preview, then confirm in one transaction."""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import numbers
from reports.imports import ImportRefused, check_size, figures_import, template_workbook
from reports.models import Report
from reports.views.common import period_from_url, period_slug, unit_for_edit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "reports_pending_import"


SPOOL_MAX_AGE_SECONDS = 24 * 3600


def _spool_dir() -> Path:
    """Where previewed files wait for confirmation; files older than a day are removed."""
    path = Path(tempfile.gettempdir()) / "cds-report-imports"
    path.mkdir(mode=0o700, exist_ok=True)
    cutoff = time.time() - SPOOL_MAX_AGE_SECONDS
    for old in path.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    return path


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
        check_size(upload)
        data = upload.read()
        outcome = figures_import(
            user=request.user,
            upload=SimpleUploadedFile(upload.name, data),
            unit=unit,
            period=month,
            dry_run=True,
            convention=convention,
        )
    except ImportRefused as exc:
        return render(
            request,
            "reports/import.html",
            _context(unit, month, refused=" ".join(exc.messages)),
            status=400,
        )
    token = ""
    if outcome.ok:
        token = uuid.uuid4().hex
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        (_spool_dir() / f"{token}{suffix}").write_bytes(data)
        request.session[SESSION_KEY] = {
            "token": token,
            "suffix": suffix,
            "unit": unit.code,
            "period": period_slug(month),
            "name": upload.name,
            "convention": convention or "",
        }
    return render(
        request,
        "reports/import.html",
        _context(
            unit, month, outcome=outcome, token=token, filename=upload.name, chosen=convention
        ),
        status=200 if outcome.ok else 422,
    )


@login_required
@require_POST
def import_confirm(request: HttpRequest, district_code: str, period: str) -> HttpResponse:
    """Apply the previewed file: every row in one transaction, or none."""
    month = period_from_url(period)
    unit = unit_for_edit(request.user, district_code, month)
    pending = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    if (
        not token
        or pending.get("token") != token
        or pending.get("unit") != unit.code
        or pending.get("period") != period_slug(month)
    ):
        messages.error(request, _("Phiên nhập tệp đã hết hạn; hãy tải tệp lên lại."))
        return redirect("reports:import", district_code=unit.code, period=period_slug(month))
    path = _spool_dir() / f"{token}{pending['suffix']}"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        messages.error(request, _("Phiên nhập tệp đã hết hạn; hãy tải tệp lên lại."))
        return redirect("reports:import", district_code=unit.code, period=period_slug(month))
    try:
        outcome = figures_import(
            user=request.user,
            upload=SimpleUploadedFile(pending["name"], data),
            unit=unit,
            period=month,
            dry_run=False,
            convention=pending.get("convention") or None,
        )
    except ImportRefused as exc:
        outcome = None
        refused = " ".join(exc.messages)
    finally:
        path.unlink(missing_ok=True)
        request.session.pop(SESSION_KEY, None)
    if outcome is None or not outcome.ok:
        return render(
            request,
            "reports/import.html",
            _context(unit, month, outcome=outcome, refused=refused if outcome is None else ""),
            status=422,
        )
    messages.success(
        request,
        _("Đã nhập tệp: %(created)s số liệu mới, %(updated)s số liệu sửa, %(same)s không đổi.")
        % {
            "created": outcome.result.created,
            "updated": outcome.result.updated,
            "same": outcome.result.unchanged,
        },
    )
    return redirect("reports:entry", district_code=unit.code, period=period_slug(month))
