from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from teams.models import Activity, MemberRole, Team
from tests.teams.fixtures import make_hamlet, make_member, make_team

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["teams:member_add", "teams:activity_add", "teams:member_import"])
def test_team_leader_editing_another_team_gets_403(client, team_leader, team_a, team_a2, name):
    _login(client, team_leader)
    assert client.get(reverse(name, kwargs={"pk": team_a2.pk})).status_code == 403
    assert client.get(reverse(name, kwargs={"pk": team_a.pk})).status_code == 200


def test_team_leader_cannot_edit_member_of_another_team(client, team_leader, team_a2):
    other = team_a2.members.get()
    _login(client, team_leader)
    response = client.post(
        reverse("teams:member_edit", kwargs={"pk": other.pk}),
        {"full_name": "Đổi Tên", "role": "leader", "body": "other", "joined_on": "2023-03-01"},
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.full_name == "Phan Văn Hai"


def test_team_leader_can_read_other_team_of_own_commune(client, team_leader, team_a2):
    _login(client, team_leader)
    response = client.get(reverse("teams:detail", kwargs={"pk": team_a2.pk}))
    assert response.status_code == 200
    assert b'id="member-add"' not in response.content


def test_district_officer_of_b_cannot_see_or_edit_team_of_a(client, officer_b, team_a, activity_a):
    _login(client, officer_b)
    for url in [
        reverse("teams:detail", kwargs={"pk": team_a.pk}),
        reverse("teams:edit", kwargs={"pk": team_a.pk}),
        reverse("teams:member_add", kwargs={"pk": team_a.pk}),
        reverse("teams:activity_edit", kwargs={"pk": activity_a.pk}),
    ]:
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("teams:activity_delete", kwargs={"pk": activity_a.pk}))
    assert response.status_code == 404
    assert Activity.objects.filter(pk=activity_a.pk).exists()
    listing = client.get(reverse("teams:list"))
    assert team_a.name not in listing.content.decode()


def test_district_officer_b_cannot_create_team_in_district_a(client, officer_b, hamlet_a):
    _login(client, officer_b)
    response = client.post(
        reverse("teams:create"),
        {
            "division": hamlet_a.pk,
            "name": "Tổ lạ",
            "decision_number": "1/QĐ",
            "decision_date": "2023-03-01",
        },
    )
    assert response.status_code == 200  # the form refuses the division: not in their choices
    assert "division" in response.context["form"].errors
    assert not Team.objects.exists()


# --- privacy --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("steering", True),
        ("officer_a", True),
        ("commune", True),
        ("team_leader", True),
        ("viewer", False),
    ],
)
def test_phone_numbers_shown_only_within_scope(client, role_users, team_a, role, visible):
    _login(client, role_users[role])
    content = client.get(reverse("teams:detail", kwargs={"pk": team_a.pk})).content.decode()
    assert ("0912345123" in content) is visible
    assert ("0912 345 123" in content) is visible
    assert ("09xx xxx 123" in content) is not visible


def test_phone_visibility_follows_the_scope_of_the_teams_commune(
    camau, team_b, officer_a, officer_b, viewer
):
    from teams.selectors import phone_visible
    from tests.divisions.factories import make_user

    assert phone_visible(officer_b, team_b)
    assert phone_visible(make_user("commune_officer", "32047", username="xa_khanh_hoa"), team_b)
    assert not phone_visible(officer_a, team_b)
    assert not phone_visible(make_user("team_leader", "32048", username="leader_kt"), team_b)
    assert not phone_visible(viewer, team_b)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("0912345123", "09xx xxx 123"), ("02903831234", "02xx xxx 234"), ("", "")],
)
def test_masked_phone_keeps_only_prefix_and_last_three_digits(phone, masked):
    from teams.models import mask_phone

    assert mask_phone(phone) == masked


# --- list -----------------------------------------------------------------------------------


