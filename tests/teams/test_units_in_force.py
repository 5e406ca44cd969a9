"""Teams under the structure in force (late 2026): a team, its members and activities belong to
the commune-level unit in force; the commune that set a team up stays as history."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from divisions.models import REORG_DATE
from reports.models import DataValue
from teams import services
from teams.figures import team_figures_sync
from teams.models import Activity, ActivityKind, Member, Team
from teams.placement import MOVE_REASON
from tests.divisions.factories import make_user
from tests.reports.factories import count_indicator, stock_indicator
from tests.teams.fixtures import make_hamlet, make_team
from tests.teams.present import NEW_BIEN_BACH, OLD_BIEN_BACH, OLD_BIEN_BACH_DONG

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def list_page(user, **query):
    return client_for(user).get(reverse("teams:list"), query)


def visible_text(html: str) -> str:
    """The page's text without tags, scripts and the history notes (marked `cds-history`)."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    html = re.sub(r'<(\w+)[^>]*class="[^"]*cds-history[^"]*"[^>]*>.*?</\1>', " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


# --- the registry of a new commune ---------------------------------------------------------


def test_the_registry_of_a_new_commune_lists_the_teams_of_the_communes_it_continues(present):
    response = list_page(present.officer)
    assert response.status_code == 200
    names = {t.name for t in response.context["page"]}
    assert names == {present.west.name, present.east.name}
    (row,) = response.context["summary"]
    assert (row["commune__code"], row["commune__name"], row["teams"]) == (
        NEW_BIEN_BACH,
        "Xã Biển Bạch",
        2,
    )


def test_moved_teams_show_their_former_commune_as_history(present):
    page = client_for(present.officer).get(reverse("teams:detail", args=[present.east.pk]))
    html = page.content.decode()
    assert "trước 07/2025: Xã Biển Bạch Đông, huyện Thới Bình" in html
    listing = list_page(present.steering).content.decode()
    assert "trước 07/2025: Xã Biển Bạch, huyện Thới Bình" in listing
    # The move is in the team's history: from which unit to which, and why.
    history = page.context["history"]
    moved = [e for e in history if e.reason == MOVE_REASON]
    assert moved and (
        "xã, phường, thị trấn",
        "Xã Biển Bạch Đông, huyện Thới Bình (đến 30/06/2025)",
        "Xã Biển Bạch",
    ) in [(label.lower(), old, new) for label, old, new in moved[0].changes]


def test_the_grid_counts_the_teams_the_registry_lists(present):
    """The team figure of the new unit (what its monthly grid shows) equals the registry."""
    team_count = stock_indicator("team_count")
    team_figures_sync()
    figure = DataValue.objects.get(
        indicator=team_count, division=present.new[NEW_BIEN_BACH], period=OCTOBER, source="teams"
    )
    registry = list_page(present.officer).context["totals"]
    assert figure.value == D(registry["active_teams"]) == D(2)
    # Months before 07/2025 still count for the communes of their time.
    june = dt.date(2025, 6, 1)
    assert (
        DataValue.objects.get(
            indicator=team_count, division=present.old[OLD_BIEN_BACH], period=june
        ).value
        == 1
    )


def test_a_scoped_sync_rewrites_the_new_units_month_from_all_its_teams(
    present, django_capture_on_commit_callbacks
):
    """Logging one team's activity rewrites 32069's month from both teams that count for it."""
    team_count = stock_indicator("team_count")
    households = count_indicator("households_guided")
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_log(
            user=present.officer,
            team=present.west,
            date=dt.date(2026, 10, 5),
            kind=ActivityKind.EPAYMENT,
            households=4,
        )
    new = present.new[NEW_BIEN_BACH]

    def figure(indicator):
        return DataValue.objects.get(indicator=indicator, division=new, period=OCTOBER).value

    assert (figure(team_count), figure(households)) == (D(2), D(4))


# --- who manages them -------------------------------------------------------------------------


def test_the_officer_of_a_new_commune_manages_its_teams(present):
    c = client_for(present.officer)
    team = present.east
    hamlet = team.division
    created = c.post(
        reverse("teams:create"),
        {
            "division": hamlet.pk,
            "name": "Tổ CNSCĐ Ấp 2 mới",
            "decision_number": "5/QĐ-UBND",
            "decision_date": "2026-08-03",
        },
    )
    assert created.status_code == 302, created.context and created.context["form"].errors
    new_team = Team.objects.get(name="Tổ CNSCĐ Ấp 2 mới")
    assert new_team.commune == present.new[NEW_BIEN_BACH] and new_team.former_commune is None
    edited = c.post(
        reverse("teams:edit", args=[team.pk]),
        {
            "division": hamlet.pk,
            "name": "Tổ CNSCĐ Ấp 1 Biển Bạch Đông",
            "decision_number": team.decision_number,
            "decision_date": team.decision_date.isoformat(),
        },
    )
    assert edited.status_code == 302
    team.refresh_from_db()
    assert team.name == "Tổ CNSCĐ Ấp 1 Biển Bạch Đông"
    assert team.former_commune == present.old[OLD_BIEN_BACH_DONG]
    added = c.post(
        reverse("teams:member_add", args=[team.pk]),
        {"full_name": "Ngô Văn Mới", "role": "member", "body": "police", "joined_on": "2026-09-01"},
    )
    assert added.status_code == 302
    logged = c.post(
        reverse("teams:activity_add", args=[team.pk]),
        {"date": "2026-10-02", "kind": "public_services", "households": "3", "people": "7"},
    )
    assert logged.status_code == 302
    member = Member.objects.get(full_name="Ngô Văn Mới")
    left = c.post(reverse("teams:member_leave", args=[member.pk]), {"left_on": "2026-11-01"})
    assert left.status_code == 302
    assert Activity.objects.filter(team=team, households=3).exists()
    dissolved = c.post(
        reverse("teams:dissolve", args=[new_team.pk]), {"dissolved_on": "2026-11-20"}
    )
    assert dissolved.status_code == 302


def test_the_officer_of_a_new_commune_imports_members(present):
    from tests.teams.test_import import _xlsx

    c = client_for(present.officer)
    url = reverse("teams:member_import", args=[present.east.pk])
    rows = [["Phạm Văn Sáu", "Tổ viên", "Công an", "", "2026-09-04", ""]]
    preview = c.post(url, {"file": _xlsx(rows)})
    assert preview.status_code == 200 and not preview.context["has_errors"]
    done = c.post(url, {"token": preview.context["token"]})
    assert done.status_code == 302
    assert present.east.members.filter(full_name="Phạm Văn Sáu").exists()


def test_the_leader_of_a_moved_team_keeps_it(present):
    c = client_for(present.leader)
    response = c.post(
        reverse("teams:activity_add", args=[present.west.pk]),
        {"date": "2026-10-03", "kind": "propaganda", "households": "2"},
    )
    assert response.status_code == 302
    refused = c.post(
        reverse("teams:activity_add", args=[present.east.pk]),
        {"date": "2026-10-03", "kind": "propaganda", "households": "2"},
    )
    assert refused.status_code == 403


@pytest.mark.parametrize("who", ["old_commune", "old_district"])
def test_accounts_of_ended_units_read_their_teams_as_history_and_change_nothing(present, who):
    user = getattr(present, who)
    c = client_for(user)
    names = {t.name for t in c.get(reverse("teams:list")).context["page"]}
    assert present.west.name in names
    assert c.get(reverse("teams:detail", args=[present.west.pk])).status_code == 200
    before = Member.objects.count()
    response = c.post(
        reverse("teams:member_add", args=[present.west.pk]),
        {"full_name": "X", "role": "member", "body": "other", "joined_on": "2026-09-01"},
    )
    assert response.status_code == 403
    assert Member.objects.count() == before
    assert c.get(reverse("teams:create")).status_code == 403


def test_the_officer_of_another_new_commune_does_not_see_them(present):
    c = client_for(present.other_officer)
    assert {t.name for t in c.get(reverse("teams:list")).context["page"]} == {present.other.name}
    assert c.get(reverse("teams:detail", args=[present.west.pk])).status_code == 404


# --- split units ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old_code", "primary"),
    # Split in three equal parts: the successor keeping the old name; split by area: the
    # successor holding 90% (the same rule as the team figures).
    [("32053", "Xã Nguyễn Phích"), ("32141", "Xã Hưng Mỹ")],
)
def test_a_split_communes_teams_belong_to_its_primary_successor(reorganised, old_code, primary):
    from divisions.models import DivisionSuccession

    team = make_team(make_hamlet(reorganised.old[old_code], 1), name="Tổ tách")
    services.teams_move_to_units_in_force()
    team.refresh_from_db()
    assert team.commune.name == primary and team.former_commune.code == old_code
    officer = make_user("commune_officer", team.commune.code, on=REORG_DATE, username="p")
    assert [t.pk for t in list_page(officer).context["page"]] == [team.pk]
    others = DivisionSuccession.objects.filter(predecessor__code=old_code).exclude(
        successor=team.commune
    )
    assert others.exists()
    for n, link in enumerate(others.select_related("successor")):
        outsider = make_user(
            "commune_officer", link.successor.code, on=REORG_DATE, username=f"o{n}"
        )
        assert not list(list_page(outsider).context["page"])


