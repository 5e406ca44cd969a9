"""Access cases for every teams URL; `team_a` is in commune 32068 (district A) and led by the
`team_leader` user, so officer_b (district B) gets 404 for it and viewers get 403 on changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.access_matrix import Case, Write, signed_in

VIEW = signed_in(200, no_role=403)
MANAGE_ANY = signed_in(200, team_leader=403, viewer=403, no_role=403)
PILOT_SET = signed_in(200, commune=403, team_leader=403, viewer=403, no_role=403)
TEAM_VIEW = signed_in(200, officer_b=404, no_role=403)
TEAM_MANAGE = signed_in(200, officer_b=404, team_leader=403, viewer=403, no_role=403)
TEAM_CHANGE = signed_in(200, officer_b=404, viewer=403, no_role=403)
TEAM_CHANGE_POST = signed_in(302, officer_b=404, viewer=403, no_role=403)


def _team(w):
    return {"pk": w["team_a"].pk}


def _member(w):
    return {"pk": w["member_a"].pk}


def _activity(w):
    return {"pk": w["activity_a"].pk}


CASES = [
    Case("teams:list", VIEW),
    Case("teams:pilot", VIEW),
    Case("teams:member_template", VIEW),
    Case("teams:create", MANAGE_ANY),
    Case("teams:pilot_set", PILOT_SET),
    Case("teams:detail", TEAM_VIEW, kwargs=_team, world=("team_a",)),
    Case("teams:edit", TEAM_MANAGE, kwargs=_team, world=("team_a",)),
    Case("teams:dissolve", TEAM_MANAGE, kwargs=_team, world=("team_a",)),
    Case("teams:member_add", TEAM_CHANGE, kwargs=_team, world=("team_a",)),
    Case("teams:member_import", TEAM_CHANGE, kwargs=_team, world=("team_a",)),
    Case("teams:member_export", TEAM_VIEW, kwargs=_team, world=("team_a",)),
    Case("teams:activity_add", TEAM_CHANGE, kwargs=_team, world=("team_a",)),
    Case("teams:member_edit", TEAM_CHANGE, kwargs=_member, world=("member_a",)),
    Case("teams:member_leave", TEAM_CHANGE, kwargs=_member, world=("member_a",)),
    Case("teams:activity_edit", TEAM_CHANGE, kwargs=_activity, world=("activity_a",)),
    Case(
        "teams:activity_delete",
        TEAM_CHANGE_POST,
        kwargs=_activity,
        method="post",
        world=("activity_a",),
    ),
]


# --- writes: every form and action, valid data, every role ----------------------------------
# Roles that may change team `team_a` (commune 32068, led by `team_leader`); officer_b does not
# see it (404), viewers and users without a role are refused (403), anonymous goes to login.
CHANGERS = ("steering", "officer_a", "commune", "team_leader")
MANAGERS = ("steering", "officer_a", "commune")
OK = 302


def _writes(allowed, *, outsider=404, team_leader=None):
    expect = signed_in(OK, officer_b=outsider, viewer=403, no_role=403)
    for role in ("steering", "officer_a", "commune", "team_leader"):
        if role not in allowed:
            expect[role] = 403
    if team_leader is not None:
        expect["team_leader"] = team_leader
    return expect


def _team_form(w):
    return {
        "division": str(w["team_a"].division.pk),
        "name": "Tổ CNSCĐ Ấp 1 (đổi tên)",
        "decision_number": "12/QĐ-UBND",
        "decision_date": "2023-04-01",
    }


def _new_team(w):
    from tests.teams.fixtures import make_hamlet

    hamlet = make_hamlet(w["camau"]["32068"], 7)
    return {
        "division": str(hamlet.pk),
        "name": "Tổ CNSCĐ Ấp 7 Biển Bạch",
        "decision_number": "77/QĐ-UBND",
        "decision_date": "2023-04-01",
    }


def _member_form(w):
    return {
        "full_name": "Ngô Văn Mới",
        "role": "member",
        "body": "youth_union",
        "phone": "0911222333",
        "joined_on": "2023-06-01",
    }


def _activity_form(w):
    return {"date": "2023-06-02", "kind": "public_services", "households": "4", "people": "9"}


WRITE_CASES = [
    Write(
        "teams:create",
        "new team in commune 32068",
        # officer_b's form does not offer units of district A: the form refuses (200).
        _writes(MANAGERS, outsider=200),
        MANAGERS,
        data=_new_team,
        world=("team_a", "camau"),
    ),
    Write(
        "teams:edit",
        "rename",
        _writes(MANAGERS),
        MANAGERS,
        kwargs=_team,
        data=_team_form,
        world=("team_a",),
    ),
    Write(
        "teams:dissolve",
        "dissolve",
        _writes(MANAGERS),
        MANAGERS,
        kwargs=_team,
        data=lambda w: {"dissolved_on": "2024-01-15"},
        world=("team_a",),
    ),
    Write(
        "teams:member_add",
        "add member",
        _writes(CHANGERS),
        CHANGERS,
        kwargs=_team,
        data=_member_form,
        world=("team_a",),
    ),
    Write(
        "teams:member_edit",
        "edit member",
        _writes(CHANGERS),
        CHANGERS,
        kwargs=_member,
        data=lambda w: {**_member_form(w), "full_name": "Trần Thị Hoa Mai"},
        world=("member_a",),
    ),
    Write(
        "teams:member_leave",
        "member leaves",
        _writes(CHANGERS),
        CHANGERS,
        kwargs=_member,
        data=lambda w: {"left_on": "2024-02-01"},
        world=("member_a",),
    ),
    Write(
        "teams:member_import",
        "confirm with a forged token",
        # A preview token that was not signed for this team is refused; nothing saved.
        signed_in(400, officer_b=404, viewer=403, no_role=403),
        (),
        kwargs=_team,
        data=lambda w: {"token": "forged:token"},
        world=("team_a",),
    ),
    Write(
        "teams:activity_add",
        "log activity",
        _writes(CHANGERS),
        CHANGERS,
        kwargs=_team,
        data=_activity_form,
        world=("team_a",),
    ),
    Write(
        "teams:activity_edit",
        "edit activity",
        _writes(CHANGERS),
        CHANGERS,
        kwargs=_activity,
        data=lambda w: {**_activity_form(w), "people": "31"},
        world=("activity_a",),
    ),
    Write(
        "teams:activity_delete",
        "delete activity",
        _writes(CHANGERS),
        CHANGERS,
        kwargs=_activity,
        world=("activity_a",),
    ),
    Write(
        "teams:pilot_set",
        "choose pilot commune",
        signed_in(OK, officer_b=200, commune=403, team_leader=403, viewer=403, no_role=403),
        ("steering", "officer_a"),
        data=lambda w: {"commune": str(w["camau"]["32068"].pk), "chosen_on": "2023-05-01"},
        world=("camau",),
    ),
]


# --- today's structure: every teams URL for every role of late 2026 --------------------------
# The world of tests/teams/present.py: team `west` (set up by old 32068) now belongs to the new
# Xã Biển Bạch (32069). Roles: officers of two new units, accounts of the ended commune and
# district (history: read, never change), the leader of `west` scoped to the new unit.
PRESENT_ROLES = (
    "anonymous",
    "steering",
    "province_officer",
    "officer",
    "other_officer",
    "old_commune",
    "old_district",
    "leader",
    "viewer",
    "no_role",
)


@dataclass
class PresentCase:
    """One teams URL and what each role of today's world gets (see `PRESENT_ROLES`)."""

    name: str
    expect: dict[str, int]
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    method: str = "get"

    def __post_init__(self) -> None:
        missing = set(PRESENT_ROLES) - set(self.expect)
        if missing:
            raise ValueError(f"{self.name}: no expectation for roles {sorted(missing)}")


