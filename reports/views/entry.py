"""One file over 500 lines: the form and the table layouts share the page's rows, saves and checks.

The monthly entry page of a reporting unit, saved row by row (htmx) or all at once.

A unit that reports alone (every report since 07/2025, and the province's) gets a form of its
indicators as rows, grouped by pillar; a district's report of 2022–06/2025 keeps the table of
its communes × indicators. Indicator names and units are shown in the page's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core import months as periods
from divisions import access
from divisions.models import Level
from reports import selectors
from reports.models import Channel, Report, ReportStatus, due_date_for
from reports.reminders import pending_units
from reports.selectors import GridCell
from reports.services import (
    FigureErrors,
    FigureInput,
    approval_blocked_for,
    data_values_upsert,
    fmt_number,
)
from reports.timeliness import SENT, lateness
from reports.views.common import (
    period_from_url,
    period_slug,
    reports_in,
    unit_for_edit,
    unit_for_view,
)
from targets.models import TimeAggregation, in_page_language

FIELDS = ("value", "numerator", "denominator")


def default_period(unit):
    """The month an officer should work on: the latest returned report first (it waits for an
    answer), then the last closed month until it is sent (late or not: it is still owed), else
    the current month."""
    current = periods.current_month()
    last = periods.previous_month(current)
    if last < periods.REPORTING_START:
        return current
    returned = (
        Report.objects.filter(division=unit, status=ReportStatus.RETURNED)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    if returned is not None:
        return returned
    report = Report.objects.filter(division=unit, period=last).only("status").first()
    pending = report is None or report.status == ReportStatus.DRAFT
    return last if pending else current


def reports_itself(acc: access.Access) -> bool:
    """Does the account send its unit's monthly report (an officer of a unit in force)?"""
    if acc.scope is None or acc.is_history:
        return False
    if acc.role == access.Role.COMMUNE_OFFICER:
        return access.Action.EDIT_FIGURES in acc.actions
    return acc.role in (access.Role.DISTRICT_OFFICER, access.Role.PROVINCE_OFFICER)


@dataclass(frozen=True)
class WorkItem:
    """One thing a signed-in user can do now, for the home page."""

    label: str
    url: str
    status: str = ""
    reason: str = ""
    due: dt.date | None = None
    late: str = ""


# How far back the home page looks for reports still owed: older gaps are the board's.
OWED_MONTHS = 12


def _report_item(unit, period, report) -> WorkItem:
    return WorkItem(
        label=_("Báo cáo tháng %(month)s — %(unit)s")
        % {"month": periods.label(period), "unit": unit.name},
        url=reverse("reports:entry", args=[unit.code, period_slug(period)]),
        status=report.status if report else "not_started",
        reason=report.return_reason if report and report.status == ReportStatus.RETURNED else "",
        due=due_date_for(period),
        late=lateness(report, period),
    )


def officer_tasks(acc: access.Access) -> dict:
    """The officer's "Việc cần làm": every returned report with its reason, the month open for
    reporting with its due date, and earlier months still owed past their due date (two
    queries)."""
    unit, current = acc.scope, periods.current_month()
    last = periods.previous_month(current)
    first = max(periods.REPORTING_START, periods.month_start(unit.valid_from or current.min))
    window = periods.months_between(first, last)[-OWED_MONTHS:]
    reports = {
        r.period: r
        for r in Report.objects.filter(division=unit)
        .filter(Q(period__in=window) | Q(status=ReportStatus.RETURNED))
        .select_related("division")
    }
    owed = [m for m in window if reports.get(m) is None or reports[m].status not in SENT]
    open_month = last if last in owed else current
    returned = sorted(
        (r for r in reports.values() if r.status == ReportStatus.RETURNED),
        key=lambda r: r.period,
        reverse=True,
    )
    today = timezone.localdate()
    # Returned reports are listed with their reasons above, not again as late ones.
    late = [
        m
        for m in owed
        if m != open_month
        and due_date_for(m) < today
        and (m not in reports or reports[m].status != ReportStatus.RETURNED)
    ]
    return {
        "returned_work": [_report_item(unit, r.period, r) for r in returned],
        "open_work": _report_item(unit, open_month, reports.get(open_month)),
        "late_work": [_report_item(unit, m, reports.get(m)) for m in reversed(late)],
    }


