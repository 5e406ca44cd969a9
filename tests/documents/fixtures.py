"""Fixtures of the periodic report tests that the access matrix requests by name."""

from __future__ import annotations

import pytest


@pytest.fixture
def province_report_file(camau):
    """A generated file of the province's report of 01/2024 (bytes stand in for the files:
    the access rules do not read them)."""
    from divisions.models import Division
    from documents.models import FileStatus, PeriodicReport, ReportFile

    report = PeriodicReport.objects.create(
        division=Division.objects.province(), kind="month", year=2024, number=1
    )
    return ReportFile.objects.create(
        report=report, status=FileStatus.DONE, progress=100, docx=b"docx", pdf=b"%PDF"
    )


@pytest.fixture
def commune_unit(reorganised):
    """Xã Biển Bạch (32069) of the structure from 07/2025: a commune-level unit that makes its
    own periodic report, outside the scope of the matrix's district and commune officers."""
    return reorganised.new["32069"]


@pytest.fixture
def commune_report_file(commune_unit):
    from documents.models import FileStatus, PeriodicReport, ReportFile

    report = PeriodicReport.objects.create(division=commune_unit, kind="month", year=2026, number=1)
    return ReportFile.objects.create(
        report=report, status=FileStatus.DONE, progress=100, docx=b"docx", pdf=b"%PDF"
    )
