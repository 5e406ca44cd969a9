"""Hand-built data for the dashboard tests: approved figures, then `attainment_recompute()`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.utils import timezone

from reports.attainment import attainment_recompute
from reports.models import ReportStatus
from targets.models import Comparator, ScopeLevel, Target
from tests.reports.factories import DataValueFactory, ReportFactory, count_indicator, ratio_indicator

JAN, FEB, MAR = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)
# Two communes of Thới Bình (967, district A) and one of U Minh (966, district B).
C1, C2, CB = "32068", "32069", "32047"


def make_report(*, division, period, status=ReportStatus.APPROVED):
    extra = {}
    if status == ReportStatus.APPROVED:
        extra = {"approved_at": timezone.now(), "submitted_at": timezone.now()}
    elif status == ReportStatus.SUBMITTED:
        extra = {"submitted_at": timezone.now()}
    return ReportFactory(division=division, period=period, status=status, **extra)


def ratio_with_targets():
    """`work_records_online`: ≥ 90% province-wide and ≥ 80% per district by 31/12/2025,
    baseline 20% in 01/2023."""
    ind = ratio_indicator(reports_province=True)
    targets = {}
    for level, value in ((ScopeLevel.PROVINCE, 90), (ScopeLevel.DISTRICT, 80)):
        targets[level] = Target.objects.create(
            indicator=ind,
            wording_vi=f"{value}% hồ sơ công việc xử lý trên môi trường mạng",
            deadline=dt.date(2025, 12, 31),
            scope_level=level,
            value=D(value),
            comparator=Comparator.AT_LEAST,
            baseline_value=D(20),
            baseline_period=dt.date(2023, 1, 1),
        )
    return ind, targets


def add_ratio(ind, camau, code, period, numerator, denominator, *, report):
    return DataValueFactory(
        indicator=ind,
        division=camau[code],
        period=period,
        report=report,
        numerator=D(numerator),
        denominator=D(denominator),
        value=D(numerator) / D(denominator) * 100,
    )


def build_world(camau, *, scale: int = 1):
    """The base world (January 2024: Biển Bạch 30/100, second commune 10/50, U Minh's commune
    45/60), plus `scale - 1` extra months and communes, then a full recompute.

    Returns (ratio indicator, targets by level, monitoring count indicator).
    """
    ind, targets = ratio_with_targets()
    flow = count_indicator()
    reports = {}

    def report(district, period):
        if (district, period) not in reports:
            reports[(district, period)] = make_report(division=camau[district], period=period)
        return reports[(district, period)]

    add_ratio(ind, camau, C1, JAN, 30, 100, report=report("967", JAN))
    add_ratio(ind, camau, C2, JAN, 10, 50, report=report("967", JAN))
    add_ratio(ind, camau, CB, JAN, 45, 60, report=report("966", JAN))
    DataValueFactory(
        indicator=flow, division=camau[C1], period=JAN, report=report("967", JAN), value=D(120)
    )
    if scale > 1:
        extra_communes = [
            c.code
            for c in camau["967"].children.order_by("code")
            if c.code not in (C1, C2)
        ][: 3 * scale]
        for k in range(1, scale * 3):
            period = dt.date(2024, 1 + k, 1) if k < 12 else dt.date(2025, k - 10, 1)
            for code in [C1, C2, *extra_communes]:
                add_ratio(ind, camau, code, period, 30 + k, 100, report=report("967", period))
            add_ratio(ind, camau, CB, period, 45, 60, report=report("966", period))
    attainment_recompute()
    return ind, targets, flow
