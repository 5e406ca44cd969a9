"""Who may read and write periodic reports, the remembered header, and generating the files.

Units: the province (the steering committee's report) and the commune-level units of the
structure in force from 01/07/2025 (each commune's own report). Reading follows the
dashboards: every user with a scope reads the province's report (province-level aggregates),
a unit's report only within the scope. Writing the header and the free text: steering staff
for the province, whoever changes the unit's figures for a commune. Deny by default: a user
without a role or scope gets nothing.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboards import selectors as dash
from divisions.access import Action, can, can_change, get_access
from divisions.levels import Level
from divisions.models import Division
from documents import composer, docx_render, pdf
from documents.models import FileStatus, PeriodicReport, ReportFile, ReportHeader
from documents.periods import ReportPeriod

# A province report over this many months runs in the worker with its progress shown.
BACKGROUND_MONTHS = 6


def reportable(division: Division) -> bool:
    """The province, or a commune-level unit directly under it (the structure from 07/2025)."""
    if division.level == Level.PROVINCE:
        return True
    return division.level == Level.COMMUNE and division.is_new_structure


def unit_for_user(user, code: str) -> Division:
    """The unit whose report the user may read, or 404 (403 without any scope)."""
    dash.require_scope(user)
    unit = dash.division_for_user(user, code, allow_province=True)
    if not reportable(unit):
        raise Http404(_("Đơn vị này không lập báo cáo định kỳ."))
    return unit


def can_write(user, division: Division) -> bool:
    if get_access(user).is_history:
        return False
    if division.level == Level.PROVINCE:
        return can(user, Action.APPROVE, division)
    return can_change(user, division)


def require_write(user, division: Division) -> None:
    if not can_write(user, division):
        raise PermissionDenied(_("Bạn không có quyền sửa báo cáo định kỳ của đơn vị này."))


def header_defaults(division: Division) -> ReportHeader:
    """An unsaved header with the usual words for the unit (the form starts from it)."""
    if division.level == Level.PROVINCE:
        return ReportHeader(
            division=division,
            parent_body=f"UBND {division.name}".upper(),
            issuing_body="BAN CHỈ ĐẠO CHUYỂN ĐỔI SỐ",
            number_pattern="{so}/BC-BCĐ",
            place=division.name.removeprefix("Tỉnh ").strip(),
            authority="TM.",
            authority_body="BAN CHỈ ĐẠO",
            signer_position="TRƯỞNG BAN",
            signer_name="",
            recipients="Ban Chỉ đạo CĐS quốc gia (b/c)\nThường trực Tỉnh ủy (b/c)\nThường trực HĐND tỉnh\nCác sở, ban, ngành tỉnh\nUBND các xã, phường",
        )
    province = Division.objects.province()
    return ReportHeader(
        division=division,
        parent_body=f"UBND {province.name}".upper() if province else "",
        issuing_body=f"UBND {division.name}".upper(),
        number_pattern="{so}/BC-UBND",
        place=division.name,
        authority="TM.",
        authority_body="ỦY BAN NHÂN DÂN",
        signer_position="CHỦ TỊCH",
        signer_name="",
        recipients="Ban Chỉ đạo CĐS tỉnh (b/c)\nThường trực Đảng ủy\nThường trực HĐND",
    )


def header_for(division: Division) -> ReportHeader:
    return ReportHeader.objects.filter(division=division).first() or header_defaults(division)


def report_for(division: Division, period: ReportPeriod) -> PeriodicReport:
    """The stored report of the unit and period, or an unsaved one."""
    found = PeriodicReport.objects.filter(
        division=division, kind=period.kind, year=period.year, number=period.number
    ).first()
    return found or PeriodicReport(
        division=division, kind=period.kind, year=period.year, number=period.number
    )


@transaction.atomic
def save_report_details(*, user, header: ReportHeader, report: PeriodicReport) -> None:
    """Save the remembered header and the report's own fields (each change has a history row)."""
    require_write(user, report.division)
    header.save()
    report.updated_by = user
    report.save()


def in_background(period: ReportPeriod, division: Division) -> bool:
    """Longer than a page load: the province over half a year or more."""
    return division.level == Level.PROVINCE and len(period.months) >= BACKGROUND_MONTHS


def request_file(*, user, report: PeriodicReport) -> ReportFile:
    """A file row for a new generation (the report row is stored first if it was not)."""
    if report.pk is None:
        report.save()
    return ReportFile.objects.create(report=report, requested_by=user)


def generate(file_id: int, *, today: dt.date | None = None) -> ReportFile:
    """Build the .docx and its PDF for one file row, recording progress on the row."""
    file = ReportFile.objects.select_related("report__division").get(pk=file_id)
    if file.status == FileStatus.DONE:
        return file

    def progress(percent: int, step: str) -> None:
        ReportFile.objects.filter(pk=file.pk).update(
            status=FileStatus.RUNNING, progress=min(percent, 99), step=step[:120]
        )

    try:
        progress(5, _("Đọc số liệu"))
        data = composer.compose(file.report, header_for(file.report.division), today=today)
        progress(25, _("Viết văn bản"))
        docx = docx_render.render(data, progress)
        progress(80, _("Chuyển sang PDF"))
        converted = pdf.convert(docx)
    except pdf.ConversionError as error:
        file.status, file.error = FileStatus.FAILED, str(error)[:2000]
        file.finished_at = timezone.now()
        file.save(update_fields=["status", "error", "finished_at"])
        return file
    file.docx, file.pdf = docx, converted
    file.status, file.progress, file.step = FileStatus.DONE, 100, ""
    file.finished_at = timezone.now()
    file.save(update_fields=["docx", "pdf", "status", "progress", "step", "finished_at"])
    return file
