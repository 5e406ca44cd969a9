"""Who may see and change what. The only place views, the API, imports and tasks ask.

A user's role is the group they belong to (one of `Role`); their scope is the division in
their `UserScope`. Deny by default: no role or no scope means no access to data.

| role             | sees                          | changes                                   |
| ---------------- | ----------------------------- | ----------------------------------------- |
| steering         | whole province                | figures, approvals, catalogue, teams      |
| province_officer | whole province                | the province's own figures only (officers |
|                  |                               | of Sở, ban, ngành); never units below it  |
| district_officer | their district and communes   | figures and teams of that subtree (the     |
|                  |                               | district ended 30/06/2025: history only)   |
| commune_officer  | their commune                 | teams, members, activities of the commune; |
|                  |                               | from 07/2025 (a new commune) its figures   |
| team_leader      | their team's commune          | members and activities of their own team  |
| viewer           | their scope (read-only)       | nothing                                   |
Superusers act as steering staff. A scope unit that has ended (the 2023–2025 districts and old
communes, ended 30/06/2025) gives read-only access whatever the role: its accounts are history.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from divisions.levels import PATH_SEPARATOR, Level

if TYPE_CHECKING:
    from divisions.models import Division


class Role(models.TextChoices):
    STEERING = "steering", _("Ban Chỉ đạo CĐS tỉnh")
    PROVINCE_OFFICER = "province_officer", _("Cán bộ sở, ban, ngành")
    DISTRICT_OFFICER = "district_officer", _("Cán bộ cấp huyện")
    COMMUNE_OFFICER = "commune_officer", _("Cán bộ cấp xã")
    TEAM_LEADER = "team_leader", _("Tổ trưởng Tổ CNSCĐ")
    VIEWER = "viewer", _("Người xem")


class Action(enum.StrEnum):
    VIEW = "view"
    EDIT_FIGURES = "edit_figures"
    APPROVE = "approve"
    MANAGE_CATALOGUE = "manage_catalogue"
    MANAGE_TEAMS = "manage_teams"
    LOG_ACTIVITIES = "log_activities"


ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.STEERING: frozenset(Action),
    Role.PROVINCE_OFFICER: frozenset({Action.VIEW, Action.EDIT_FIGURES}),
    Role.DISTRICT_OFFICER: frozenset(
        {Action.VIEW, Action.EDIT_FIGURES, Action.MANAGE_TEAMS, Action.LOG_ACTIVITIES}
    ),
    Role.COMMUNE_OFFICER: frozenset({Action.VIEW, Action.MANAGE_TEAMS, Action.LOG_ACTIVITIES}),
    Role.TEAM_LEADER: frozenset({Action.VIEW, Action.LOG_ACTIVITIES}),
    Role.VIEWER: frozenset({Action.VIEW}),
}

# Added for a commune officer whose commune belongs to the structure in force from
# 01/07/2025: the commune sends its own monthly report. Officers of old communes (before
# 07/2025 their figures went through the district's report) do not get it.
NEW_COMMUNE_OFFICER_ACTIONS = frozenset({Action.EDIT_FIGURES})

# Actions a role may take on its scope unit itself but not on the units below it: provincial
# agencies report the province's own figures; the communes' figures are the communes' own.
OWN_UNIT_ONLY: dict[Role, frozenset[Action]] = {
    Role.PROVINCE_OFFICER: frozenset({Action.EDIT_FIGURES}),
}

# The level a role's scope must be at; a scope at another level is ignored (deny).
ROLE_SCOPE_LEVEL: dict[Role, int | None] = {
    Role.STEERING: Level.PROVINCE,
    Role.PROVINCE_OFFICER: Level.PROVINCE,
    Role.DISTRICT_OFFICER: Level.DISTRICT,
    Role.COMMUNE_OFFICER: Level.COMMUNE,
    Role.TEAM_LEADER: Level.COMMUNE,
    Role.VIEWER: None,
}


# What an account whose scope unit has ended may still do: read its unit's history.
HISTORY_ACTIONS = frozenset({Action.VIEW})


@dataclass(frozen=True)
class Access:
    role: Role | None
    scope: Division | None
    # Paths of ended provinces merged into the scope province (old Bạc Liêu into Cà Mau):
    # their units' history belongs to whoever holds the province in force.
    merged: tuple[str, ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        """Path prefixes of every unit in scope: the scope's subtree and merged provinces'."""
        return (self.scope.path, *self.merged) if self.scope is not None else ()

    def covers(self, division: Division) -> bool:
        return any(division.path.startswith(path) for path in self.paths)

    @property
    def is_history(self) -> bool:
        """The scope unit has ended (valid_to before today): the account only reads history."""
        return (
            self.scope is not None
            and self.scope.valid_to is not None
            and self.scope.valid_to < timezone.localdate()
        )

    @property
    def actions(self) -> frozenset[Action]:
        if self.role is None or self.scope is None:
            return frozenset()
        actions = ROLE_ACTIONS[self.role]
        if self.is_history:
            # Nobody changes anything in the name of a unit that no longer exists.
            return actions & HISTORY_ACTIONS
        if self.role == Role.COMMUNE_OFFICER and self.scope.is_new_structure:
            # From 07/2025 a commune-level unit reports for itself (no district above it).
            actions = actions | NEW_COMMUNE_OFFICER_ACTIONS
        return actions


_NO_ACCESS = Access(role=None, scope=None)
_CACHE_ATTR = "_cds_access"


def _root_division() -> Division | None:
    return apps.get_model("divisions", "Division").objects.province()


def get_access(user) -> Access:
    """The user's role and scope, computed once per user object (one or two queries)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return _NO_ACCESS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        access = Access(role=Role.STEERING, scope=_root_division())
    else:
        names = set(user.groups.values_list("name", flat=True))
        # A user in several role groups gets the most privileged one, in the order of Role.
        role = next((r for r in Role if r.value in names), None)
        scope_row = (
            apps.get_model("divisions", "UserScope")
            .objects.select_related("division")
            .filter(user=user)
            .first()
        )
        scope = scope_row.division if scope_row else None
        if role == Role.STEERING and scope is None:
            scope = _root_division()
        expected = ROLE_SCOPE_LEVEL.get(role) if role else None
        if scope is not None and expected is not None and scope.level != expected:
            scope = None
        access = Access(role=role, scope=scope) if role and scope else _NO_ACCESS
    if access.scope is not None and access.scope.level == Level.PROVINCE:
        access = Access(access.role, access.scope, merged_provinces(access.scope))
    setattr(user, _CACHE_ATTR, access)
    return access


