"""Fixtures of the province's own report (provincial agencies' figures), for the access and
write matrices: a province-level indicator and the province's report for last month."""

from __future__ import annotations

import pytest

from reports.models import ReportStatus
from tests.reports.factories import ratio_indicator
from tests.reports.fixtures import _report

PROVINCE_INDICATOR = "agency_ratio"


@pytest.fixture
def province_indicator(db):
    """A monthly ratio reported by the province alone (its agencies' own figure)."""
    return ratio_indicator(
        code=PROVINCE_INDICATOR,
        name_vi="Tỷ lệ hồ sơ của các sở, ban, ngành xử lý trên mạng",
        reports_province=True,
        reports_district=False,
        reports_commune=False,
    )


@pytest.fixture
def report_province(camau, province_officer, last_month, province_indicator):
    """The province's (96) draft report for last month."""
    return _report(camau, "96", last_month, ReportStatus.DRAFT, province_officer)


@pytest.fixture
def report_province_submitted(camau, province_officer, last_month, province_indicator):
    return _report(camau, "96", last_month, ReportStatus.SUBMITTED, province_officer)


@pytest.fixture
def figure_province(report_province, province_officer, last_month):
    from reports.services import FigureInput, data_values_upsert

    result = data_values_upsert(
        user=province_officer,
        rows=[FigureInput(PROVINCE_INDICATOR, "96", last_month, numerator=3, denominator=4)],
    )
    return result.values[0]
