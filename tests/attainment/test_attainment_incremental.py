"""Incremental recompute: continuing a series from the stored rows before the changed month
gives exactly the rows a full recompute gives (the benchmark's 1/50 goal rests on it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from attainment.engine import ROW_COLUMNS, attainment_recompute
from attainment.models import Attainment
from reports.models import DataValue, Report, ReportStatus, Source
from targets.models import Comparator, CountingWindow, ScopeLevel, Target
from tests.attainment.test_attainment import make_report
from tests.reports.factories import (
    DataValueFactory,
    amount_indicator,
    count_indicator,
    ratio_indicator,
    stock_indicator,
)

# Twelve months across a new year: year-to-date windows start again in January.
MONTHS = [dt.date(2024 + (m > 12), (m - 1) % 12 + 1, 1) for m in range(7, 19)]
# Two communes of Thới Bình (967) and one of another district (966).
UNITS = (("967", "32068"), ("967", "32069"), ("966", "32047"))
COMPARED = [c for c in ROW_COLUMNS if c != "computed_at"]


def snapshot(since: dt.date | None = None) -> list[tuple]:
    """Every stored row (from `since` on), numbers rounded as stored, in a stable order."""
    rows = []
    stored = Attainment.objects.filter(period__gte=since) if since else Attainment.objects
    for r in stored.values_list(*COMPARED):
        rows.append(tuple(v.quantize(D("0.000001")) if isinstance(v, D) else v for v in r))
    return sorted(rows, key=repr)


def catalogue():
    # The ratio counts within the year, and a district's own figure replaces its communes' sum.
    ratio = ratio_indicator(counting_window=CountingWindow.YEAR_TO_DATE, authoritative_level=2)
    flow = count_indicator()
    stock = stock_indicator(counting_window=CountingWindow.LATEST)
    average = amount_indicator(counting_window=CountingWindow.YEAR_TO_DATE)
    # Without a baseline (assessed from the series' first value), with a deadline inside the
    # months so rows after it carry the judged value; and one with a baseline.
    Target.objects.create(
        indicator=ratio,
        wording_vi="80% hồ sơ",
        deadline=dt.date(2024, 12, 31),
        scope_level=ScopeLevel.PROVINCE,
        value=D(80),
        comparator=Comparator.AT_LEAST,
    )
    Target.objects.create(
        indicator=flow,
        wording_vi="5.000 người",
        deadline=dt.date(2025, 12, 31),
        scope_level=ScopeLevel.PROVINCE,
        value=D(5000),
        comparator=Comparator.AT_LEAST,
        baseline_value=D(0),
        baseline_period=dt.date(2023, 12, 1),
    )
    return ratio, flow, stock, average


def figure(ind, district, commune, period, number, camau, *, teams=False, own=False):
    """A hand-typed figure in the district's approved report, or (teams) one derived from
    Tổ CNSCĐ activities, which counts only where no counted hand-typed figure exists."""
    report = None
    if not teams:
        report = Report.objects.filter(division=camau[district], period=period).first()
        if report is None:
            report = make_report(division=camau[district], period=period, status="approved")
    values = {"value": D(number)}
    if ind.code == "work_records_online":
        values = {"numerator": D(number), "denominator": D(500), "value": D(number) / 5}
    # Indicators reported by districts only (the average one) take the district's figure.
    # (own: the district's own figure, authoritative over its communes' sum where declared.)
    unit = camau[commune] if ind.reports_commune and not own else camau[district]
    source = Source.TEAMS if teams else Source.MANUAL
    DataValue.objects.filter(indicator=ind, division=unit, period=period, source=source).delete()
    DataValueFactory(
        indicator=ind, division=unit, period=period, report=report, source=source, **values
    )


cells = st.lists(
    st.tuples(
        st.integers(0, 3),  # indicator
        st.integers(0, 2),  # unit
        st.integers(0, 11),  # month
        st.integers(0, 500),  # number
        st.booleans(),  # from team activities
        st.booleans(),  # the district's own figure (not its commune's)
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(before=cells, change=cells, unapprove=st.booleans())
# A change in January: the month before the window is the ratio target's deadline month.
@example(
    before=[(0, 0, 0, 100, False, False), (0, 0, 6, 200, False, False)],
    change=[(0, 0, 6, 300, False, False)],
    unapprove=False,
)
# A team figure under a hand-typed one that stops counting when its report is returned.
@example(
    before=[(1, 0, 3, 40, True, False), (1, 0, 3, 10, False, False)],
    change=[(1, 0, 3, 12, False, False)],
    unapprove=True,
)
@pytest.mark.django_db
def test_incremental_recompute_equals_full_recompute(camau, before, change, unapprove):
    Attainment.objects.all().delete()
    DataValue.objects.all().delete()
    Report.objects.all().delete()
    Target.objects.all().delete()
    indicators = catalogue()
    for ind, unit, month, number, teams, own in before:
        district, commune = UNITS[unit]
        figure(
            indicators[ind], district, commune, MONTHS[month], number, camau, teams=teams, own=own
        )
    attainment_recompute()

    # Changes in Thới Bình only, from their earliest month on: what one approval causes.
    start = min(MONTHS[month] for _i, _u, month, _n, _t, _o in change)
    for ind, unit, month, number, teams, own in change:
        district, commune = UNITS[unit % 2]
        figure(
            indicators[ind], district, commune, MONTHS[month], number, camau, teams=teams, own=own
        )
    if unapprove:
        Report.objects.filter(division=camau["967"], period=start).update(
            status=ReportStatus.RETURNED, approved_at=None
        )
    attainment_recompute(division=camau["967"], period_from=start)
    incremental = snapshot()

    attainment_recompute()
    assert incremental == snapshot()


@pytest.mark.django_db
def test_incremental_recompute_reads_only_the_window(camau, django_assert_max_num_queries):
    """A recompute from the last month reads that month's figures, not the whole history:
    changing an earlier month's figure behind the engine's back does not show up."""
    ratio, flow, stock, average = catalogue()
    for month in MONTHS:
        figure(flow, "967", "32068", month, 10, camau)
    attainment_recompute()
    DataValue.objects.filter(period=MONTHS[0]).update(value=D(1000))
    figure(flow, "967", "32068", MONTHS[-1], 20, camau)
    attainment_recompute(division=camau["967"], period_from=MONTHS[-1])
    row = Attainment.objects.get(
        indicator=flow, division=camau["967"], period=MONTHS[-1], target_key__gt=0
    )
    # 11 months × 10 stored before the window + 20 in it (the January change is not read).
    assert row.actual == D(130)
    assert row.baseline_value == D(0) and row.baseline_period == dt.date(2023, 12, 1)
    attainment_recompute()
    row = Attainment.objects.get(
        indicator=flow, division=camau["967"], period=MONTHS[-1], target_key__gt=0
    )
    assert row.actual == D(1120)


@pytest.mark.django_db
def test_incremental_recompute_on_an_empty_table_reads_the_whole_series(camau):
    """With no stored rows yet there is nothing to continue from: the whole series is read."""
    _ratio, flow, _stock, _average = catalogue()
    for month in MONTHS:
        figure(flow, "967", "32068", month, 10, camau)
    attainment_recompute(division=camau["967"], period_from=MONTHS[-1])
    row = Attainment.objects.get(
        indicator=flow, division=camau["967"], period=MONTHS[-1], target_key__gt=0
    )
    assert row.actual == D(120)


@pytest.mark.django_db
def test_incremental_recompute_query_count_does_not_grow_with_data(camau):
    """An approval's recompute costs the same few queries for one commune or for three months
    of every unit: nothing is read per indicator, unit or row (a deferred catalogue field read
    by the engine would show up here as one query per indicator)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    indicators = catalogue()

    def queries() -> int:
        attainment_recompute()
        with CaptureQueriesContext(connection) as ctx:
            attainment_recompute(division=camau["967"], period_from=MONTHS[2])
        return len(ctx.captured_queries)

    figure(indicators[1], "967", "32068", MONTHS[2], 5, camau)
    small = queries()  # includes one check that no stored rows exist to continue from
    for month in MONTHS[:4]:
        for ind in indicators:
            for district, commune in UNITS:
                figure(ind, district, commune, month, 7, camau)
    assert queries() <= small


