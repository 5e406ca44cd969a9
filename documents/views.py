"""Pages of the periodic report: the form (header, number, date, free text), generating the
files (in the request for a short report, in the worker with htmx-polled progress for a
province report of six months or more) and downloading them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import DateInput
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dashboards import selectors as dash
from divisions.access import can_view
from divisions.levels import Level
from documents import periods, services
from documents.forms import HeaderForm, ReportForm
from documents.models import FileStatus, ReportFile
from documents.tasks import generate_report_file

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
RECENT_FILES = 5


def latest_ended(kind: str, today) -> periods.ReportPeriod:
    """The latest period of this kind that has ended by `today` (a report is written on a
    period that is over: its figures are in)."""
    last = dash.shift_month(today.replace(day=1), -1)
    current = periods.of_month(kind, last)
    return current if current.last <= last else current.previous


def period_options(today) -> list[tuple[str, str]]:
    """Recent ended periods of every kind, newest first within each kind."""
    options = []
    for kind, count in (
        (periods.MONTH, 12),
        (periods.QUARTER, 4),
        (periods.HALF, 2),
        (periods.YEAR, 2),
    ):
        current = latest_ended(kind, today)
        for _i in range(count):
            options.append((current.text, current.label()))
            current = current.previous
    return options


def _period(request: HttpRequest, text: str | None) -> periods.ReportPeriod:
    """The period asked for; one not over yet (a dashboard's current month) becomes the latest
    ended period of its kind, so the page, its choices and the document agree."""
    today = timezone.localdate()
    chosen = periods.parse(text) if text else None
    if text and chosen is None:
        raise Http404(_("Không đọc được kỳ báo cáo “%(text)s”.") % {"text": text[:20]})
    if chosen is None:
        return latest_ended(periods.MONTH, today)
    return chosen if chosen.is_over(today) else latest_ended(chosen.kind, today)


def _mark_document_words(*forms) -> None:
    """The fields hold the document's own words, Vietnamese by decision whatever the page's
    language: mark them so (screen readers, spell checkers); their labels follow the page."""
    for form in forms:
        for field in form.fields.values():
            if not isinstance(field.widget, DateInput):
                field.widget.attrs["lang"] = "vi"


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, code: str) -> HttpResponse:
    """The form of one unit's report for the chosen period (`?period=2026-Q1`)."""
    period = _period(request, request.GET.get("period"))
    unit = services.unit_for_user(request.user, code)
    header, item = services.header_for(unit), services.report_for(unit, period)
    writable = services.can_write(request.user, unit)
    header_form = HeaderForm(request.POST or None, instance=header)
    report_form = ReportForm(request.POST or None, instance=item)
    _mark_document_words(header_form, report_form)
    if request.method == "POST":
        services.require_write(request.user, unit)
        if header_form.is_valid() and report_form.is_valid():
            services.save_report_details(
                user=request.user,
                header=header_form.save(commit=False),
                report=report_form.save(commit=False),
            )
            messages.success(request, _("Đã lưu thông tin báo cáo."))
            return redirect(f"{request.path}?period={period.text}")
    files = list(item.files.defer("docx", "pdf")[:RECENT_FILES]) if item.pk else []
    return render(
        request,
        "documents/report.html",
        {
            "unit": unit,
            "period": period,
            "options": period_options(timezone.localdate()),
            "header_form": header_form,
            "report_form": report_form,
            "writable": writable,
            "files": files,
            "background": services.in_background(period, unit),
        },
    )


@login_required
@require_POST
def generate(request: HttpRequest, code: str, period: str) -> HttpResponse:
    """Generate the files: at once for a short report, in the worker for a long one."""
    chosen = _period(request, period)
    unit = services.unit_for_user(request.user, code)
    file = services.request_file(user=request.user, report=services.report_for(unit, chosen))
    if services.in_background(chosen, unit):
        generate_report_file.delay(file.pk)
    else:
        services.generate(file.pk)
    return redirect(reverse("documents:file", kwargs={"pk": file.pk}))


def _file_for_user(request: HttpRequest, pk: int) -> ReportFile:
    """A file of a report the user may read, or 404 (403 without any scope)."""
    dash.require_scope(request.user)
    file = get_object_or_404(ReportFile.objects.select_related("report__division"), pk=pk)
    division = file.report.division
    if division.level != Level.PROVINCE and not can_view(request.user, division):
        raise Http404(_("Không có báo cáo này trong phạm vi của bạn."))
    return file


@login_required
@require_GET
def file(request: HttpRequest, pk: int) -> HttpResponse:
    """A generation's progress and links; htmx polls the fragment until it is done."""
    item = _file_for_user(request, pk)
    template = (
        "documents/_file.html" if request.headers.get("HX-Request") else "documents/file.html"
    )
    return render(
        request,
        template,
        {
            "file": item,
            "report": item.report,
            "polling": item.status in (FileStatus.QUEUED, FileStatus.RUNNING),
        },
    )


@login_required
@require_GET
def download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    item = _file_for_user(request, pk)
    content = getattr(item, kind, None) if kind in CONTENT_TYPES else None
    if content is None:
        raise Http404(_("Tệp chưa sẵn sàng."))
    name = f"bao-cao-{item.report.division.code}-{item.report.period.text}.{kind}"
    response = HttpResponse(bytes(content), content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
