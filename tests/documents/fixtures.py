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
