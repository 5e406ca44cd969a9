from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from reports.models import DataValue
from targets.models import TimeAggregation
from teams import services
from teams.figures import (
    FLOW_INDICATORS,
    STOCK_INDICATORS,
    team_figures_sync,
    team_monthly_totals,
)
from tests.targets.factories import IndicatorFactory
from tests.teams.fixtures import make_member

pytestmark = pytest.mark.django_db

MAY, JUNE = dt.date(2023, 5, 1), dt.date(2023, 6, 1)


@pytest.fixture
def team_indicators(db):
    """The seven monitoring indicators, as the catalogue declares them (commune level)."""
    made = {}
    for code in STOCK_INDICATORS:
        made[code] = IndicatorFactory(
            code=code,
            count=True,
            time_aggregation=TimeAggregation.LATEST,
            reports_province=False,
            reports_district=False,
        )
    for code in FLOW_INDICATORS:
        made[code] = IndicatorFactory(
            code=code, count=True, reports_province=False, reports_district=False
        )
    return made


def _figures(commune_code: str, period: dt.date) -> dict[str, Decimal]:
    return dict(
        DataValue.objects.filter(
            division__code=commune_code, period=period, source="teams"
        ).values_list("indicator__code", "value")
    )


def test_monthly_totals_sum_activities_and_count_teams_at_month_end(team_a, team_a2, team_leader):
    services.activity_log(
        user=team_leader,
        team=team_a,
        date=dt.date(2023, 5, 3),
        kind="propaganda",
        households=10,
        people=25,
        dvctt_accounts=4,
    )
    services.activity_log(
        user=team_leader,
        team=team_a,
        date=dt.date(2023, 5, 20),
        kind="epayment",
        households=2,
        people=5,
        epayment_accounts=6,
        ecommerce_sellers=1,
    )
    services.activity_log(
        user=team_leader, team=team_a, date=dt.date(2023, 6, 2), kind="other", people=1
    )
    totals = team_monthly_totals(commune_ids=[team_a.commune_id], periods=[MAY, JUNE])
    may = totals[(team_a.commune_id, MAY)]
    assert may == {
        "team_count": 2,
        "team_member_count": 3,
        "households_guided": 12,
        "people_guided": 30,
        "dvctt_accounts_opened": 4,
        "epayment_accounts_opened": 6,
        "ecommerce_sellers_onboarded": 1,
    }
    assert totals[(team_a.commune_id, JUNE)]["people_guided"] == 1


def test_member_who_left_is_not_counted_after_leaving(team_a, commune_officer):
    make_member(team_a, name="Mới Vào", joined_on=dt.date(2023, 6, 10))
    member = team_a.members.get(full_name="Trần Thị Hoa")
    services.member_leave(user=commune_officer, member=member, left_on=dt.date(2023, 6, 15))
    totals = team_monthly_totals(commune_ids=[team_a.commune_id], periods=[MAY, JUNE])
    assert totals[(team_a.commune_id, MAY)]["team_member_count"] == 2
    assert totals[(team_a.commune_id, JUNE)]["team_member_count"] == 2  # one left, one joined