@pytest.mark.django_db
def test_a_target_added_since_the_last_full_recompute_is_assessed_on_the_whole_series(camau):
    """Nothing is stored for a new target: its indicator's series are read whole, so its
    baseline (the first value) and its value at a past deadline are right at once."""
    ratio, flow, _stock, _average = catalogue()
    for n, month in enumerate(MONTHS):
        figure(flow, "967", "32068", month, 10 + n, camau)
    attainment_recompute()
    Target.objects.create(
        indicator=flow,
        wording_vi="100 người trước 31/12/2024",
        deadline=dt.date(2024, 12, 31),
        scope_level=ScopeLevel.DISTRICT,
        value=D(100),
        comparator=Comparator.AT_LEAST,
    )
    figure(flow, "967", "32068", MONTHS[-1], 50, camau)
    attainment_recompute(division=camau["967"], period_from=MONTHS[-1])
    # Earlier months keep the rows of the catalogue as it was (a catalogue change is for the
    # nightly full recompute); from the window on, the rows are those of a full recompute.
    incremental = snapshot(since=MONTHS[-1])
    new = Attainment.objects.get(
        indicator=flow,
        division=camau["967"],
        period=MONTHS[-1],
        target__wording_vi__startswith="100",
    )
    # First value 10 in 07/2024; at the deadline month (12/2024) the running sum is 10+…+15.
    assert new.baseline_value == D(10) and new.baseline_period == MONTHS[0]
    assert new.judged_value == D(75) and new.status == "not_met"
    attainment_recompute()
    assert incremental == snapshot(since=MONTHS[-1])
