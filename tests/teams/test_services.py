from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from teams import services
from teams.models import (
    Activity,
    ActivityKind,
    Member,
    MemberBody,
    MemberRole,
    PilotCommune,
    Team,
    TeamStatus,
)

pytestmark = pytest.mark.django_db


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def test_commune_officer_creates_team_in_hamlet_with_commune_stored(commune_officer, hamlet_a):
    team = services.team_create(
        user=commune_officer,
        division=hamlet_a,
        name="Tổ CNSCĐ Ấp 1",
        decision_number="15/QĐ-UBND",
        decision_date=dt.date(2023, 3, 2),
    )
    assert team.commune.code == "32068"
    assert team.status == TeamStatus.ACTIVE
    assert team.history.count() == 1


def test_team_in_district_division_is_refused(steering_user, camau):
    with pytest.raises(ValidationError) as exc:
        services.team_create(
            user=steering_user,
            division=camau["967"],
            name="Tổ sai cấp",
            decision_number="1/QĐ",
            decision_date=dt.date(2023, 3, 2),
        )
    assert "phải thuộc một xã" in _messages(exc.value)
    assert not Team.objects.exists()


def test_team_decision_in_future_is_refused(commune_officer, hamlet_a):
    with pytest.raises(ValidationError) as exc:
        services.team_create(
            user=commune_officer,
            division=hamlet_a,
            name="Tổ",
            decision_number="1/QĐ",
            decision_date=timezone.localdate() + dt.timedelta(days=1),
        )
    assert "tương lai" in _messages(exc.value)


def test_officer_of_other_district_cannot_create_team(officer_b, hamlet_a):
    with pytest.raises(PermissionDenied):
        services.team_create(
            user=officer_b,
            division=hamlet_a,
            name="Tổ",
            decision_number="1/QĐ",
            decision_date=dt.date(2023, 3, 2),
        )


def test_team_leader_cannot_create_teams(team_leader, hamlet_a):
    with pytest.raises(PermissionDenied):
        services.team_create(
            user=team_leader,
            division=hamlet_a,
            name="Tổ",
            decision_number="1/QĐ",
            decision_date=dt.date(2023, 3, 2),
        )


def test_dissolving_team_closes_memberships_and_frees_the_leader(commune_officer, team_a):
    services.team_dissolve(user=commune_officer, team=team_a, dissolved_on=dt.date(2024, 1, 31))
    team_a.refresh_from_db()
    assert team_a.status == TeamStatus.DISSOLVED
    assert not team_a.members.filter(left_on__isnull=True).exists()
    assert not Team.objects.led_by(team_a.members.first().user).exists()


def test_led_by_returns_only_teams_with_current_leader_link(team_a, team_a2, team_leader):
    assert list(Team.objects.led_by(team_leader)) == [team_a]


# --- members --------------------------------------------------------------------------------


def test_team_leader_adds_member_to_own_team(team_leader, team_a):
    member = services.member_add(
        user=team_leader,
        team=team_a,
        full_name="Lý Văn Ba",
        body=MemberBody.POLICE,
        phone="+84 912 000 333",
        joined_on=dt.date(2023, 4, 1),
    )
    assert member.phone == "0912000333"


def test_team_leader_cannot_add_member_to_other_team(team_leader, team_a, team_a2):
    with pytest.raises(PermissionDenied):
        services.member_add(user=team_leader, team=team_a2, full_name="X", body=MemberBody.OTHER)


@pytest.mark.parametrize(
    "phone", ["12345", "0112345678", "091234567", "09123456789", "0612345678", "+1 212 555 0100"]
)
def test_non_vietnamese_phone_is_refused(commune_officer, team_a, phone):
    with pytest.raises(ValidationError) as exc:
        services.member_add(
            user=commune_officer, team=team_a, full_name="X", body=MemberBody.OTHER, phone=phone
        )
    assert "không phải số Việt Nam" in _messages(exc.value)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("0912 345 678", "0912345678"),
        ("+84 38 123 4567", "0381234567"),
        ("0290.3831.234", "02903831234"),
        ("0283 822 1234", "02838221234"),
        ("070-123-4567", "0701234567"),
    ],
)
def test_vietnamese_mobiles_and_landlines_are_accepted(commune_officer, team_a, raw, stored):
    member = services.member_add(
        user=commune_officer, team=team_a, full_name="X", body=MemberBody.OTHER, phone=raw
    )
    assert member.phone == stored


def test_second_current_leader_in_team_is_refused(commune_officer, team_a):
    with pytest.raises(ValidationError) as exc:
        services.member_add(
            user=commune_officer,
            team=team_a,
            full_name="Người Thứ Hai",
            role=MemberRole.LEADER,
            body=MemberBody.OTHER,
        )
    assert "đã có tổ trưởng Võ Văn Tổ" in _messages(exc.value)
    assert team_a.members.count() == 2


