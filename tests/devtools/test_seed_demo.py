"""seed_demo: refused without DEBUG, idempotent, plausible statuses and labelled figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from devtools.demo import DEMO_NOTE, demo_seed
from reports.models import DataValue, DataValueChange, Report, ReportStatus

pytestmark = pytest.mark.django_db


def test_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        call_command("seed_demo")


def test_seed_is_idempotent_and_labelled(camau, report_indicators):
    until = dt.date(2023, 3, 1)
    first = demo_seed(until=until)
    assert first.figures > 0 and first.reports > 0
    counts = (DataValue.objects.count(), Report.objects.count(), DataValueChange.objects.count())
    second = demo_seed(until=until)
    assert (second.figures, second.reports) == (0, 0)
    assert counts == (
        DataValue.objects.count(),
        Report.objects.count(),
        DataValueChange.objects.count(),
    )
    assert set(DataValue.objects.values_list("note", flat=True)) == {DEMO_NOTE}


def test_most_months_approved_latest_mixed(camau, report_indicators):
    until = dt.date(2023, 6, 1)
    demo_seed(until=until)
    old = Report.objects.filter(period__lt=dt.date(2023, 5, 1), division__level=2)
    assert set(old.values_list("status", flat=True)) == {ReportStatus.APPROVED}
    latest = set(
        Report.objects.filter(period=until, division__level=2).values_list("status", flat=True)
    )
    assert latest <= {ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.DRAFT}
    assert all(r.return_reason for r in Report.objects.filter(status=ReportStatus.RETURNED))


def test_ratio_figures_are_consistent(camau, report_indicators):
    demo_seed(until=dt.date(2023, 1, 1))
    for dv in DataValue.objects.filter(indicator__code="work_records_online")[:200]:
        assert dv.numerator <= dv.denominator
        assert abs(dv.value - dv.numerator / dv.denominator * 100) < 0.01


def test_command_runs_with_debug(camau, report_indicators, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    assert "demo data:" in capsys.readouterr().out
    assert DataValue.objects.exists()
