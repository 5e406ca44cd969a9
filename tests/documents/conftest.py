"""Fixtures of the periodic report tests: the demo of `make run` and its generated files.

The demo is inserted once per test module (`demo_for_module`); each test builds
the reports it asks for in its own savepoint.
"""

from __future__ import annotations

import datetime as dt

import pytest

from divisions.models import Division
from documents import composer, docx_render, services
from documents.periods import ReportPeriod, parse

ISSUED = dt.date(2027, 1, 5)


def build(division: Division, period: ReportPeriod, **fields):
    """Compose and render one report with remembered header data; returns (data, docx)."""
    header = services.header_defaults(division)
    header.signer_name = "Nguyễn Văn Ánh"
    header.save()
    report = services.report_for(division, period)
    for name, value in {"document_number": "12", "issued_on": ISSUED, **fields}.items():
        setattr(report, name, value)
    report.save()
    data = composer.compose(report, header)
    return data, docx_render.render(data)


@pytest.fixture
def demo(demo_users):
    """The database as `make setup-demo` leaves it: {username: user} of the demo accounts."""
    return demo_users


@pytest.fixture
def province_year(demo):
    """The province's report of 2025 (both structures of the year)."""
    return build(Division.objects.province(), parse("2025"), tasks_ahead="Đẩy mạnh ứng dụng.")


@pytest.fixture
def commune_month(demo):
    """Xã Biển Bạch's (32069) report of 10/2026, the last closed month of the demo."""
    unit = Division.objects.by_code("32069", on=dt.date(2026, 10, 1))
    return build(unit, parse("2026-10"), proposals="Đề nghị cấp thêm thiết bị.")