def merged_provinces(province: Division) -> tuple[str, ...]:
    """Paths of ended provinces merged into `province`: those whose units' successors lie in
    it (one query; none for a province that took nobody in)."""
    if province.valid_to is not None:
        return ()
    succession = apps.get_model("divisions", "DivisionSuccession")
    predecessors = (
        succession.objects.filter(successor__path__startswith=province.path)
        .exclude(predecessor__path__startswith=province.path)
        .values_list("predecessor__path", flat=True)
        .distinct()
    )
    roots = {path.split(PATH_SEPARATOR, 1)[0] + PATH_SEPARATOR for path in predecessors}
    return tuple(sorted(roots))


def scope_filter(user, field: str = "path") -> Q | None:
    """A filter on `field` (a division path) for the units the user may read, or None for
    nobody (deny by default)."""
    paths = get_access(user).paths
    if not paths:
        return None
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


class ScopedQuerySet(models.QuerySet):
    """Rows readable by a user: those whose division lies in the user's scope (deny by
    default). `scope_paths` names the row's division path(s); any one in scope is enough."""

    scope_paths: tuple[str, ...] = ("division__path",)

    def for_user(self, user):
        conditions = [scope_filter(user, field) for field in self.scope_paths]
        if conditions[0] is None:
            return self.none()
        condition = Q()
        for part in conditions:
            condition |= part
        return self.filter(condition)


def forget_access(user) -> None:
    """Drop the cached access after changing a user's groups or scope."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def visible_root(user) -> Division | None:
    """The division whose subtree the user may read, or None."""
    return get_access(user).scope


def can(user, action: Action, division: Division | None = None) -> bool:
    """True when the user's role allows `action` and `division` (if given) is in scope."""
    access = get_access(user)
    if action not in access.actions:
        return False
    if division is None:
        return True
    if action in OWN_UNIT_ONLY.get(access.role, frozenset()):
        return division.pk == access.scope.pk
    return access.covers(division)


def can_view(user, division: Division) -> bool:
    return can(user, Action.VIEW, division)


def can_change(user, division: Division) -> bool:
    """May the user change figures of this division?"""
    return can(user, Action.EDIT_FIGURES, division)


def can_approve(user) -> bool:
    return can(user, Action.APPROVE)


def can_change_team(user, team) -> bool:
    """Team leaders change only teams they lead; others by role and the team's commune.

    `team` is a teams.Team; its manager provides `led_by(user)`. The team's commune is the unit
    it belongs to now (a hamlet of an ended commune may still be its place), so scopes are
    checked on the commune, never on the hamlet's path.
    """
    access = get_access(user)
    if access.is_history:
        return False
    if access.role == Role.TEAM_LEADER:
        return (
            team.pk is not None
            and team.commune.is_within(access.scope)
            and type(team).objects.led_by(user).filter(pk=team.pk).exists()
        )
    return can_manage_team(user, team)


def can_manage_team(user, team) -> bool:
    """May the user set up, edit or dissolve the team and link accounts to its members?"""
    return can(user, Action.MANAGE_TEAMS, team.commune)


def require(user, action: Action, division: Division | None = None) -> None:
    """Raise PermissionDenied unless `can(user, action, division)`."""
    if not can(user, action, division):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với đơn vị này."))


def role_of(user) -> Role | None:
    return get_access(user).role
