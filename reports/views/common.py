"""Helpers shared by the reports views: URL arguments and access checks."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from divisions import access
from divisions.models import Division, Level
from reports import periods
from reports.models import Report


def period_from_url(text: str) -> dt.date:
    """'2024-05' → 2024-05-01; 404 for anything else or a month outside the window."""
    try:
        period = dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as exc:
        raise Http404(_("Tháng không hợp lệ.")) from exc
    if not periods.in_window(period):
        raise Http404(_("Tháng nằm ngoài thời gian báo cáo."))
    return period


def unit_from_url(code: str) -> Division:
    """A reporting unit (district level) by code, or 404."""
    return get_object_or_404(Division, code=code, level=Level.DISTRICT)


def unit_for_view(user, code: str) -> Division:
    unit = unit_from_url(code)
    if not access.can_view(user, unit):
        raise PermissionDenied(_("Bạn không xem được báo cáo của đơn vị này."))
    return unit


def unit_for_edit(user, code: str) -> Division:
    unit = unit_from_url(code)
    access.require(user, access.Action.EDIT_FIGURES, unit)
    return unit


def report_or_404(unit: Division, period: dt.date) -> Report:
    return get_object_or_404(
        Report.objects.select_related("division"), division=unit, period=period
    )


def period_slug(period: dt.date) -> str:
    return f"{period:%Y-%m}"
