"""Accounts whose scope unit has ended (the 2023–2025 districts, old communes) are history:
they read their unit's reports and change nothing, whatever their role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from divisions import access
from reports.models import DataValue, Report, ReportStatus
from reports.services import FigureErrors, FigureInput, data_values_upsert
from tests.divisions.factories import make_user
from tests.reports.factories import count_indicator

pytestmark = pytest.mark.django_db

JUNE = dt.date(2025, 6, 1)
THOI_BINH, OLD_BIEN_BACH, NEW_BIEN_BACH = "967", "32068", "32069"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize(
    "role,code", [("district_officer", THOI_BINH), ("commune_officer", OLD_BIEN_BACH)]
)
def test_an_ended_scope_gives_read_only_access(reorganised, role, code):
    user = make_user(role, code, username="lichsu")
    unit = reorganised.old[code]
    acc = access.get_access(user)
    assert acc.is_history
    assert acc.actions == frozenset({access.Action.VIEW})
    assert access.can_view(user, unit)
    for action in access.Action:
        if action != access.Action.VIEW:
            assert not access.can(user, action, unit), action


def test_an_ended_team_leader_scope_changes_no_team(reorganised):
    from teams.models import Team

    user = make_user("team_leader", OLD_BIEN_BACH, username="to_cu")
    team = Team(
        pk=1, commune=reorganised.old[OLD_BIEN_BACH], division=reorganised.old[OLD_BIEN_BACH]
    )
    assert not access.can_change_team(user, team)


def test_a_unit_in_force_keeps_its_rights(reorganised):
    user = make_user("commune_officer", NEW_BIEN_BACH, on=dt.date(2025, 7, 1), username="xa")
    acc = access.get_access(user)
    assert not acc.is_history
    assert access.can_change(user, reorganised.new[NEW_BIEN_BACH])


def test_history_district_officer_reads_but_cannot_change_june_2025(reorganised):
    count_indicator()
    steering = make_user("steering", "96", username="bcd")
    data_values_upsert(
        user=steering, rows=[FigureInput("people_guided", OLD_BIEN_BACH, JUNE, value=3)]
    )
    officer = make_user("district_officer", THOI_BINH, username="huyen_thoibinh")
    with pytest.raises(FigureErrors):
        data_values_upsert(
            user=officer, rows=[FigureInput("people_guided", OLD_BIEN_BACH, JUNE, value=9)]
        )
    assert DataValue.objects.get().value == 3
    c = client_for(officer)
    page = c.get(reverse("reports:entry", args=[THOI_BINH, "2025-06"]))
    assert page.status_code == 200
    assert page.context["can_edit"] is False and page.context["can_submit"] is False
    response = c.post(
        reverse("reports:save_all", args=[THOI_BINH, "2025-06"]),
        {f"people_guided__{OLD_BIEN_BACH}__value": "9"},
    )
    assert response.status_code == 403
    response = c.post(reverse("reports:submit", args=[THOI_BINH, "2025-06"]))
    assert response.status_code == 403
    assert DataValue.objects.get().value == 3
    assert Report.objects.get().status == ReportStatus.DRAFT
