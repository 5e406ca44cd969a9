"""What an approval's scoped recompute writes is exactly what the nightly full recompute
writes: provisional rows of communes rebuilt from pre-2025 units, and the assessment numbers
that continue from a stored (6-decimal) baseline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from attainment.engine import ROW_COLUMNS, attainment_recompute
from attainment.models import Attainment
from divisions.models import DivisionSuccession
from reports.models import ReportStatus, Source
from targets.models import Comparator, ScopeLevel, Target
from tests.attainment.test_attainment import make_report
from tests.reports.factories import DataValueFactory, count_indicator, ratio_indicator

pytestmark = pytest.mark.django_db

COMPARED = [c for c in ROW_COLUMNS if c != "computed_at"]
JUNE_2025, AUG_2025, SEP_2025 = dt.date(2025, 6, 1), dt.date(2025, 8, 1), dt.date(2025, 9, 1)


def stored_rows(**filters) -> list[tuple]:
    """Every stored row as the database holds it (no rounding of our own)."""
    return sorted(Attainment.objects.filter(**filters).values_list(*COMPARED), key=repr)


def test_provisional_rows_of_a_rebuilt_commune_equal_the_full_recompute(reorganised):
    """Phường An Xuyên (32002) continues older communes: its cumulative series starts with
    their figures. While its own report waits for approval, the provisional rows written by
    the approval's scoped recompute are those the full recompute writes."""
    people = count_indicator()
    an_xuyen = reorganised.new["32002"]
    link = DivisionSuccession.objects.filter(successor=an_xuyen).select_related("predecessor")
    predecessor = link.first().predecessor
    old_report = make_report(
        division=predecessor.parent, period=JUNE_2025, status=ReportStatus.APPROVED
    )
    DataValueFactory(
        indicator=people, division=predecessor, period=JUNE_2025, report=old_report, value=D(900)
    )
    # Team-derived figures (no report) of the new unit, before and in the reviewed month.
    for period, value in ((AUG_2025, D(40)), (SEP_2025, D(15))):
        DataValueFactory(
            indicator=people,
            division=an_xuyen,
            period=period,
            report=None,
            source=Source.TEAMS,
            value=value,
        )
    attainment_recompute()
    submitted = make_report(division=an_xuyen, period=SEP_2025, status=ReportStatus.SUBMITTED)
    DataValueFactory(
        indicator=people, division=an_xuyen, period=SEP_2025, report=submitted, value=D(70)
    )

    attainment_recompute(division=an_xuyen, period_from=SEP_2025)  # what the drain does
    scoped = stored_rows(provisional=True)
    attainment_recompute()
    full = stored_rows(provisional=True)
    assert full, "the submitted figure gives provisional rows"
    assert scoped == full
    row = Attainment.objects.get(
        indicator=people, division=an_xuyen, period=SEP_2025, provisional=True
    )
    assert row.actual == D(900) * (link.first().share or 1) + D(40) + D(70)


def test_incremental_recompute_equals_the_full_one_exactly_with_a_repeating_baseline(camau):
    """A ratio's first value 1/3 (33.333…%) is its baseline: an approval two months later is
    recomputed from the stored rows, and every stored number (projection, share reached)
    equals the full recompute's to the last stored digit."""
    ratio = ratio_indicator()
    Target.objects.create(
        indicator=ratio,
        wording_vi="80% hồ sơ",
        deadline=dt.date(2030, 12, 31),
        scope_level=ScopeLevel.PROVINCE,
        value=D(80),
        comparator=Comparator.AT_LEAST,
    )
    july, september = dt.date(2024, 7, 1), dt.date(2024, 9, 1)

    def approved_figure(period, numerator, denominator):
        report = make_report(division=camau["967"], period=period, status=ReportStatus.APPROVED)
        DataValueFactory(
            indicator=ratio,
            division=camau["32068"],
            period=period,
            report=report,
            numerator=D(numerator),
            denominator=D(denominator),
            value=None,
        )

    approved_figure(july, 1, 3)
    attainment_recompute()
    approved_figure(september, 5, 7)

    attainment_recompute(division=camau["967"], period_from=september)  # the approval's
    incremental = stored_rows()
    attainment_recompute()
    full = stored_rows()
    assert incremental == full