def test_totals_change_when_an_activity_is_corrected(
    team_a, team_leader, team_indicators, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        activity = services.activity_log(
            user=team_leader,
            team=team_a,
            date=dt.date(2023, 5, 3),
            kind="public_services",
            households=10,
            people=20,
            dvctt_accounts=5,
        )
    may = _figures("32068", MAY)
    assert may["households_guided"] == 10
    assert may["dvctt_accounts_opened"] == 5
    assert may["team_count"] == 1 and may["team_member_count"] == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.activity_update(
            user=team_leader, activity=activity, households=7, dvctt_accounts=3
        )
    may = _figures("32068", MAY)
    assert (may["households_guided"], may["dvctt_accounts_opened"]) == (7, 3)

    # Moved to June: May falls back to zero, June gets the activity.
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_update(user=team_leader, activity=activity, date=dt.date(2023, 6, 4))
    assert _figures("32068", MAY)["households_guided"] == 0
    assert _figures("32068", JUNE)["households_guided"] == 7

    with django_capture_on_commit_callbacks(execute=True):
        services.activity_delete(user=team_leader, activity=activity)
    assert _figures("32068", JUNE)["people_guided"] == 0


def test_sync_skips_indicators_missing_from_catalogue(team_a, activity_a):
    IndicatorFactory(
        code="households_guided", count=True, reports_province=False, reports_district=False
    )
    written = team_figures_sync(commune_ids=[team_a.commune_id], periods=[MAY])
    assert written == 1
    assert _figures("32068", MAY) == {"households_guided": Decimal(12)}


def test_sync_without_catalogue_writes_nothing(team_a, activity_a):
    assert team_figures_sync() == 0
    assert not DataValue.objects.exists()


def test_full_sync_covers_every_month_and_a_dissolution_lowers_the_stock(
    team_a, team_a2, activity_a, commune_officer, team_indicators
):
    services.team_dissolve(user=commune_officer, team=team_a2, dissolved_on=dt.date(2023, 8, 15))
    team_figures_sync()
    assert _figures("32068", MAY)["team_count"] == 2
    assert _figures("32068", dt.date(2023, 8, 1))["team_count"] == 1
    current = timezone.localdate().replace(day=1)
    assert _figures("32068", current)["team_count"] == 1
    assert not DataValue.objects.filter(period__lt=dt.date(2023, 3, 1)).exists()


def test_team_figures_stay_apart_from_manual_figures(team_a, activity_a, team_indicators):
    team_figures_sync(commune_ids=[team_a.commune_id], periods=[MAY])
    team_figures_sync(commune_ids=[team_a.commune_id], periods=[MAY])  # idempotent
    rows = DataValue.objects.filter(indicator__code="households_guided", period=MAY)
    assert [(r.source, r.value, r.version) for r in rows] == [("teams", Decimal(12), 1)]


def test_pilot_choice_feeds_the_district_pilot_figure(
    officer_a, camau, django_capture_on_commit_callbacks
):
    IndicatorFactory(
        code="pilot_communes",
        count=True,
        time_aggregation=TimeAggregation.LATEST,
        reports_province=False,
        reports_commune=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.pilot_commune_set(
            user=officer_a, commune=camau["32068"], chosen_on=dt.date(2023, 2, 10)
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.pilot_commune_set(
            user=officer_a, commune=camau["32069"], chosen_on=dt.date(2023, 5, 2)
        )

    def pilot_figure(period):
        return DataValue.objects.get(
            indicator__code="pilot_communes", division__code="967", period=period, source="teams"
        ).value

    assert pilot_figure(dt.date(2023, 2, 1)) == 1
    assert pilot_figure(dt.date(2023, 6, 1)) == 2
    assert pilot_figure(timezone.localdate().replace(day=1)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.pilot_commune_set(user=officer_a, commune=camau["32069"], is_pilot=False)
    assert pilot_figure(dt.date(2023, 6, 1)) == 1


def test_sync_command_rewrites_all_team_figures(team_a, activity_a, team_indicators):
    from django.core.management import call_command

    call_command("sync_team_figures")
    assert _figures("32068", MAY)["households_guided"] == 12


def test_member_and_team_changes_move_the_stock_figures(
    commune_officer, team_a, team_indicators, django_capture_on_commit_callbacks
):
    this_month = timezone.localdate().replace(day=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.member_add(
            user=commune_officer,
            team=team_a,
            full_name="Lâm Văn Chín",
            body="police",
            joined_on=dt.date(2023, 5, 20),
        )
    assert _figures("32068", MAY)["team_member_count"] == 3
    assert _figures("32068", this_month)["team_member_count"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        services.team_dissolve(user=commune_officer, team=team_a, dissolved_on=dt.date(2024, 2, 1))
    assert _figures("32068", this_month)["team_count"] == 0
    assert _figures("32068", this_month)["team_member_count"] == 0
    assert _figures("32068", MAY)["team_count"] == 1


def test_many_changes_in_one_transaction_sync_once(
    commune_officer, team_a, django_capture_on_commit_callbacks
):
    rows = [
        {"full_name": f"Thành viên {i}", "body": "other", "joined_on": dt.date(2023, 4, 1)}
        for i in range(5)
    ]
    with django_capture_on_commit_callbacks() as callbacks:
        services.members_import(user=commune_officer, team=team_a, rows=rows, dry_run=False)
    assert len(callbacks) == 1