def test_same_person_cannot_lead_two_active_teams(officer_a, team_a, team_a2):
    leader_a = team_a.members.get(role=MemberRole.LEADER)
    services.member_leave(user=officer_a, member=team_a2.members.get(), left_on=dt.date(2024, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.member_add(
            user=officer_a,
            team=team_a2,
            full_name=leader_a.full_name,
            role=MemberRole.LEADER,
            body=MemberBody.HAMLET_HEAD,
            phone=leader_a.phone,
        )
    assert "không thể làm tổ trưởng hai tổ" in _messages(exc.value)
    assert "Tổ CNSCĐ Ấp 1 Biển Bạch" in _messages(exc.value)


def test_member_leaving_before_joining_is_refused(commune_officer, member_a):
    with pytest.raises(ValidationError) as exc:
        services.member_update(user=commune_officer, member=member_a, left_on=dt.date(2020, 1, 1))
    assert "sau ngày tham gia" in _messages(exc.value)


def test_team_leader_cannot_link_portal_accounts(team_leader, team_a, viewer):
    with pytest.raises(PermissionDenied):
        services.member_add(
            user=team_leader,
            team=team_a,
            full_name="X",
            body=MemberBody.OTHER,
            member_user=viewer,
        )


def test_member_changes_are_recorded_in_history(commune_officer, member_a):
    services.member_update(user=commune_officer, member=member_a, full_name="Trần Thị Hoa Mai")
    names = list(member_a.history.order_by("history_date").values_list("full_name", flat=True))
    assert names[-2:] == ["Trần Thị Hoa", "Trần Thị Hoa Mai"]


# --- activities -----------------------------------------------------------------------------


def test_team_leader_logs_activity_for_own_team(team_leader, team_a):
    activity = services.activity_log(
        user=team_leader,
        team=team_a,
        date=dt.date(2023, 6, 1),
        kind=ActivityKind.LOCAL_PLATFORMS,
        households=5,
        people=9,
    )
    assert activity.created_by == team_leader


def test_team_leader_cannot_log_activity_for_other_team(team_leader, team_a2):
    with pytest.raises(PermissionDenied):
        services.activity_log(
            user=team_leader, team=team_a2, date=dt.date(2023, 6, 1), kind=ActivityKind.OTHER
        )


def test_activity_in_future_is_refused(team_leader, team_a):
    with pytest.raises(ValidationError) as exc:
        services.activity_log(
            user=team_leader,
            team=team_a,
            date=timezone.localdate() + dt.timedelta(days=1),
            kind=ActivityKind.OTHER,
        )
    assert "ở tương lai" in _messages(exc.value)


def test_activity_before_team_decision_is_refused(team_leader, team_a):
    with pytest.raises(ValidationError) as exc:
        services.activity_log(
            user=team_leader, team=team_a, date=dt.date(2023, 2, 28), kind=ActivityKind.OTHER
        )
    assert "trước ngày quyết định thành lập tổ 01/03/2023" in _messages(exc.value)


def test_negative_counts_are_refused_and_nothing_saved(team_leader, team_a):
    with pytest.raises(ValidationError) as exc:
        services.activity_log(
            user=team_leader,
            team=team_a,
            date=dt.date(2023, 6, 1),
            kind=ActivityKind.OTHER,
            households=-3,
        )
    assert "không được âm" in _messages(exc.value)
    assert not Activity.objects.exists()


def test_activity_correction_is_recorded_in_history(team_leader, activity_a):
    services.activity_update(user=team_leader, activity=activity_a, households=20)
    assert list(activity_a.history.values_list("households", flat=True)) == [20, 12]


def test_team_decision_moved_after_existing_activity_is_refused(commune_officer, activity_a):
    with pytest.raises(ValidationError) as exc:
        services.team_update(
            user=commune_officer, team=activity_a.team, decision_date=dt.date(2023, 6, 1)
        )
    assert "10/05/2023" in _messages(exc.value)


# --- pilot plan -----------------------------------------------------------------------------


def test_district_officer_chooses_pilot_commune(officer_a, camau):
    pilot = services.pilot_commune_set(
        user=officer_a, commune=camau["32068"], chosen_on=dt.date(2023, 2, 15)
    )
    assert pilot.district == camau["967"]


def test_commune_officer_cannot_choose_pilot_communes(commune_officer, camau):
    with pytest.raises(PermissionDenied):
        services.pilot_commune_set(
            user=commune_officer, commune=camau["32068"], chosen_on=dt.date(2023, 2, 15)
        )


def test_pilot_choice_is_unique_per_commune_and_can_be_withdrawn(officer_a, camau):
    services.pilot_commune_set(
        user=officer_a, commune=camau["32068"], chosen_on=dt.date(2023, 2, 1)
    )
    services.pilot_commune_set(
        user=officer_a, commune=camau["32068"], chosen_on=dt.date(2023, 2, 9)
    )
    assert PilotCommune.objects.get().chosen_on == dt.date(2023, 2, 9)
    services.pilot_commune_set(user=officer_a, commune=camau["32068"], is_pilot=False)
    assert not PilotCommune.objects.exists()


def test_member_in_dissolved_team_cannot_be_added(commune_officer, team_a):
    team_a = services.team_dissolve(
        user=commune_officer, team=team_a, dissolved_on=dt.date(2024, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.member_add(user=commune_officer, team=team_a, full_name="X", body="other")
    assert "đã giải thể" in _messages(exc.value)
    assert Member.objects.filter(team=team_a).count() == 2
