"""Fixtures of the teams app that tests elsewhere (the access matrix) may request by name.

`team_a`: a team in a hamlet of commune 32068 (district A, Thới Bình) led by the `team_leader`
user; `team_b`: a team in a hamlet of commune 32047 (district B, U Minh).
"""

from __future__ import annotations

import datetime as dt

import pytest

from teams.models import Activity, ActivityKind, Member, MemberBody, MemberRole, Team
from tests.divisions.factories import DivisionFactory

DECISION_DAY = dt.date(2023, 3, 1)


def make_hamlet(commune, number: int = 1, *, kind: str = "hamlet"):
    return DivisionFactory(
        code=f"{commune.code}-{number:02d}",
        name=f"{'Khóm' if kind == 'khom' else 'Ấp'} {number}",
        kind=kind,
        parent=commune,
    )


def make_team(division, *, name: str = "Tổ CNSCĐ", decision_date=DECISION_DAY, **kwargs) -> Team:
    commune = division if division.level == 3 else division.parent
    return Team.objects.create(
        division=division,
        commune=commune,
        name=name,
        decision_number=kwargs.pop("decision_number", "12/QĐ-UBND"),
        decision_date=decision_date,
        **kwargs,
    )


def make_member(team, *, role=MemberRole.MEMBER, name="Nguyễn Văn An", phone="", **kwargs):
    return Member.objects.create(
        team=team,
        full_name=name,
        role=role,
        body=kwargs.pop("body", MemberBody.OTHER),
        phone=phone,
        joined_on=kwargs.pop("joined_on", team.decision_date),
        **kwargs,
    )


@pytest.fixture
def hamlet_a(camau):
    return make_hamlet(camau["32068"], 1)


@pytest.fixture
def hamlet_b(camau):
    return make_hamlet(camau["32047"], 1)


@pytest.fixture
def team_a(hamlet_a, team_leader):
    team = make_team(hamlet_a, name="Tổ CNSCĐ Ấp 1 Biển Bạch", is_pilot=True)
    make_member(
        team,
        role=MemberRole.LEADER,
        name="Võ Văn Tổ",
        phone="0912345123",
        body=MemberBody.HAMLET_HEAD,
        user=team_leader,
    )
    make_member(team, name="Trần Thị Hoa", phone="0987654321", body=MemberBody.WOMEN_UNION)
    return team


@pytest.fixture
def team_b(hamlet_b):
    team = make_team(hamlet_b, name="Tổ CNSCĐ Ấp 1 Khánh Hòa")
    make_member(team, role=MemberRole.LEADER, name="Lê Văn Minh", phone="0903000111")
    return team


@pytest.fixture
def team_a2(camau):
    """A second team in commune 32068 that the `team_leader` user does not lead."""
    team = make_team(make_hamlet(camau["32068"], 2), name="Tổ CNSCĐ Ấp 2 Biển Bạch")
    make_member(team, role=MemberRole.LEADER, name="Phan Văn Hai", phone="0909000222")
    return team


@pytest.fixture
def member_a(team_a):
    return team_a.members.get(role=MemberRole.MEMBER)


@pytest.fixture
def member_b(team_b):
    return team_b.members.get()


@pytest.fixture
def activity_a(team_a, team_leader):
    return Activity.objects.create(
        team=team_a,
        date=dt.date(2023, 5, 10),
        kind=ActivityKind.PUBLIC_SERVICES,
        households=12,
        people=30,
        dvctt_accounts=8,
        created_by=team_leader,
    )


@pytest.fixture
def activity_b(team_b):
    return Activity.objects.create(
        team=team_b, date=dt.date(2023, 5, 11), kind=ActivityKind.EPAYMENT, people=5
    )