def _add_teams(camau, commune_code: str, count: int, start: int = 10):
    for i in range(start, start + count):
        team = make_team(make_hamlet(camau[commune_code], i), name=f"Tổ {commune_code} {i}")
        make_member(team, role=MemberRole.LEADER, name=f"Tổ trưởng {i}")
        make_member(team, name=f"Tổ viên {i}")
        Activity.objects.create(team=team, date=dt.date(2023, 5, 1), kind="propaganda", people=3)


# The labels of the structure in force (one query) and, for a province-wide scope, the
# provinces merged into it (one query): constant whatever the number of teams.
LIST_QUERIES = 12


def test_team_list_query_count_does_not_grow_with_teams(client, steering_user, camau):
    _login(client, steering_user)
    _add_teams(camau, "32068", 2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("teams:list"))
    _add_teams(camau, "32047", 12, start=30)
    _add_teams(camau, "32069", 5, start=60)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("teams:list"))
    assert len(many) == len(few)
    assert response.context["totals"]["teams"] == 19
    assert response.context["totals"]["members"] == 38
    assert response.context["totals"]["activities"] == 19


def test_team_list_query_count_is_pinned(
    client, steering_user, camau, django_assert_max_num_queries
):
    _add_teams(camau, "32068", 6)
    _login(client, steering_user)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(
            reverse("teams:list"), {"district": "967", "pilot": "", "status": "active"}
        )
    assert response.status_code == 200
    assert len(response.context["page"]) == 6


def test_team_list_filters_by_commune_and_pilot(client, steering_user, team_a, team_a2, team_b):
    _login(client, steering_user)
    by_commune = client.get(reverse("teams:list"), {"commune": "32068"})
    assert [t.pk for t in by_commune.context["page"]] == [team_a.pk, team_a2.pk]
    pilots = client.get(reverse("teams:list"), {"pilot": "1"})
    assert [t.pk for t in pilots.context["page"]] == [team_a.pk]
    district_b = client.get(reverse("teams:list"), {"district": "966"})
    assert [t.pk for t in district_b.context["page"]] == [team_b.pk]


def test_team_detail_query_count_is_pinned(
    client, team_leader, team_a, activity_a, django_assert_max_num_queries
):
    _login(client, team_leader)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("teams:detail", kwargs={"pk": team_a.pk}))
    assert response.status_code == 200


# --- forms ----------------------------------------------------------------------------------


def test_commune_officer_sets_up_team_through_the_form(client, commune_officer, hamlet_a):
    _login(client, commune_officer)
    response = client.post(
        reverse("teams:create"),
        {
            "division": hamlet_a.pk,
            "name": "Tổ CNSCĐ Ấp 1",
            "decision_number": "25/QĐ-UBND",
            "decision_date": "02/03/2023",
            "is_pilot": "on",
        },
    )
    team = Team.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("teams:detail", kwargs={"pk": team.pk})
    assert team.commune.code == "32068" and team.is_pilot


def test_team_page_warns_when_team_is_smaller_than_four(client, commune_officer, team_a):
    _login(client, commune_officer)
    response = client.get(reverse("teams:detail", kwargs={"pk": team_a.pk}))
    assert "Tổ hiện có 2 thành viên" in response.content.decode()
    for i in range(2):
        make_member(team_a, name=f"Thành viên {i}")
    response = client.get(reverse("teams:detail", kwargs={"pk": team_a.pk}))
    assert 'id="team-size-warning"' not in response.content.decode()


