"""Attainment engine: roll-ups over divisions and time, statuses, idempotence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attainment.engine import attainment_recompute
from attainment.models import Attainment
from reports.models import DataValue, ReportStatus, Source
from targets.models import Comparator, ScopeLevel, Target
from tests.reports.factories import (
    DataValueFactory,
    ReportFactory,
    count_indicator,
    ratio_indicator,
    stock_indicator,
)

JAN, FEB, MAR = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)
# Two communes of Thới Bình (967).
C1, C2 = "32068", "32069"


def make_report(*, division, period, status):
    """A report in a given status with the timestamps that status requires."""
    from django.utils import timezone

    extra = {"approved_at": timezone.now()} if status == ReportStatus.APPROVED else {}
    if status == ReportStatus.SUBMITTED:
        extra["submitted_at"] = timezone.now()
    return ReportFactory(division=division, period=period, status=status, **extra)


def row(indicator, code, period, *, provisional=False, target=None):
    return Attainment.objects.get(
        indicator=indicator,
        division__code=code,
        period=period,
        provisional=provisional,
        target_key=target.pk if target else 0,
    )


@pytest.mark.django_db
def test_ratio_rolls_up_as_ratio_of_sums_not_average_of_percentages(camau):
    ind = ratio_indicator()
    report = make_report(division=camau["967"], period=JAN, status=ReportStatus.APPROVED)
    DataValueFactory(
        indicator=ind,
        division=camau[C1],
        period=JAN,
        report=report,
        numerator=D(30),
        denominator=D(100),
        value=D(30),
    )
    DataValueFactory(
        indicator=ind,
        division=camau[C2],
        period=JAN,
        report=report,
        numerator=D(10),
        denominator=D(50),
        value=D(20),
    )
    attainment_recompute()
    district = row(ind, "967", JAN)
    # (30 + 10) / (100 + 50) = 26.67%, not the 25% an average of 30% and 20% would give.
    assert round(district.actual, 2) == D("26.67")
    assert (district.numerator, district.denominator) == (D(40), D(150))
    assert round(row(ind, "96", JAN).actual, 2) == D("26.67")
    assert round(row(ind, C2, JAN).actual, 2) == D("20.00")


@pytest.mark.django_db
def test_flow_sums_months_and_stock_takes_latest(camau):
    flow, stock = count_indicator(), stock_indicator()
    for period, f, s in ((JAN, 10, 3), (FEB, 5, None), (MAR, 7, 5)):
        report = make_report(division=camau["967"], period=period, status=ReportStatus.APPROVED)
        DataValueFactory(
            indicator=flow, division=camau[C1], period=period, report=report, value=D(f)
        )
        if s is not None:
            DataValueFactory(
                indicator=stock, division=camau[C1], period=period, report=report, value=D(s)
            )
    attainment_recompute()
    assert row(flow, C1, FEB).actual == D(15)
    assert row(flow, C1, MAR).actual == D(22)
    assert row(flow, "96", MAR).actual == D(22)
    # February has no stock figure: the latest one (January's 3) carries forward.
    feb = row(stock, C1, FEB)
    assert feb.actual == D(3) and feb.data_period == JAN
    assert row(stock, C1, MAR).actual == D(5)


@pytest.mark.django_db
def test_only_approved_figures_count_unless_provisional(camau):
    flow = count_indicator()
    approved = make_report(division=camau["967"], period=JAN, status=ReportStatus.APPROVED)
    submitted = make_report(division=camau["967"], period=FEB, status=ReportStatus.SUBMITTED)
    draft = make_report(division=camau["967"], period=MAR, status=ReportStatus.DRAFT)
    for report, value in ((approved, 10), (submitted, 4), (draft, 100)):
        DataValueFactory(
            indicator=flow, division=camau[C1], period=report.period, report=report, value=D(value)
        )
    attainment_recompute()
    assert row(flow, C1, FEB).actual == D(10)
    assert row(flow, C1, FEB, provisional=True).actual == D(14)
    assert not Attainment.objects.filter(actual=D(114)).exists()


@pytest.mark.django_db
def test_hand_typed_figure_wins_over_team_figure_for_one_cell(camau):
    flow = count_indicator()
    report = make_report(division=camau["967"], period=JAN, status=ReportStatus.APPROVED)
    DataValueFactory(indicator=flow, division=camau[C1], period=JAN, report=report, value=D(12))
    DataValueFactory(
        indicator=flow, division=camau[C1], period=JAN, source=Source.TEAMS, report=None, value=D(9)
    )
    DataValueFactory(
        indicator=flow, division=camau[C2], period=JAN, source=Source.TEAMS, report=None, value=D(4)
    )
    attainment_recompute()
    assert row(flow, C1, JAN).actual == D(12)
    assert row(flow, C1, JAN).sources == "manual"
    assert row(flow, "967", JAN).actual == D(16)
    assert row(flow, "967", JAN).sources == "manual+teams"


@pytest.mark.django_db
def test_status_against_each_target_and_final_verdict(camau):
    ind = ratio_indicator(reports_province=True)
    target = Target.objects.create(
        indicator=ind,
        wording_vi="80% hồ sơ",
        deadline=dt.date(2024, 3, 31),
        scope_level=ScopeLevel.DISTRICT,
        value=D(80),
        comparator=Comparator.AT_LEAST,
        baseline_value=D(20),
        baseline_period=dt.date(2023, 3, 1),
    )
    for period, n in ((JAN, 70), (FEB, 75), (dt.date(2024, 4, 1), 79)):
        report = make_report(division=camau["967"], period=period, status=ReportStatus.APPROVED)
        DataValueFactory(
            indicator=ind,
            division=camau[C1],
            period=period,
            report=report,
            numerator=D(n),
            denominator=D(100),
            value=D(n),
        )
    attainment_recompute()
    jan = row(ind, "967", JAN, target=target)
    # 20 → 70 in 10 months (5/month) vs 60 in 12 months required (5/month): on track.
    assert jan.status == "on_track" and jan.target_value == D(80)
    # April is after the deadline (03/2024): judged on the value at the deadline month, the
    # running ratio (70 + 75) / 200 = 72.5% → not met; `actual` moves on to April's 224/300.
    after = row(ind, "967", dt.date(2024, 4, 1), target=target)
    assert after.status == "not_met"
    assert after.judged_value == D("72.5")
    assert round(after.actual, 2) == D("74.67")


@pytest.mark.django_db
def test_no_figures_means_no_rows_and_recompute_is_idempotent(camau):
    flow = count_indicator()
    attainment_recompute()
    assert not Attainment.objects.exists()
    report = make_report(division=camau["967"], period=JAN, status=ReportStatus.APPROVED)
    DataValueFactory(indicator=flow, division=camau[C1], period=JAN, report=report, value=D(3))
    attainment_recompute()
    first = sorted(Attainment.objects.values_list("division_id", "period", "actual"))
    attainment_recompute()
    assert sorted(Attainment.objects.values_list("division_id", "period", "actual")) == first


@pytest.mark.django_db
def test_incremental_recompute_rewrites_only_the_scope(camau):
    flow = count_indicator()
    for district, commune in (("967", C1), ("966", "32047")):
        report = make_report(division=camau[district], period=JAN, status=ReportStatus.APPROVED)
        DataValueFactory(
            indicator=flow, division=camau[commune], period=JAN, report=report, value=D(5)
        )
    attainment_recompute()
    untouched = row(flow, "966", JAN).computed_at
    DataValue.objects.filter(division__code=C1).update(value=D(8))
    attainment_recompute(division=camau["967"], period_from=JAN)
    assert row(flow, "966", JAN).computed_at == untouched
    assert row(flow, "966", JAN).actual == D(5)
    assert row(flow, C1, JAN).actual == D(8)
    assert row(flow, "967", JAN).actual == D(8)
    # The province sums every district, not only the recomputed one.
    assert row(flow, "96", JAN).actual == D(13)


counts = st.lists(st.tuples(st.integers(0, 500), st.integers(1, 500)), min_size=1, max_size=12)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pairs=counts, reverse=st.booleans())
@pytest.mark.django_db
def test_district_ratio_equals_ratio_of_commune_sums_in_any_order(camau, pairs, reverse):
    from reports.models import DataValue, Report

    DataValue.objects.all().delete()
    Report.objects.all().delete()
    Attainment.objects.all().delete()
    ind = ratio_indicator()
    communes = list(camau["967"].children.order_by("code"))[: len(pairs)]
    rows = list(zip(communes, pairs, strict=False))
    if reverse:
        rows.reverse()
    report = make_report(division=camau["967"], period=JAN, status=ReportStatus.APPROVED)
    for commune, (n, d) in rows:
        n = min(n, d)
        DataValueFactory(
            indicator=ind,
            division=commune,
            period=JAN,
            report=report,
            numerator=D(n),
            denominator=D(d),
            value=D(n) / D(d) * 100,
        )
    attainment_recompute()
    total_n = sum(min(n, d) for _, (n, d) in rows)
    total_d = sum(d for _, (n, d) in rows)
    district = row(ind, "967", JAN)
    expected = (D(total_n) / D(total_d) * 100).quantize(D("0.000001"))
    assert district.actual.quantize(D("0.000001")) == expected
    assert row(ind, "96", JAN).actual == district.actual


@pytest.mark.django_db
def test_every_series_reaches_the_same_last_month(camau):
    # Team figures already exist for the current month while reports stop at last month: the
    # reported stock carries forward into the current month, so that month's dashboard shows
    # both instead of "no data" for every reported target.
    from core import months as periods

    this_month = periods.current_month()
    last_month = periods.previous_month(this_month)
    stock, flow = stock_indicator(), count_indicator()
    report = make_report(division=camau["967"], period=last_month, status=ReportStatus.APPROVED)
    DataValueFactory(
        indicator=stock, division=camau[C1], period=last_month, report=report, value=D(4)
    )
    DataValueFactory(
        indicator=flow,
        division=camau[C1],
        period=this_month,
        source=Source.TEAMS,
        report=None,
        value=D(2),
    )
    attainment_recompute()
    assert row(stock, C1, this_month).actual == D(4)
    assert row(stock, C1, this_month).data_period == last_month