def officer_work(acc: access.Access) -> WorkItem:
    """The report the officer should open now (see `default_period`)."""
    unit = acc.scope
    period = default_period(unit)
    report = Report.objects.filter(division=unit, period=period).first()
    status = report.status if report else "not_started"
    label = _("Báo cáo tháng %(month)s — %(unit)s") % {
        "month": periods.label(period),
        "unit": unit.name,
    }
    return WorkItem(
        label=label,
        url=reverse("reports:entry", args=[unit.code, period_slug(period)]),
        status=status,
        reason=report.return_reason if report and status == ReportStatus.RETURNED else "",
    )


def review_work(user, limit: int = 5) -> tuple[int, list[WorkItem]]:
    """Reports waiting for the steering committee's approval: how many, and the oldest few."""
    waiting = Report.objects.for_user(user).filter(status=ReportStatus.SUBMITTED)
    rows = waiting.select_related("division").order_by("period", "division__path")[:limit]
    items = [_report_item(r.division, r.period, r) for r in rows]
    return waiting.count(), items


def steering_tasks(user) -> dict:
    """Besides the reports waiting for approval: how many units have not sent last month's
    report past its due date, and how many returned reports wait for their units."""
    last = periods.previous_month(periods.current_month())
    due = due_date_for(last)
    overdue = 0
    if last >= periods.REPORTING_START and timezone.localdate() > due:
        overdue = pending_units(last).count()
    returned = Report.objects.for_user(user).filter(status=ReportStatus.RETURNED).count()
    return {
        "overdue_count": overdue,
        "overdue_month": periods.label(last),
        "overdue_due": due,
        "returned_count": returned,
    }


def history_reports(user, acc: access.Access, limit: int = 12) -> list[Report]:
    """The last reports of an ended unit's subtree, up to the day it ended (read-only)."""
    return list(
        Report.objects.for_user(user)
        .filter(period__lte=acc.scope.valid_to)
        .select_related("division")
        .order_by("-period", "division__path")[:limit]
    )


def who_reports(units) -> str:
    """Who sends the monthly reports, in the words of the structure the units belong to."""
    if any(u.level == Level.DISTRICT for u in units):
        return _(
            "các huyện, thành phố báo cáo số liệu của mình và các xã; các sở, ban, ngành báo cáo "
            "số liệu của tỉnh."
        )
    return _(
        "các xã, phường báo cáo trực tiếp cho tỉnh; các sở, ban, ngành báo cáo số liệu của tỉnh."
    )


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """'This month's report': officers go to their unit's month (provincial agencies' officers
    to the province's); history accounts get their old unit's reports; others get a list."""
    acc = access.get_access(request.user)
    if reports_itself(acc):
        period = default_period(acc.scope)
        return redirect("reports:entry", district_code=acc.scope.code, period=period_slug(period))
    if not access.can(request.user, access.Action.VIEW):
        return render(request, "reports/index.html", {"reports": [], "units": []}, status=403)
    if acc.is_history:
        return render(
            request,
            "reports/index.html",
            {"reports": history_reports(request.user, acc), "units": [], "history": True},
        )
    current = periods.current_month()
    recent = periods.months_between(
        max(periods.REPORTING_START, periods.previous_month(periods.previous_month(current))),
        current,
    )
    reports = list(
        Report.objects.for_user(request.user)
        .filter(period__in=recent)
        .select_related("division")
        .order_by("-period", "division__path")
    )
    units = list(selectors.reporting_units(period=current).filter(path__startswith=acc.scope.path))
    return render(
        request,
        "reports/index.html",
        {
            "reports": reports,
            "units": units,
            "current": period_slug(current),
            "last": period_slug(periods.previous_month(current)),
            "current_label": periods.label(current),
            "last_label": periods.label(periods.previous_month(current)),
            "structure": selectors.structure_label(current),
            "who_reports": who_reports(units),
        },
    )


