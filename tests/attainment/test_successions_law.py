"""Reconstructed series follow the successions of Resolution 1655/NQ-UBTVQH15: a split old
commune's figures reach every successor by its share, and nothing is lost or counted twice;
the teams of a split commune count for its primary successor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from attainment.engine import attainment_recompute
from attainment.models import Attainment
from reports.models import DataValue, ReportStatus
from teams.figures import team_figures_sync
from teams.models import Activity, ActivityKind
from tests.attainment.test_attainment import make_report
from tests.reports.factories import DataValueFactory, count_indicator
from tests.teams.fixtures import make_team

pytestmark = pytest.mark.django_db

JUNE = dt.date(2025, 6, 1)
# Old units (code in force on 30/06/2025) and their district.
TA_AN_KHUONG, DONG_THOI, DAM_DOI_DISTRICT, CAI_NUOC_DISTRICT = "32155", "32143", "970", "969"


def _row(indicator, division):
    return Attainment.objects.get(
        indicator=indicator, division=division, period=JUNE, provisional=False, target_key=0
    )


def test_split_communes_figures_reach_each_successor_by_its_share(reorganised):
    people = count_indicator()
    old = reorganised.old
    assert old[TA_AN_KHUONG].name == "Xã Tạ An Khương" and old[DONG_THOI].name == "Xã Đông Thới"
    for district, commune, value in (
        (DAM_DOI_DISTRICT, TA_AN_KHUONG, D(100)),
        (CAI_NUOC_DISTRICT, DONG_THOI, D(1000)),
    ):
        report = make_report(division=old[district], period=JUNE, status=ReportStatus.APPROVED)
        DataValueFactory(
            indicator=people, division=old[commune], period=JUNE, report=report, value=value
        )

    attainment_recompute()

    by_name = {u.name: u for u in reorganised.new.values()}
    expected = {
        # Tạ An Khương: part to the new Tạ An Khương (khoản 3), the rest to Đầm Dơi (khoản 6),
        # equal shares.
        "Xã Tạ An Khương": D(50),
        "Xã Đầm Dơi": D(50),
        # Đông Thới: by population, 924 people to Tân Hưng and 9,958 to Cái Nước.
        "Xã Tân Hưng": D("84.9"),
        "Xã Cái Nước": D("915.1"),
    }
    rows = {name: _row(people, by_name[name]) for name in expected}
    assert {name: row.actual for name, row in rows.items()} == expected
    assert all(row.reconstructed for row in rows.values())
    # The shares of each old unit sum to 1: the successors hold exactly what the old units had.
    assert sum(expected.values()) == D(1100) == _row(people, reorganised.province).actual


@pytest.mark.parametrize(
    ("old_code", "successor_name"),
    [
        # Split in three with equal shares: the rounding remainder (0.3334 to Khánh Lâm) decides
        # nothing; the successor keeping the old name continues the teams.
        ("32053", "Xã Nguyễn Phích"),
        # Split by area: Hưng Mỹ holds 90% of old Hòa Mỹ.
        ("32141", "Xã Hưng Mỹ"),
    ],
)
def test_teams_of_a_split_commune_count_for_its_primary_successor(
    reorganised, old_code, successor_name
):
    households = count_indicator("households_guided")
    old = reorganised.old[old_code]
    team = make_team(old, decision_date=dt.date(2024, 1, 5))
    Activity.objects.create(
        team=team, date=dt.date(2025, 8, 10), kind=ActivityKind.EPAYMENT, households=5
    )

    team_figures_sync()

    figures = DataValue.objects.filter(
        indicator=households, period=dt.date(2025, 8, 1), source="teams"
    )
    assert list(figures.values_list("division__name", "value")) == [(successor_name, D(5))]