# --- bad input --------------------------------------------------------------------------------


def test_a_new_team_on_an_ended_commune_names_and_links_the_unit_in_force(present):
    c = client_for(present.steering)
    response = c.post(
        reverse("teams:create"),
        {
            "division": present.old[OLD_BIEN_BACH].pk,
            "name": "Tổ mới trên xã cũ",
            "decision_number": "9/QĐ-UBND",
            "decision_date": "2026-08-03",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xã Biển Bạch (32068) đã hết hiệu lực từ 01/07/2025" in html
    assert f'<a href="/teams/?commune={NEW_BIEN_BACH}">Xã Biển Bạch ({NEW_BIEN_BACH})</a>' in html
    assert not Team.objects.filter(name="Tổ mới trên xã cũ").exists()


def test_a_team_of_2023_on_a_new_commune_names_the_units_of_that_time(present):
    c = client_for(present.officer)
    response = c.post(
        reverse("teams:create"),
        {
            "division": present.new[NEW_BIEN_BACH].pk,
            "name": "Tổ đăng ký muộn",
            "decision_number": "9/QĐ-UBND",
            "decision_date": "2023-03-01",
        },
    )
    html = response.content.decode()
    assert "Xã Biển Bạch (32069) có hiệu lực từ 01/07/2025" in html
    assert "Xã Biển Bạch Đông (32074)" in html
    assert not Team.objects.filter(name="Tổ đăng ký muộn").exists()
    # Registered on the old commune with its 2023 decision, it is placed and keeps its history.
    ok = c.post(
        reverse("teams:create"),
        {
            "division": present.old[OLD_BIEN_BACH_DONG].pk,
            "name": "Tổ đăng ký muộn",
            "decision_number": "9/QĐ-UBND",
            "decision_date": "2023-03-01",
        },
    )
    assert ok.status_code == 302
    team = Team.objects.get(name="Tổ đăng ký muộn")
    assert (team.commune.code, team.former_commune.code) == (NEW_BIEN_BACH, OLD_BIEN_BACH_DONG)


def test_an_activity_or_member_outside_the_teams_units_names_the_unit_in_force(reorganised):
    """A team left on an ended commune (registered before the structure was loaded): work
    dated after the commune ended is refused, naming and linking the unit in force."""
    from django.core.exceptions import ValidationError

    team = make_team(make_hamlet(reorganised.old[OLD_BIEN_BACH], 1))
    steering = make_user("steering", "96", username="bcd_x")
    with pytest.raises(ValidationError) as activity:
        services.activity_log(
            user=steering, team=team, date=dt.date(2026, 9, 1), kind=ActivityKind.PROPAGANDA
        )
    text = " ".join(activity.value.message_dict["date"])
    assert "Xã Biển Bạch (32068) đã hết hiệu lực từ 01/07/2025" in text
    assert f"/teams/?commune={NEW_BIEN_BACH}" in text
    with pytest.raises(ValidationError) as member:
        services.member_add(
            user=steering, team=team, full_name="A", body="other", joined_on=dt.date(2026, 9, 1)
        )
    assert "Xã Biển Bạch (32069)" in " ".join(member.value.message_dict["joined_on"])
    assert not Activity.objects.exists() and not Member.objects.exists()


# --- words of the period, pilot history, API --------------------------------------------------


@pytest.mark.parametrize("who", ["steering", "officer", "leader"])
def test_team_pages_of_today_say_no_huyen(present, who):
    c = client_for(getattr(present, who))
    listing = c.get(reverse("teams:list"))
    assert "district" not in listing.context["form"].fields
    assert listing.context["form"].fields["commune"].label == "Xã, phường"
    for url in (reverse("teams:list"), reverse("teams:detail", args=[present.west.pk])):
        text = visible_text(c.get(url).content.decode())
        assert "huyện" not in text.lower(), url


def test_the_pilot_page_keeps_the_2023_pilot_by_old_districts(present):
    page = client_for(present.officer).get(reverse("teams:pilot"))
    rows = {r.district.code: r for r in page.context["plan"].rows}
    # Thới Bình's three teams (Biển Bạch, Biển Bạch Đông, Trí Phải), now under two new units.
    assert rows["967"].teams == 3 and rows["967"].members == 3
    assert "Lịch sử: thí điểm năm 2023" in page.content.decode()


def test_api_gives_the_unit_in_force_and_the_former_commune(present):
    from rest_framework.test import APIClient

    Activity.objects.create(team=present.east, date=dt.date(2025, 5, 2), kind="propaganda")
    Activity.objects.create(team=present.east, date=dt.date(2025, 8, 2), kind="propaganda")
    api = APIClient()
    api.force_authenticate(present.officer)
    teams = api.get("/api/v1/teams/").json()["results"]
    assert {(t["commune"], t["former_commune"]) for t in teams} == {
        (NEW_BIEN_BACH, OLD_BIEN_BACH),
        (NEW_BIEN_BACH, OLD_BIEN_BACH_DONG),
    }
    old_code = api.get("/api/v1/teams/", {"commune": OLD_BIEN_BACH_DONG}).json()["results"]
    assert [t["name"] for t in old_code] == [present.east.name]
    activities = api.get("/api/v1/activities/").json()["results"]
    assert sorted((a["date"], a["commune"]) for a in activities) == [
        ("2025-05-02", OLD_BIEN_BACH_DONG),
        ("2025-08-02", NEW_BIEN_BACH),
    ]


def test_the_migration_moves_teams_with_a_history_row(reorganised):
    team = make_team(make_hamlet(reorganised.old[OLD_BIEN_BACH], 1))
    migration = importlib.import_module("teams.migrations.0003_move_teams_to_units_in_force")
    migration.move(apps, None)
    team.refresh_from_db()
    assert (team.commune.code, team.former_commune.code) == (NEW_BIEN_BACH, OLD_BIEN_BACH)
    assert team.commune.valid_from == REORG_DATE
    assert team.history.first().history_change_reason == MOVE_REASON
    migration.move(apps, None)  # idempotent
    assert team.history.count() == 2


# --- query counts -----------------------------------------------------------------------------

LIST_QUERIES_TODAY = 11
DETAIL_QUERIES_TODAY = 13


def test_the_registry_of_today_has_a_pinned_query_count(present, django_assert_max_num_queries):
    c = client_for(present.officer)
    c.get(reverse("teams:list"))
    with django_assert_max_num_queries(LIST_QUERIES_TODAY):
        few = c.get(reverse("teams:list"))
    for n in range(2, 8):
        make_team(make_hamlet(present.old[OLD_BIEN_BACH], n), name=f"Tổ {n}")
    services.teams_move_to_units_in_force()
    with django_assert_max_num_queries(LIST_QUERIES_TODAY):
        many = c.get(reverse("teams:list"))
    assert len(many.context["page"]) == len(few.context["page"]) + 6
    with django_assert_max_num_queries(DETAIL_QUERIES_TODAY):
        assert c.get(reverse("teams:detail", args=[present.east.pk])).status_code == 200


def test_the_repair_pass_moves_teams_left_on_ended_communes(reorganised):
    """Structures loaded after the teams: `sync_team_figures` places them like the migration."""
    from django.core.management import call_command

    team = make_team(make_hamlet(reorganised.old[OLD_BIEN_BACH_DONG], 1))
    call_command("sync_team_figures")
    team.refresh_from_db()
    assert (team.commune.code, team.former_commune.code) == (NEW_BIEN_BACH, OLD_BIEN_BACH_DONG)


def test_the_commune_filter_offers_units_in_force_and_reads_old_codes_as_history(present):
    page = list_page(present.steering)
    options = page.content.decode().split('id="id_commune"')[1].split("</select>")[0]
    assert f'value="{NEW_BIEN_BACH}"' in options and f'value="{OLD_BIEN_BACH_DONG}"' not in options
    now = list_page(present.steering, commune=NEW_BIEN_BACH).context["page"]
    assert {t.name for t in now} == {present.west.name, present.east.name}
    before = list_page(present.steering, commune=OLD_BIEN_BACH_DONG).context["page"]
    assert [t.name for t in before] == [present.east.name]


def test_the_pilot_is_chosen_among_the_units_of_its_time(present):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as new_unit:
        services.pilot_commune_set(
            user=present.steering, commune=present.new[NEW_BIEN_BACH], chosen_on=dt.date(2026, 1, 5)
        )
    assert "không có cấp huyện" in " ".join(new_unit.value.message_dict["commune"])
    with pytest.raises(ValidationError) as late:
        services.pilot_commune_set(
            user=present.steering, commune=present.old[OLD_BIEN_BACH], chosen_on=dt.date(2026, 1, 5)
        )
    assert f"Xã Biển Bạch ({NEW_BIEN_BACH})" in " ".join(late.value.message_dict["chosen_on"])
    form = client_for(present.steering).get(reverse("teams:pilot_set")).context["form"]
    codes = set(form.fields["commune"].queryset.values_list("code", flat=True))
    assert (
        OLD_BIEN_BACH in codes
        and not form.fields["commune"].queryset.filter(valid_from=REORG_DATE).exists()
    )