# The catalogue's units of measure are a short closed list of Vietnamese words; English pages
# show them translated (an unknown unit is shown as the catalogue writes it).
UNIT_WORDS = {
    "dịch vụ": gettext_lazy("dịch vụ"),
    "hộ": gettext_lazy("hộ"),
    "ngày": gettext_lazy("ngày"),
    "người": gettext_lazy("người"),
    "tài khoản": gettext_lazy("tài khoản"),
    "tổ": gettext_lazy("tổ"),
    "xã": gettext_lazy("xã"),
}


def indicator_name(indicator) -> str:
    """The indicator's name in the page's language (the catalogue's English name in English)."""
    return in_page_language(indicator.name_vi, indicator.name_en)[0]


def unit_label(unit: str) -> str:
    return str(UNIT_WORDS.get(unit, unit))


@dataclass(frozen=True)
class Column:
    """An indicator as a header of the district table."""

    indicator: object
    name: str
    unit: str


@dataclass(frozen=True)
class FormItem:
    """One indicator of a one-unit report as the form shows it: name, unit, its cell, and the
    note kept with its figure (or the one typed, when a save was refused)."""

    cell: GridCell
    name: str
    unit: str
    note: str


@dataclass
class PillarSection:
    label: str
    items: list[FormItem]


def is_form_layout(grid) -> bool:
    """A unit reporting alone gets the form; a district with its communes keeps the table."""
    return len(grid.rows) == 1


def form_sections(grid, notes: dict[str, str] | None = None) -> list[PillarSection]:
    """The one row's cells as indicators grouped by pillar (the catalogue's order)."""
    sections: list[PillarSection] = []
    for cell in grid.rows[0].cells:
        if cell is None:
            continue
        ind = cell.indicator
        if notes is not None and ind.code in notes:
            note = notes[ind.code]
        else:
            note = cell.value.note if cell.value else ""
        item = FormItem(cell, indicator_name(ind), unit_label(ind.unit), note)
        label = str(ind.get_pillar_display())
        if sections and sections[-1].label == label:
            sections[-1].items.append(item)
        else:
            sections.append(PillarSection(label, [item]))
    return sections


def load_grid(unit, period):
    """The entry grid with each row's note: the note saved with the row's latest figure
    (a row's note travels with the figures it explains, so it is shown back with them)."""
    grid = selectors.entry_grid(district=unit, period=period)
    for row in grid.rows:
        values = [c.value for c in row.cells if c is not None and c.value is not None]
        noted = [v for v in values if v.note]
        if noted:
            row.note = max(noted, key=lambda v: (v.updated_at, v.pk)).note
    return grid


def below_registry(grid, division_codes: set[str], typed: dict) -> list[str]:
    """Warnings for stocks (running totals) typed below what the Tổ CNSCĐ registry counts in
    the same month: saved all the same (the registry may lag or be wrong), but the officer
    is told, since a stock rarely drops."""
    warnings = []
    for row in grid.rows:
        if row.division.code not in division_codes:
            continue
        for cell in row.cells:
            if (
                cell is None
                or (cell.indicator.code, row.division.code) not in typed
                or cell.indicator.time_aggregation != TimeAggregation.LATEST
                or cell.value is None
                or cell.teams is None
                or cell.value.value is None
                or cell.teams.value is None
                or cell.value.value >= cell.teams.value
            ):
                continue
            warnings.append(
                _(
                    "%(indicator)s — %(unit)s: số đã nhập (%(typed)s) thấp hơn số Tổ CNSCĐ "
                    "đang ghi trong sổ theo dõi tổ (%(teams)s). Đã lưu; hãy kiểm tra lại hoặc "
                    "ghi chú lý do."
                )
                % {
                    "indicator": indicator_name(cell.indicator),
                    "unit": row.division.name,
                    "typed": fmt_number(cell.value.value),
                    "teams": fmt_number(cell.teams.value),
                }
            )
    return warnings


