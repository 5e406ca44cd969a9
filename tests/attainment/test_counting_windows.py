"""Counting windows, target-year verdicts and authoritative levels, on the shipped catalogue.

Every expected number below is worked out by hand from the figures the test enters (the
comments show the sums), as an official would check a dashboard against the reports.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from attainment.engine import attainment_recompute
from attainment.models import Attainment
from reports.models import Report, ReportStatus
from targets.models import Comparator, CountingWindow, ScopeLevel, Target, TimeAggregation
from tests.attainment.test_attainment import make_report
from tests.reports.factories import DataValueFactory, count_indicator

# The unit each target level is judged at: the province, Thới Bình district, one commune.
UNIT_OF_LEVEL = {1: "96", 2: "967", 3: "32068"}
# Figures of a commune or a district go in the district's report; the province's in its own.
REPORT_UNIT = {"96": "96", "967": "967", "32068": "967"}


def month(year: int, m: int) -> dt.date:
    return dt.date(year, m, 1)


class Figures:
    """Approved figures entered the way the reports store them (one report per unit × month)."""

    def __init__(self, camau):
        self.camau = camau
        self.reports: dict[tuple[str, dt.date], Report] = {}

    def add(self, indicator, code: str, period: dt.date, *, value=None, num=None, den=None):
        key = (REPORT_UNIT[code], period)
        if key not in self.reports:
            self.reports[key] = make_report(
                division=self.camau[key[0]], period=period, status=ReportStatus.APPROVED
            )
        if num is not None:
            value = D(num) / D(den) * 100
        DataValueFactory(
            indicator=indicator,
            division=self.camau[code],
            period=period,
            report=self.reports[key],
            value=None if value is None else D(value),
            numerator=None if num is None else D(num),
            denominator=None if den is None else D(den),
        )


def two_years(figures: Figures, indicator, code: str, deadline: dt.date, *, year_of_deadline=True):
    """The year before the deadline's year, then (unless told not to) the deadline's year up to
    its deadline month, in the pattern of the indicator's measurement:

    ratio   year before: 70/100 every month; deadline year: 90/100 to June, 100/100 after
    value   year before: 5 (share 12) every month; deadline year: 6 to June, then 10 (count 14,
            share 9)
    """
    year = deadline.year
    for m in range(1, 13):
        _one(figures, indicator, code, month(year - 1, m), first_year=True)
    if year_of_deadline:
        for m in range(1, deadline.month + 1):
            _one(figures, indicator, code, month(year, m), first_year=False)
    # A figure after the deadline (next January), so that the final verdict has rows to show
    # for future deadlines too; it must not change the verdict.
    _one(figures, indicator, code, month(year + 1, 1), first_year=True)


def _one(figures, indicator, code, period, *, first_year):
    early = period.month <= 6
    if indicator.measurement == "ratio":
        num = 70 if first_year else (90 if early else 100)
        figures.add(indicator, code, period, num=num, den=100)
        return
    if indicator.measurement == "share":
        value = 12 if first_year else (6 if early else 9)
    elif indicator.measurement == "count":
        value = 5 if first_year else (6 if early else 14)
    else:
        value = 5 if first_year else (6 if early else 10)
    figures.add(indicator, code, period, value=value)


# (indicator, deadline, scope level) → (value at the deadline, final verdict), by hand:
# ratio, year to date: (6×90 + 6×100) / (6×100 + 6×100) = 95%     (from the first month: 82.5%)
# ratio, latest: December's 100/100 = 100%
# share, the year's latest: December's 9%
# average of the year: (6×6 + 6×10) / 12 = 8 days against 10 − 30% = 7 days
# count, latest: December's 14 against 10 + 30% = 13; pilot communes: June 2023's 6 against 1
EXPECTED = {
    ("sme_cds_platforms", 2025, 1): (D(100), "met"),
    ("business_einvoice", 2025, 1): (D(100), "met"),
    ("ecommerce_retail_share", 2025, 1): (D(9), "not_met"),
    ("digital_economy_grdp", 2025, 1): (D(9), "not_met"),
    ("digital_economy_grdp", 2030, 1): (D(9), "not_met"),
    ("tthc_dvctt_level4", 2025, 1): (D(100), "met"),
    ("dvctt_level4_multichannel", 2030, 1): (D(100), "met"),
    ("dvctt_users_eid", 2025, 1): (D(100), "met"),
    ("work_records_online", 2025, 1): (D(95), "met"),
    ("work_records_online", 2025, 2): (D(95), "met"),
    ("work_records_online", 2025, 3): (D(95), "met"),
    ("tthc_resolution_time", 2030, 1): (D(8), "not_met"),
    ("digital_inspections", 2030, 1): (D(95), "met"),
    ("data_based_services", 2030, 1): (D(14), "met"),
    ("pilot_communes", 2023, 2): (D(6), "met"),
    # Decision 2629/QĐ-TTg: satisfaction counts from January, (6×90 + 6×100) / 1200 = 95%
    # against 95% (2027) and 99% (2030); the once-only share is a stock: December's 100%.
    ("tthc_dvctt_level4", 2027, 1): (D(100), "met"),
    ("business_info_once", 2027, 1): (D(100), "met"),
    ("dvctt_satisfaction", 2027, 1): (D(95), "met"),
    ("dvctt_satisfaction", 2030, 1): (D(95), "not_met"),
}


def _rows(target: Target, code: str, period: dt.date):
    return Attainment.objects.get(
        target=target, division__code=code, period=period, provisional=False
    )


def test_every_catalogue_target_has_a_hand_computed_case(catalogue):
    shipped = {
        (t.indicator.code, t.deadline.year, t.scope_level)
        for t in Target.objects.select_related("indicator")
    }
    assert shipped == set(EXPECTED)


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(EXPECTED), ids=lambda k: f"{k[0]}-{k[1]}-L{k[2]}")
def test_value_and_verdict_at_each_deadline_from_two_years_of_figures(camau, catalogue, key):
    code, year, level = key
    indicator = catalogue[code]
    target = Target.objects.get(indicator=indicator, deadline__year=year, scope_level=level)
    unit = UNIT_OF_LEVEL[level]
    two_years(Figures(camau), indicator, unit, target.deadline)
    attainment_recompute()

    value, verdict = EXPECTED[key]
    at_deadline = _rows(target, unit, target.deadline.replace(day=1))
    assert at_deadline.actual.quantize(D("0.01")) == value
    after = _rows(target, unit, month(year + 1, 1))
    assert after.status == verdict
    assert after.judged_value.quantize(D("0.01")) == value


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(EXPECTED), ids=lambda k: f"{k[0]}-{k[1]}-L{k[2]}")
def test_a_deadline_without_a_figure_of_its_own_year_has_no_verdict(camau, catalogue, key):
    """Figures the year before and the year after, none in the deadline's year: no data,
    never met (or not met) by an older figure."""
    code, year, level = key
    indicator = catalogue[code]
    target = Target.objects.get(indicator=indicator, deadline__year=year, scope_level=level)
    unit = UNIT_OF_LEVEL[level]
    two_years(Figures(camau), indicator, unit, target.deadline, year_of_deadline=False)
    attainment_recompute()

    after = _rows(target, unit, month(year + 1, 1))
    assert after.status == "no_data"
    assert after.judged_value is None


@pytest.mark.django_db
def test_work_records_ratio_counts_from_january_not_from_the_first_month_ever(camau, catalogue):
    """70% in every month of 2024, 95% in every month of 2025: 2025 reads 95%, met."""
    indicator = catalogue["work_records_online"]
    figures = Figures(camau)
    for m in range(1, 13):
        figures.add(indicator, "96", month(2024, m), num=70, den=100)
        figures.add(indicator, "96", month(2025, m), num=95, den=100)
    attainment_recompute()
    target = Target.objects.get(indicator=indicator, deadline__year=2025, scope_level=1)
    january = _rows(target, "96", month(2025, 1))
    assert (january.actual, january.numerator, january.denominator) == (D(95), D(95), D(100))
    december = _rows(target, "96", month(2025, 12))
    assert (december.numerator, december.denominator) == (D(95 * 12), D(1200))
    assert december.actual == D(95)
    assert _rows(target, "96", month(2026, 1)).status == "met"


@pytest.mark.django_db
def test_a_share_of_an_earlier_year_never_decides_a_later_deadline(camau, catalogue):
    indicator = catalogue["digital_economy_grdp"]
    Figures(camau).add(indicator, "96", month(2024, 12), value=12)
    attainment_recompute()
    target = Target.objects.get(indicator=indicator, deadline__year=2025)
    assert _rows(target, "96", month(2024, 12)).actual == D(12)
    # A share of 2024 is not a 2025 figure: 2025 has no value, and its verdict is "no data".
    assert _rows(target, "96", month(2025, 6)).actual is None
    after = _rows(target, "96", month(2026, 1))
    assert (after.status, after.judged_value) == ("no_data", None)


@pytest.mark.django_db
def test_a_stock_carries_its_latest_figure_but_judges_only_its_own_year(camau, catalogue):
    indicator = catalogue["tthc_dvctt_level4"]
    Figures(camau).add(indicator, "96", month(2024, 11), num=100, den=100)
    attainment_recompute()
    target = Target.objects.get(indicator=indicator, deadline__year=2025)
    # The dashboard may show the stock carried forward with its month...
    carried = _rows(target, "96", month(2025, 12))
    assert (carried.actual, carried.data_period) == (D(100), month(2024, 11))
    # ...but the 2025 verdict needs a 2025 figure.
    assert _rows(target, "96", month(2026, 1)).status == "no_data"


@pytest.mark.django_db
def test_cumulative_flow_counts_since_the_programme_began(camau, catalogue):
    """People guided: 10 a month in 2024, 20 a month in 2025 → 120 + 240 = 360 at 12/2025,
    and a target on it is judged on that cumulative count."""
    indicator = catalogue["people_guided"]
    assert indicator.counting_window == CountingWindow.CUMULATIVE
    target = Target.objects.create(
        indicator=indicator,
        wording_vi="350 người",
        deadline=dt.date(2025, 12, 31),
        scope_level=ScopeLevel.COMMUNE,
        value=D(350),
        comparator=Comparator.AT_LEAST,
    )
    figures = Figures(camau)
    for m in range(1, 13):
        figures.add(indicator, "32068", month(2024, m), value=10)
        figures.add(indicator, "32068", month(2025, m), value=20)
    attainment_recompute()
    assert _rows(target, "32068", month(2025, 12)).actual == D(360)
    assert _rows(target, "32068", month(2026, 1)).status == "met"


@pytest.mark.django_db
def test_the_province_own_figure_is_authoritative_over_the_sum_of_districts(camau, catalogue):
    """business_einvoice: the provincial agency's figure is the province's; the districts'
    sum stands in only for a month without it."""
    indicator = catalogue["business_einvoice"]
    assert indicator.authoritative_level == 1
    figures = Figures(camau)
    march, april = month(2025, 3), month(2025, 4)
    figures.add(indicator, "967", march, num=30, den=100)
    figures.add(indicator, "96", march, num=880, den=1000)
    figures.add(indicator, "967", april, num=45, den=100)
    attainment_recompute()
    target = Target.objects.get(indicator=indicator, deadline__year=2025)
    in_march = _rows(target, "96", march)
    assert (in_march.actual, in_march.numerator, in_march.denominator) == (
        D(88),
        D(880),
        D(1000),
    )
    assert _rows(target, "96", april).actual == D(45)
    # The district's own row is its own figure, whatever the province reports.
    assert Attainment.objects.get(
        indicator=indicator, division__code="967", period=march, provisional=False
    ).actual == D(30)


@pytest.mark.django_db
def test_incremental_recompute_keeps_the_windows_and_the_authoritative_figure(camau, catalogue):
    """An approval in a later month recomputes only from that month on: the same rows as a
    full recompute, across a new year and with the province's own figure."""
    records, einvoice = catalogue["work_records_online"], catalogue["business_einvoice"]
    figures = Figures(camau)
    for m in (10, 11, 12):
        figures.add(records, "96", month(2024, m), num=70, den=100)
        figures.add(einvoice, "967", month(2024, m), num=40, den=100)
    attainment_recompute()
    figures.add(records, "96", month(2025, 2), num=95, den=100)
    figures.add(einvoice, "96", month(2025, 2), num=90, den=100)
    attainment_recompute(division=camau["96"], period_from=month(2025, 2))
    incremental = sorted(
        Attainment.objects.values_list("indicator", "division", "period", "target", "actual")
    )
    attainment_recompute()
    full = sorted(
        Attainment.objects.values_list("indicator", "division", "period", "target", "actual")
    )
    assert incremental == full
    target = Target.objects.get(indicator=records, deadline__year=2025, scope_level=1)
    assert _rows(target, "96", month(2025, 2)).actual == D(95)


def test_catalogue_declares_a_window_that_fits_each_aggregation(catalogue):
    for indicator in catalogue.values():
        assert indicator.counting_window in CountingWindow.values
        if indicator.counting_window == CountingWindow.LATEST:
            assert indicator.time_aggregation == TimeAggregation.LATEST
        if indicator.time_aggregation == TimeAggregation.AVERAGE:
            assert indicator.counting_window == CountingWindow.YEAR_TO_DATE


@pytest.mark.django_db
def test_a_window_that_contradicts_the_aggregation_is_refused():
    from django.core.exceptions import ValidationError

    indicator = count_indicator(counting_window=CountingWindow.LATEST)
    with pytest.raises(ValidationError) as err:
        indicator.full_clean()
    assert "counting_window" in err.value.message_dict
