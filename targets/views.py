"""Catalogue pages (public: the targets are open information) and the steering import page."""

from __future__ import annotations

import datetime as dt
import io
import secrets
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from divisions.access import Action, require
from reports import progress
from targets import selectors
from targets.forms import CatalogueFilterForm, TargetImportForm
from targets.imports import read_rows, template_rows
from targets.milestones import DERIVED_LABEL, MILESTONE_YEARS
from targets.models import (
    Comparator,
    DivisionAggregation,
    Measurement,
    Pillar,
    ScopeLevel,
    TargetKind,
    TimeAggregation,
)
from targets.services import CatalogueErrors, targets_import

SESSION_KEY = "targets_import"


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


# The worked example of the methodology page, computed with the very function the attainment
# job uses, so that the page cannot drift from the code.
EXAMPLE_BASELINE = Decimal("40")
EXAMPLE_BASELINE_PERIOD = dt.date(2022, 12, 1)
EXAMPLE_TARGET = Decimal("80")
EXAMPLE_DEADLINE = dt.date(2025, 12, 31)
EXAMPLE_PERIOD = dt.date(2023, 12, 1)
EXAMPLE_ACTUALS = (Decimal("82"), Decimal("55"), Decimal("49"), Decimal("42"), Decimal("38"))


def _worked_example() -> dict:
    months_total = progress.month_index(EXAMPLE_DEADLINE) - progress.month_index(
        EXAMPLE_BASELINE_PERIOD
    )
    months_elapsed = progress.month_index(EXAMPLE_PERIOD) - progress.month_index(
        EXAMPLE_BASELINE_PERIOD
    )
    required = (EXAMPLE_TARGET - EXAMPLE_BASELINE) / months_total
    rows = []
    for actual in EXAMPLE_ACTUALS:
        result = progress.assess(
            actual=actual,
            period=EXAMPLE_PERIOD,
            target=EXAMPLE_TARGET,
            deadline=EXAMPLE_DEADLINE,
            baseline=EXAMPLE_BASELINE,
            baseline_period=EXAMPLE_BASELINE_PERIOD,
            higher_is_better=True,
        )
        rows.append(
            {
                "actual": actual,
                "observed": (actual - EXAMPLE_BASELINE) / months_elapsed,
                "ratio": result.rate_ratio,
                "status": progress.STATUS_LABELS[result.status],
                "status_code": result.status.value,
            }
        )
    return {
        "baseline": EXAMPLE_BASELINE,
        "baseline_period": EXAMPLE_BASELINE_PERIOD,
        "target": EXAMPLE_TARGET,
        "deadline": EXAMPLE_DEADLINE,
        "period": EXAMPLE_PERIOD,
        "months_total": months_total,
        "months_elapsed": months_elapsed,
        "required": required,
        "rows": rows,
    }


@require_GET
def methodology(request: HttpRequest) -> HttpResponse:
    """Units, roll-up rules and progress statuses, with worked examples (one query)."""
    return render(
        request,
        "targets/methodology.html",
        {
            "measurements": Measurement.choices,
            "division_aggregations": DivisionAggregation.choices,
            "time_aggregations": TimeAggregation.choices,
            "comparators": Comparator.choices,
            "kinds": TargetKind.choices,
            "levels": ScopeLevel.choices,
            "pillars": dict(Pillar.choices),
            "reporting": selectors.reporting_table(),
            "thresholds": {
                "on_track": progress.ON_TRACK,
                "needs_acceleration": progress.NEEDS_ACCELERATION,
                "off_track": progress.OFF_TRACK,
            },
            "labels": {s.value: label for s, label in progress.STATUS_LABELS.items()},
            "example": _worked_example(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_targets(request: HttpRequest) -> HttpResponse:
    """Upload → preview (dry run, row-by-row errors) → confirm (applied atomically)."""
    require(request.user, Action.MANAGE_CATALOGUE)
    context: dict = {"form": TargetImportForm()}
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.get(SESSION_KEY)
        if not pending or pending.get("token") != request.POST.get("token"):
            messages.error(
                request, _("Phiên xem trước đã hết hạn hoặc không hợp lệ; hãy tải tệp lên lại.")
            )
            return redirect("targets:import")
        rows = [(n, row) for n, row in pending["rows"]]
        try:
            result = targets_import(rows=rows, user=request.user, dry_run=False)
        except CatalogueErrors as exc:
            context.update(errors=exc.entries, filename=pending.get("filename"))
            return render(request, "targets/import.html", context, status=400)
        del request.session[SESSION_KEY]
        messages.success(
            request,
            _(
                "Đã lưu tệp %(name)s: %(created)s mục tiêu mới, %(updated)s mục tiêu cập nhật, "
                "%(unchanged)s không đổi."
            )
            % {
                "name": pending.get("filename"),
                "created": result.count("target", "created"),
                "updated": result.count("target", "updated"),
                "unchanged": result.count("target", "unchanged"),
            },
        )
        return redirect("targets:catalogue")
    if request.method == "POST":
        form = TargetImportForm(request.POST, request.FILES)
        context["form"] = form
        if not form.is_valid():
            return render(request, "targets/import.html", context, status=400)
        upload = form.cleaned_data["file"]
        try:
            rows = read_rows(upload)
            result = targets_import(rows=rows, user=request.user, dry_run=True)
        except CatalogueErrors as exc:
            context.update(errors=exc.entries, filename=upload.name)
            return render(request, "targets/import.html", context, status=400)
        except ValidationError as exc:
            form.add_error("file", exc)
            return render(request, "targets/import.html", context, status=400)
        token = secrets.token_urlsafe(16)
        request.session[SESSION_KEY] = {"token": token, "rows": rows, "filename": upload.name}
        context.update(result=result, token=token, filename=upload.name)
    return render(request, "targets/import.html", context)


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