def _grid_context(request, grid, unit, notes: dict[str, str] | None = None) -> dict:
    report = grid.report
    can_edit_unit = access.can_change(request.user, unit)
    editable = can_edit_unit and (report is None or report.is_editable)
    form_layout = is_form_layout(grid)
    return {
        "grid": grid,
        "form_layout": form_layout,
        "sections": form_sections(grid, notes) if form_layout else [],
        "columns": [Column(i, indicator_name(i), unit_label(i.unit)) for i in grid.indicators],
        "unit": unit,
        "period": grid.period,
        "slug": period_slug(grid.period),
        "report": report,
        "can_edit": editable,
        # The first row saved creates the draft, so the button is there from the start.
        "can_submit": editable,
        "can_review": access.can_approve(request.user),
        # Separation of duties: the submitter sees why "Duyệt và khoá" is not offered.
        "own_submission": report is not None and approval_blocked_for(request.user, report),
        "is_steering": access.role_of(request.user) == access.Role.STEERING,
        "due": due_date_for(grid.period),
        "late": lateness(report, grid.period),
        "prev_slug": _neighbour_slug(unit, periods.previous_month(grid.period)),
        "next_slug": _neighbour_slug(unit, periods.next_month(grid.period)),
    }


def _neighbour_slug(unit, month) -> str:
    """The URL month of the report page before or after this one, or "" where there is none
    (before reporting began, after this month, or where the code reports no more)."""
    if not periods.REPORTING_START <= month <= periods.current_month():
        return ""
    return period_slug(month) if reports_in(unit.code, month) else ""


@login_required
@require_GET
def entry(request: HttpRequest, district_code: str, period: str) -> HttpResponse:
    month = period_from_url(period)
    unit = unit_for_view(request.user, district_code, month)
    grid = load_grid(unit, month)
    return render(request, "reports/entry.html", _grid_context(request, grid, unit))


def _rows_from_post(post, grid, division_codes: set[str]) -> tuple[list[FigureInput], dict]:
    """FigureInputs for the cells present in the POST, plus what was typed (to show back).

    The table has one note per row (a unit); the form one per indicator, which wins."""
    inputs: list[FigureInput] = []
    typed: dict[tuple[str, str], dict[str, str]] = {}
    for row in grid.rows:
        if row.division.code not in division_codes:
            continue
        row_note = post.get(f"note__{row.division.code}", "").strip()
        # A row's note explains the row's figures: it goes with the cells that hold a number,
        # or, where none does, with the first cell, which is refused for a note without one.
        row_has_number = any(
            (post.get(f"{c.name_prefix}__{f}") or "").strip()
            for c in row.cells
            if c is not None
            for f in FIELDS
        )
        for cell in row.cells:
            if cell is None:
                continue
            prefix = cell.name_prefix
            present = {f: post.get(f"{prefix}__{f}") for f in FIELDS if f"{prefix}__{f}" in post}
            if not present:
                continue
            raw = {f: (present.get(f) or "").strip() for f in FIELDS}
            shared = row_note if any(raw.values()) or not row_has_number else ""
            row_has_number = row_has_number or bool(shared)  # the first blank cell only
            note = post.get(f"{prefix}__note", shared).strip()
            typed[(cell.indicator.code, row.division.code)] = {**raw, "note": note}
            version = post.get(f"{prefix}__version", "")
            inputs.append(
                FigureInput(
                    indicator_code=cell.indicator.code,
                    division_code=row.division.code,
                    period=grid.period,
                    value=raw["value"] or None,
                    numerator=raw["numerator"] or None,
                    denominator=raw["denominator"] or None,
                    note=note,
                    expected_version=int(version) if version.isdigit() else None,
                )
            )
    return inputs, typed


