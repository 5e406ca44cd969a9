"""Fixtures of the reports app that tests elsewhere (the access matrix) may request by name."""

from __future__ import annotations

import pytest

from core import months as periods
from reports.models import Report, ReportStatus, ReportTransition
from tests.reports.factories import count_indicator, ratio_indicator, stock_indicator


@pytest.fixture
def last_month():
    return periods.previous_month(periods.current_month())


@pytest.fixture
def report_indicators(db):
    """One ratio, one flow count and one stock indicator (district/commune levels)."""
    return {
        "ratio": ratio_indicator(),
        "count": count_indicator(),
        "stock": stock_indicator(),
    }


def _report(camau, code, period, status, user=None) -> Report:
    from django.utils import timezone

    now = timezone.now()
    report = Report.objects.create(
        division=camau[code],
        period=period,
        status=status,
        created_by=user,
        submitted_at=now if status != ReportStatus.DRAFT else None,
        approved_at=now if status == ReportStatus.APPROVED else None,
    )
    ReportTransition.objects.create(report=report, to_status=ReportStatus.DRAFT, at=now, by=user)
    return report


@pytest.fixture
def report_a(camau, officer_a, last_month, report_indicators):
    """District A's (967 Thới Bình) draft report for last month."""
    return _report(camau, "967", last_month, ReportStatus.DRAFT, officer_a)


@pytest.fixture
def report_a_submitted(camau, officer_a, last_month, report_indicators):
    return _report(camau, "967", last_month, ReportStatus.SUBMITTED, officer_a)


@pytest.fixture
def report_a_approved(camau, officer_a, last_month, report_indicators):
    return _report(camau, "967", last_month, ReportStatus.APPROVED, officer_a)


@pytest.fixture
def figure_a(report_a, camau, officer_a, last_month):
    """A figure of commune 32068 (Xã Biển Bạch, district A) in `report_a`."""
    from reports.services import FigureInput, data_values_upsert

    result = data_values_upsert(
        user=officer_a, rows=[FigureInput("people_guided", "32068", last_month, value=12)]
    )
    return result.values[0]
