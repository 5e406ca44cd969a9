"""Catalogue pages (public: the targets are open information) and the steering import page."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import uploads
from core.uploads import UploadError
from divisions.access import Action, require
from targets import selectors
from targets.forms import CatalogueFilterForm, TargetImportForm
from targets.imports import PREVIEW_KIND, read_rows, template_rows
from targets.milestones import DERIVED_LABEL, MILESTONE_YEARS
from targets.services import CatalogueErrors, targets_import

PREVIEW_SCOPE = "catalogue"  # one catalogue: the importer is the whole scope


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """Every indicator and target grouped by pillar, with the programme goals on top."""
    programmes = selectors.programmes()
    form = CatalogueFilterForm(
        request.GET or None, years=selectors.deadline_years(), programmes=programmes
    )
    filters = form.filters()
    groups = selectors.catalogue_groups(**filters)
    return render(
        request,
        "targets/catalogue.html",
        {
            "form": form,
            "filters": filters,
            "groups": groups,
            "programmes": programmes,
            "goals": selectors.programme_goals(
                year=filters["year"], programme=filters["programme"]
            ),
            "indicator_count": sum(len(g.indicators) for g in groups),
            "target_count": sum(len(i.shown_targets) for g in groups for i in g.indicators),
        },
    )


@require_GET
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    indicator = selectors.indicator_get(code=code)
    return render(
        request,
        "targets/indicator.html",
        {"indicator": indicator, "targets": list(indicator.targets.all())},
    )


@require_GET
def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A programme: its document, its targets and their yearly milestones 2026–2030."""
    programme, rows = selectors.programme_get(code=code)
    return render(
        request,
        "targets/programme.html",
        {
            "programme": programme,
            "rows": rows,
            "milestone_years": list(MILESTONE_YEARS),
            "derived_label": DERIVED_LABEL,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_targets(request: HttpRequest) -> HttpResponse:
    """Upload → preview (dry run, row-by-row errors) → confirm (applied atomically)."""
    require(request.user, Action.MANAGE_CATALOGUE)
    context: dict = {"form": TargetImportForm()}
    if request.method == "POST" and "confirm" in request.POST:
        return _import_confirm(request, context)
    if request.method == "POST":
        form = TargetImportForm(request.POST, request.FILES)
        context["form"] = form
        if not form.is_valid():
            return render(request, "targets/import.html", context, status=400)
        upload = form.cleaned_data["file"]
        try:
            data = uploads.read_bounded(upload)
            result = targets_import(rows=read_rows(upload), user=request.user, dry_run=True)
        except CatalogueErrors as exc:
            context.update(errors=_listed(exc.entries), filename=upload.name)
            return render(request, "targets/import.html", context, status=400)
        except UploadError as exc:
            form.add_error("file", exc)
            return render(request, "targets/import.html", context, status=400)
        token = uploads.preview_keep(
            request, PREVIEW_KIND, scope=PREVIEW_SCOPE, name=upload.name, data=data
        )
        context.update(result=result, token=token, filename=upload.name)
    return render(request, "targets/import.html", context)


def _import_confirm(request: HttpRequest, context: dict) -> HttpResponse:
    """Apply the previewed file, read again from the preview store, atomically."""
    try:
        upload, _extra = uploads.preview_take(
            request, PREVIEW_KIND, scope=PREVIEW_SCOPE, token=request.POST.get("token", "")
        )
        result = targets_import(rows=read_rows(upload), user=request.user, dry_run=False)
    except CatalogueErrors as exc:
        context.update(errors=_listed(exc.entries), filename=upload.name)
        return render(request, "targets/import.html", context, status=400)
    except UploadError as exc:
        messages.error(request, exc.message)
        return redirect("targets:import")
    messages.success(
        request,
        _(
            "Đã lưu tệp %(name)s: %(created)s mục tiêu mới, %(updated)s mục tiêu cập nhật, "
            "%(unchanged)s không đổi."
        )
        % {
            "name": upload.name,
            "created": result.count("target", "created"),
            "updated": result.count("target", "updated"),
            "unchanged": result.count("target", "unchanged"),
        },
    )
    return redirect("targets:catalogue")


def _listed(entries: list) -> list:
    """The first errors of a refused file, then "và N lỗi khác"."""
    shown, more = uploads.capped(entries)
    return [*shown, more] if more else shown


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """The current targets as an Excel file in the import layout: edit it and upload it back."""
    require(request.user, Action.MANAGE_CATALOGUE)
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "targets"
    for row in template_rows(selectors.targets_for_export()):
        sheet.append(row)
    header = [cell.value for cell in sheet[1]]
    for name in ("deadline", "baseline_period"):
        column = header.index(name) + 1
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="muc-tieu-cds-ca-mau.xlsx"'
    return response