def _apply_errors(grid, typed, exc: FigureErrors, division_codes: set[str]) -> list[str]:
    """Put each error on its cell and the typed values back; return errors with no cell."""
    loose: list[str] = []
    for row in grid.rows:
        if row.division.code not in division_codes:
            continue
        for cell in row.cells:
            if cell is not None and (cell.indicator.code, row.division.code) in typed:
                cell.typed = typed[(cell.indicator.code, row.division.code)]
    for err in exc.row_errors:
        row = grid.row_for(err.division_code)
        cell = None
        if row is not None:
            cell = next(
                (c for c in row.cells if c and c.indicator.code == err.indicator_code), None
            )
        if cell is not None:
            cell.errors.append(err.message)
        else:
            loose.append(err.message)
    return loose


@login_required
@require_POST
def save_row(request: HttpRequest, district_code: str, period: str, division_code: str):
    """Save one row (htmx): returns the row, with inline errors, and the totals row."""
    month = period_from_url(period)
    unit = unit_for_edit(request.user, district_code, month)
    grid = selectors.entry_grid(district=unit, period=month)
    row = grid.row_for(division_code)
    if row is None:
        raise Http404(_("Đơn vị không thuộc báo cáo này."))
    return _save(request, unit, grid, {division_code})


@login_required
@require_POST
def save_all(request: HttpRequest, district_code: str, period: str):
    """Save every row of the grid at once (the form without JavaScript)."""
    month = period_from_url(period)
    unit = unit_for_edit(request.user, district_code, month)
    grid = selectors.entry_grid(district=unit, period=month)
    return _save(request, unit, grid, {r.division.code for r in grid.rows})


def _row_template(grid) -> str:
    """What an htmx save swaps in: the whole form of a one-unit report, or the table's row."""
    return "reports/_unit_form.html" if is_form_layout(grid) else "reports/_grid_row.html"


def _save(request, unit, grid, division_codes: set[str]) -> HttpResponse:
    inputs, typed = _rows_from_post(request.POST, grid, division_codes)
    htmx = request.headers.get("HX-Request") == "true"
    try:
        result = data_values_upsert(
            user=request.user,
            rows=inputs,
            channel=Channel.FORM,
            unit=unit,
            period=grid.period,
        )
    except FigureErrors as exc:
        loose = _apply_errors(grid, typed, exc, division_codes)
        for row in grid.rows:
            if row.division.code in division_codes:
                row.note = request.POST.get(f"note__{row.division.code}", "").strip()
        notes = {code: t["note"] for (code, _division), t in typed.items()}
        ctx = _grid_context(request, grid, unit, notes)
        if htmx:
            row = grid.row_for(next(iter(division_codes)))
            row.warnings = loose
            ctx.update(row=row, oob_totals=False)
            # 200 so htmx swaps the row in; the errors are in the cells.
            return render(request, _row_template(grid), ctx)
        ctx["form_errors"] = [e.message for e in exc.row_errors]
        return render(request, "reports/entry.html", ctx, status=422)
    grid = load_grid(unit, grid.period)
    warnings = [w.message for w in result.warnings]
    warnings += below_registry(grid, division_codes, typed)
    if htmx:
        row = grid.row_for(next(iter(division_codes)))
        row.saved, row.warnings = True, warnings
        ctx = _grid_context(request, grid, unit)
        ctx.update(row=row, oob_totals=True)
        return render(request, _row_template(grid), ctx)
    saved = _("Đã lưu: %(created)s số liệu mới, %(updated)s số liệu sửa.") % {
        "created": result.created,
        "updated": result.updated,
    }
    if result.deleted:
        saved += " " + _(
            "Đã xoá %(n)s số liệu nhập tay để trống (số liệu từ Tổ CNSCĐ, nếu có, được tính lại)."
        ) % {"n": result.deleted}
    messages.success(request, saved)
    for w in warnings:
        messages.warning(request, w)
    return redirect(reverse("reports:entry", args=[unit.code, period_slug(grid.period)]))
