"""Helpers shared by the reports views: URL arguments and access checks."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from core import months as periods
from divisions import access
from divisions.models import Division, Level
from reports.models import Report
from reports.services import reporting_unit_of


def period_from_url(text: str) -> dt.date:
    """'2024-05' → 2024-05-01; 404 for anything else or a month outside the window."""
    try:
        period = dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as exc:
        raise Http404(_("Tháng không hợp lệ.")) from exc
    if not periods.in_window(period):
        raise Http404(_("Tháng nằm ngoài thời gian báo cáo."))
    return period


def unit_from_url(code: str, period: dt.date) -> Division:
    """The reporting unit with this code in force in the month, or 404.

    Codes are unique per validity period: the province reports its own figures in every
    month; before 07/2025 the district-level units report; from 07/2025 the commune-level
    units directly under the province (see DECISIONS.md).
    """
    unit = Division.objects.by_code(code, on=period)
    if unit is None or not is_reporting_unit(unit):
        if Division.objects.filter(code=code).exists():
            raise Http404(
                _("Đơn vị mã %(code)s không gửi báo cáo tháng %(month)s (không có hiệu lực).")
                % {"code": code, "month": periods.label(period)}
            )
        raise Http404(_("Không có đơn vị báo cáo mã %(code)s.") % {"code": code})
    return unit


def reports_in(code: str, period: dt.date) -> bool:
    """Whether the report page of this code and month exists (`unit_from_url` would find a
    reporting unit): a link to the month before or after is offered only then, so a
    district's last month (06/2025) leads nowhere after it."""
    unit = Division.objects.by_code(code, on=period)
    return unit is not None and is_reporting_unit(unit)


def is_reporting_unit(unit: Division) -> bool:
    """The province (its agencies' own figures), district-level units, and commune-level
    units directly under the province (2025)."""
    if unit.level == Level.PROVINCE:
        province = Division.objects.province()
        return province is not None and unit.pk == province.pk
    if unit.level == Level.DISTRICT:
        return True
    return unit.level == Level.COMMUNE and reporting_unit_of(unit) == unit


def unit_for_view(user, code: str, period: dt.date) -> Division:
    unit = unit_from_url(code, period)
    if not access.can_view(user, unit):
        raise PermissionDenied(_("Bạn không xem được báo cáo của đơn vị này."))
    return unit


def unit_for_edit(user, code: str, period: dt.date) -> Division:
    unit = unit_from_url(code, period)
    access.require(user, access.Action.EDIT_FIGURES, unit)
    return unit


def report_or_404(unit: Division, period: dt.date) -> Report:
    return get_object_or_404(
        Report.objects.select_related("division"), division=unit, period=period
    )


def period_slug(period: dt.date) -> str:
    return f"{period:%Y-%m}"