def test_team_leader_logs_activity_from_the_form(client, team_leader, team_a):
    _login(client, team_leader)
    response = client.post(
        reverse("teams:activity_add", kwargs={"pk": team_a.pk}),
        {
            "date": "2023-06-02",
            "kind": "epayment",
            "households": "4",
            "people": "6",
            "epayment_accounts": "3",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.people, activity.epayment_accounts, activity.businesses) == (6, 3, 0)


def test_negative_count_in_form_shows_message_and_saves_nothing(client, team_leader, team_a):
    _login(client, team_leader)
    response = client.post(
        reverse("teams:activity_add", kwargs={"pk": team_a.pk}),
        {"date": "2023-06-02", "kind": "epayment", "households": "-4"},
    )
    assert response.status_code == 200
    assert "không được âm" in " ".join(response.context["form"].errors["households"])
    assert not Activity.objects.exists()


def test_future_activity_in_form_is_refused(client, team_leader, team_a):
    _login(client, team_leader)
    tomorrow = timezone.localdate() + dt.timedelta(days=2)
    response = client.post(
        reverse("teams:activity_add", kwargs={"pk": team_a.pk}),
        {"date": tomorrow.isoformat(), "kind": "other"},
    )
    assert "ở tương lai" in " ".join(response.context["form"].errors["date"])


def test_bad_phone_in_member_form_is_refused(client, commune_officer, team_a):
    _login(client, commune_officer)
    response = client.post(
        reverse("teams:member_add", kwargs={"pk": team_a.pk}),
        {
            "full_name": "Ngô Văn Sáu",
            "role": "member",
            "body": "police",
            "phone": "0123",
            "joined_on": "2023-03-05",
        },
    )
    assert response.status_code == 200
    assert "không phải số Việt Nam" in " ".join(response.context["form"].errors["phone"])


def test_commune_officer_links_leader_account(client, commune_officer, team_a2, camau):
    from tests.divisions.factories import make_user

    account = make_user("team_leader", "32068", username="leader_ap2")
    member = team_a2.members.get()
    _login(client, commune_officer)
    response = client.post(
        reverse("teams:member_edit", kwargs={"pk": member.pk}),
        {
            "full_name": member.full_name,
            "role": "leader",
            "body": "hamlet_head",
            "phone": "0909000222",
            "joined_on": "2023-03-01",
            "member_user": account.pk,
        },
    )
    assert response.status_code == 302
    assert list(Team.objects.led_by(account)) == [team_a2]


def test_member_leaves_and_is_listed_as_former(client, commune_officer, member_a):
    _login(client, commune_officer)
    response = client.post(
        reverse("teams:member_leave", kwargs={"pk": member_a.pk}), {"left_on": "2024-02-01"}
    )
    assert response.status_code == 302
    page = client.get(reverse("teams:detail", kwargs={"pk": member_a.team_id})).content.decode()
    assert "rời tổ 01/02/2024" in page


def test_team_leader_gets_a_shortcut_to_own_team(client, team_leader, team_a, team_a2):
    _login(client, team_leader)
    response = client.get(reverse("teams:list"))
    assert [t.pk for t in response.context["my_teams"]] == [team_a.pk]
    assert f"Tổ của tôi: {team_a.name}" in response.content.decode()


def test_team_page_shows_who_changed_what_before_and_after(
    client, commune_officer, team_leader, activity_a
):
    client.force_login(team_leader)
    client.post(
        reverse("teams:activity_edit", kwargs={"pk": activity_a.pk}),
        {
            "date": "2023-05-10",
            "kind": "public_services",
            "households": "15",
            "people": "30",
            "dvctt_accounts": "8",
        },
    )
    client.force_login(commune_officer)
    response = client.get(reverse("teams:detail", kwargs={"pk": activity_a.team_id}))
    latest = response.context["history"][0]
    assert latest.who == "leader_a"
    assert latest.kind == "~"
    assert ("số hộ gia đình được hướng dẫn", "12", "15") in latest.changes


def test_the_2023_pilot_plan_is_history_linked_from_the_teams_list_not_the_home_page(
    client, commune_officer
):
    from django.urls import reverse

    _login(client, commune_officer)
    pilot = reverse("teams:pilot")
    assert f'href="{pilot}"' not in client.get("/").content.decode()
    assert f'href="{pilot}"' in client.get(reverse("teams:list")).content.decode()
