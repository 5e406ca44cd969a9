"""Team work keeps counting after 07/2025: for the commune-level unit now in force."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from divisions.models import DivisionSuccession
from reports.models import DataValue
from teams.figures import team_figures_sync
from teams.models import Activity, ActivityKind
from tests.reports.factories import count_indicator
from tests.teams.fixtures import make_team


@pytest.mark.django_db
def test_activities_after_the_reorganisation_count_for_the_successor(reorganised):
    households = count_indicator("households_guided")
    old = reorganised.old["32068"]  # Xã Biển Bạch, ended 30/06/2025
    successor = (
        DivisionSuccession.objects.filter(predecessor=old).order_by("-share").first().successor
    )
    team = make_team(old, decision_date=dt.date(2024, 1, 5))
    Activity.objects.create(
        team=team, date=dt.date(2025, 5, 10), kind=ActivityKind.EPAYMENT, households=3
    )
    Activity.objects.create(
        team=team, date=dt.date(2025, 8, 10), kind=ActivityKind.EPAYMENT, households=5
    )

    team_figures_sync()

    def figure(unit, month):
        return DataValue.objects.get(
            indicator=households, division=unit, period=month, source="teams"
        ).value

    assert figure(old, dt.date(2025, 5, 1)) == D(3)
    assert figure(successor, dt.date(2025, 8, 1)) == D(5)
    assert not DataValue.objects.filter(division=old, period__gte=dt.date(2025, 7, 1)).exists()
