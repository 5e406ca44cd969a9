"""Dashboard pages: thin views over `dashboards.selectors` (attainment rows only).

Every table can be downloaded with `?export=xlsx` or `?export=csv` on the page's own address
(`&table=N` picks the table of a page that has several, for CSV).
"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dashboards import exports
from dashboards import selectors as dash
from targets.models import Indicator

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _flags(request: HttpRequest) -> tuple[dash.PeriodChoice, bool]:
    return dash.choose_period(request.GET.get("period")), request.GET.get("provisional") == "1"


def _programmes(request: HttpRequest, choice: dash.PeriodChoice) -> dash.ProgrammeChoice:
    return dash.choose_programme(request.GET.get("programme"), choice.period)


def _query(
    choice: dash.PeriodChoice,
    provisional: bool,
    programmes: dash.ProgrammeChoice | None = None,
    **extra,
) -> str:
    """The page's own query (period, switch, programme, extras) for export and navigation."""
    params = {"period": choice.value} if choice.period else {}
    if provisional:
        params["provisional"] = "1"
    if programmes is not None and programmes.selected is not None:
        params["programme"] = programmes.value
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return urlencode(params)


def _export(request: HttpRequest, tables: list[exports.Table], name: str) -> HttpResponse | None:
    """The export asked for by `?export=`, None for the page itself, 400 for a bad value."""
    kind = request.GET.get("export")
    if not kind:
        return None
    if kind == "xlsx":
        response = HttpResponse(exports.tables_xlsx(tables), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    if kind == "csv":
        try:
            index = int(request.GET.get("table", "0"))
            table = tables[index]
        except (ValueError, IndexError):
            return HttpResponseBadRequest(
                _("Bảng số %(n)s không có trên trang này.") % {"n": request.GET.get("table", "")}
            )
        response = HttpResponse(exports.table_csv(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    return HttpResponseBadRequest(
        _("Định dạng tải về “%(kind)s” không hỗ trợ: chọn xlsx hoặc csv.") % {"kind": kind[:10]}
    )


def _stamp(choice: dash.PeriodChoice) -> str:
    return f"{choice.period:%Y-%m}" if choice.period else "chua-co-ky"


@login_required
@require_GET
def province(request: HttpRequest) -> HttpResponse:
    """Province overview: every user with a scope reads it (province-level aggregates)."""
    dash.require_scope(request.user)
    choice, provisional = _flags(request)
    programmes = _programmes(request, choice)
    overview = dash.division_overview(
        division=dash.province(),
        period=choice.period,
        provisional=provisional,
        programmes=programmes,
    )
    exported = _export(
        request,
        [
            exports.cards_table(_("Mục tiêu toàn tỉnh"), overview.cards + overview.monitoring),
            *exports.results_tables(overview.results),
        ],
        f"tong-quan-tinh-{_stamp(choice)}",
    )
    if exported:
        return exported
    return render(
        request,
        "dashboards/province.html",
        {
            "overview": overview,
            "choice": choice,
            "programmes": programmes,
            "provisional": provisional,
            "query": _query(choice, provisional, programmes),
        },
    )


@login_required
@require_GET
def districts(request: HttpRequest) -> HttpResponse:
    """Districts × targets heat table and a bar chart per target, `?page=N` of the units.

    The exports hold every unit: only the page itself is paged.
    """
    dash.require_scope(request.user)
    choice, provisional = _flags(request)
    programmes = _programmes(request, choice)
    table = dash.heat_table(
        user=request.user,
        parent=dash.province(),
        period=choice.period,
        provisional=provisional,
        page_size=None if request.GET.get("export") else dash.HEAT_PAGE_SIZE,
        page_number=request.GET.get("page"),
        programmes=programmes,
    )
    exported = _export(
        request,
        [exports.heat_export(choice.comparison_label, table)],
        f"so-sanh-{'huyen' if choice.has_districts else 'don-vi-cap-xa'}-{_stamp(choice)}",
    )
    if exported:
        return exported
    return render(
        request,
        "dashboards/districts.html",
        {
            "table": table,
            "chart": table.chart_data(),
            "legend": dash.status_legend(),
            "choice": choice,
            # From 07/2025 there is no district level: the table lists commune-level units and
            # per-district targets have ended with the level (said, not shown as "no data").
            "districts_abolished": not choice.has_districts,
            "programmes": programmes,
            "provisional": provisional,
            "query": _query(choice, provisional, programmes),
        },
    )


@login_required
@require_GET
def division(request: HttpRequest, code: str) -> HttpResponse:
    """A district's (or commune's) own cards and its children's table; 404 outside scope."""
    dash.require_scope(request.user)
    choice, provisional = _flags(request)
    unit = dash.division_for_user(request.user, code, on=choice.period)
    programmes = _programmes(request, choice)
    overview = dash.division_overview(
        division=unit, period=choice.period, provisional=provisional, programmes=programmes
    )
    table = dash.heat_table(
        user=request.user,
        parent=unit,
        period=choice.period,
        provisional=provisional,
        programmes=programmes,
    )
    exported = _export(
        request,
        [
            exports.cards_table(unit.name, overview.cards + overview.monitoring),
            exports.heat_export(_("Đơn vị trực thuộc"), table),
            *exports.results_tables(overview.results),
        ],
        f"don-vi-{unit.code}-{_stamp(choice)}",
    )
    if exported:
        return exported
    return render(
        request,
        "dashboards/division.html",
        {
            "unit": unit,
            "overview": overview,
            "table": table,
            "chart": table.chart_data(),
            "legend": dash.status_legend(),
            "choice": choice,
            "programmes": programmes,
            "provisional": provisional,
            "query": _query(choice, provisional, programmes),
        },
    )


@login_required
@require_GET
def indicator(request: HttpRequest, code: str) -> HttpResponse:
    """One indicator in one division: actual vs target path and projection, monthly table."""
    scope = dash.require_scope(request.user)
    item = get_object_or_404(Indicator, code=code, is_active=True)
    unit = dash.division_for_user(
        request.user, request.GET.get("division") or scope.code, allow_province=True
    )
    choice, provisional = _flags(request)
    target_text = request.GET.get("target", "")
    target_id = int(target_text) if target_text.isdigit() else None
    page = dash.indicator_page(
        indicator=item,
        division=unit,
        target_id=target_id,
        provisional=provisional,
        period=choice.period if request.GET.get("period") else None,
    )
    exported = _export(
        request,
        [exports.indicator_export(item.code, page)],
        f"chi-tieu-{item.code}-{unit.code}",
    )
    if exported:
        return exported
    return render(
        request,
        "dashboards/indicator.html",
        {
            "page": page,
            "choice": choice,
            "provisional": provisional,
            "query": _query(
                choice,
                provisional,
                division=unit.code,
                target=page.target.pk if page.target else None,
            ),
            "hidden": [("division", unit.code)]
            + ([("target", str(page.target.pk))] if page.target else []),
            "base_query": urlencode(
                {"division": unit.code, **({"provisional": "1"} if provisional else {})}
            ),
        },
    )


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    """Public page: province-level approved progress of the latest month (no login)."""
    return render(request, "dashboards/open_data.html", {"data": dash.open_data_latest()})


@require_GET
def open_data_csv(request: HttpRequest) -> HttpResponse:
    """Every province-level approved attainment row as CSV (open data, no login)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([str(h) for h in dash.OPEN_DATA_HEADERS])
    writer.writerows(dash.open_data_rows())
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cds-ca-mau-tien-do.csv"'
    return response