def _present(code: int, **overrides: int) -> dict[str, int]:
    result = {"anonymous": 302, **dict.fromkeys(PRESENT_ROLES[1:], code), "no_role": 403}
    result.update(overrides)
    return result


_READ_ONLY = dict.fromkeys(("province_officer", "old_commune", "old_district", "viewer"), 403)
P_VIEW = _present(200)
P_CREATE = _present(200, leader=403, **_READ_ONLY)
P_PILOT_SET = _present(403, anonymous=302, steering=200)
P_TEAM_VIEW = _present(200, other_officer=404)
P_TEAM_MANAGE = _present(200, other_officer=404, leader=403, **_READ_ONLY)
P_TEAM_CHANGE = _present(200, other_officer=404, **_READ_ONLY)
P_TEAM_CHANGE_POST = _present(302, other_officer=404, **_READ_ONLY)


def _west(w):
    return {"pk": w["west"].pk}


def _west_member(w):
    return {"pk": w["member"].pk}


def _west_activity(w):
    return {"pk": w["activity"].pk}


PRESENT_CASES = [
    PresentCase("teams:list", P_VIEW),
    PresentCase("teams:pilot", P_VIEW),
    PresentCase("teams:member_template", P_VIEW),
    PresentCase("teams:create", P_CREATE),
    PresentCase("teams:pilot_set", P_PILOT_SET),
    PresentCase("teams:detail", P_TEAM_VIEW, kwargs=_west),
    PresentCase("teams:edit", P_TEAM_MANAGE, kwargs=_west),
    PresentCase("teams:dissolve", P_TEAM_MANAGE, kwargs=_west),
    PresentCase("teams:member_add", P_TEAM_CHANGE, kwargs=_west),
    PresentCase("teams:member_import", P_TEAM_CHANGE, kwargs=_west),
    PresentCase("teams:member_export", P_TEAM_VIEW, kwargs=_west),
    PresentCase("teams:activity_add", P_TEAM_CHANGE, kwargs=_west),
    PresentCase("teams:member_edit", P_TEAM_CHANGE, kwargs=_west_member),
    PresentCase("teams:member_leave", P_TEAM_CHANGE, kwargs=_west_member),
    PresentCase("teams:activity_edit", P_TEAM_CHANGE, kwargs=_west_activity),
    PresentCase("teams:activity_delete", P_TEAM_CHANGE_POST, kwargs=_west_activity, method="post"),
]
