"""Access cases for every teams URL; `team_a` is in commune 32068 (district A) and led by the
`team_leader` user, so officer_b (district B) gets 404 for it and viewers get 403 on changes."""

from __future__ import annotations

from tests.access_matrix import Case, signed_in

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
