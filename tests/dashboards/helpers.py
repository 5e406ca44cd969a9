"""Hand-built data for the dashboard tests: approved figures, then `attainment_recompute()`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.utils import timezone

from attainment.engine import attainment_recompute
from reports.models import ReportStatus
from targets.models import Comparator, ScopeLevel, Target
from tests.reports.factories import (
    DataValueFactory,
    ReportFactory,
    count_indicator,
    ratio_indicator,
)

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


def build_world(camau):
    """January 2024: Biển Bạch 30/100, Biển Bạch Đông 10/50 (district A, 967) and Khánh Hòa
    45/60 (district B, 966), 120 people guided in Biển Bạch; then a full recompute.

    Returns {"indicator", "targets" (by scope level), "flow"}.
    """
    ind, targets = ratio_with_targets()
    flow = count_indicator()
    a, b = (
        make_report(division=camau["967"], period=JAN),
        make_report(division=camau["966"], period=JAN),
    )
    add_ratio(ind, camau, C1, JAN, 30, 100, report=a)
    add_ratio(ind, camau, C2, JAN, 10, 50, report=a)
    add_ratio(ind, camau, CB, JAN, 45, 60, report=b)
    DataValueFactory(indicator=flow, division=camau[C1], period=JAN, report=a, value=D(120))
    attainment_recompute()
    return {"indicator": ind, "targets": targets, "flow": flow}


def grow(camau, world, *, factor: int = 3):
    """Add `factor` times more of everything: months, communes of both districts, indicators
    (with targets), submitted figures; then recompute. Pages must not need more queries."""
    ind, flow = world["indicator"], world["flow"]
    extra = [
        count_indicator(code=f"extra_flow_{k}", name_vi=f"Chỉ số thêm {k}") for k in range(factor)
    ]
    for k, other in enumerate(extra):
        Target.objects.create(
            indicator=other,
            wording_vi="Mục tiêu thêm",
            deadline=dt.date(2030, 12, 31),
            scope_level=ScopeLevel.PROVINCE,
            value=D(1000 * (k + 1)),
            comparator=Comparator.AT_LEAST,
        )
    communes = {
        district: [c.code for c in camau[district].children.order_by("code")][: 2 * factor]
        for district in ("967", "966")
    }
    for m in range(2, 2 + 3 * factor):
        period = dt.date(2024 + (m - 1) // 12, (m - 1) % 12 + 1, 1)
        for district, codes in communes.items():
            status = ReportStatus.SUBMITTED if m == 1 + 3 * factor else ReportStatus.APPROVED
            report = make_report(division=camau[district], period=period, status=status)
            for i, code in enumerate(codes):
                add_ratio(ind, camau, code, period, 20 + m + i, 100, report=report)
                for other in (flow, *extra):
                    DataValueFactory(
                        indicator=other,
                        division=camau[code],
                        period=period,
                        report=report,
                        value=D(m + i),
                    )
    attainment_recompute()
