"""The teams world of today (late 2026): the 2025 structure loaded, demo-like teams set up in
2023 by old communes and moved to the units in force as the `teams` migration does.

Old Xã Biển Bạch (32068) and old Xã Biển Bạch Đông (32074), both of huyện Thới Bình, are
continued by Xã Biển Bạch (32069, from 01/07/2025).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from divisions.models import REORG_DATE
from teams.models import MemberBody, MemberRole
from teams.services import teams_move_to_units_in_force
from tests.divisions.factories import make_user
from tests.teams.fixtures import make_hamlet, make_member, make_team

OLD_BIEN_BACH, OLD_BIEN_BACH_DONG, NEW_BIEN_BACH, OTHER_NEW = "32068", "32074", "32069", "32071"


def new_user(role: str, code: str, username: str):
    return make_user(role, code, on=REORG_DATE, username=username)


def old_user(role: str, code: str, username: str):
    return make_user(role, code, on=REORG_DATE - dt.timedelta(days=1), username=username)


@pytest.fixture
def present(reorganised):
    """Two teams of old communes now under 32069, a team of 32071, users of today and of
    history. `leader` leads team `west` and is scoped to the new 32069."""
    old, new = reorganised.old, reorganised.new
    west = make_team(make_hamlet(old[OLD_BIEN_BACH], 1), name="Tổ CNSCĐ Ấp 1, Xã Biển Bạch")
    east = make_team(
        make_hamlet(old[OLD_BIEN_BACH_DONG], 1), name="Tổ CNSCĐ Ấp 1, Xã Biển Bạch Đông"
    )
    other = make_team(make_hamlet(old[OTHER_NEW], 1), name="Tổ CNSCĐ Ấp 1, Xã Trí Phải")
    leader = new_user("team_leader", NEW_BIEN_BACH, "totruong_moi")
    make_member(
        west,
        role=MemberRole.LEADER,
        name="Võ Văn Tổ",
        phone="0912345123",
        user=leader,
        body=MemberBody.HAMLET_HEAD,
    )
    make_member(west, name="Trần Thị Hoa", phone="0987654321")
    make_member(east, role=MemberRole.LEADER, name="Lê Văn Đông", phone="0903000111")
    teams_move_to_units_in_force()
    for team in (west, east, other):
        team.refresh_from_db()
    return SimpleNamespace(
        old=old,
        new=new,
        province=reorganised.province,
        west=west,
        east=east,
        other=other,
        leader=leader,
        steering=make_user("steering", "96", username="bcd_moi"),
        officer=new_user("commune_officer", NEW_BIEN_BACH, "xa_bien_bach"),
        other_officer=new_user("commune_officer", OTHER_NEW, "xa_tri_phai"),
        old_commune=old_user("commune_officer", OLD_BIEN_BACH, "xa_cu"),
        old_district=old_user("district_officer", "967", "huyen_cu"),
        viewer=make_user("viewer", "96", username="xem_moi"),
        province_officer=make_user("province_officer", "96", username="so_moi"),
    )
