"""Reads of the Tổ CNSCĐ registry: scoped querysets, counts in SQL, phone privacy, pilot plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.people import person_name
from divisions.access import Role, get_access
from divisions.models import Division, Level
from teams.models import (
    ACTIVITY_COUNT_FIELDS,
    PILOT_DEADLINE,
    Activity,
    Member,
    PilotCommune,
    Team,
    TeamStatus,
    format_phone,
    mask_phone,
)
from teams.placement import former_label

TEAM_SIZE_MIN, TEAM_SIZE_MAX = 4, 9

# Roles that work on a team's commune; they see its members' phone numbers when their scope
# contains that commune. Viewers are read-only everywhere and never see them.
_PHONE_ROLES = frozenset({Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICER, Role.TEAM_LEADER})


def phone_visible(user, team: Team) -> bool:
    """May `user` read the phone numbers of `team`'s members? The one place that decides.

    Steering staff: yes. District officers, commune officers and team leaders: when their scope
    contains the team's commune. Everyone else (viewers, other districts): no, numbers are masked.
    """
    access = get_access(user)
    if access.role == Role.STEERING:
        return True
    if access.role in _PHONE_ROLES and access.scope is not None:
        return team.commune.is_within(access.scope)
    return False


def phone_display(phone: str, *, visible: bool) -> str:
    """The number grouped for reading when visible, else masked ("09xx xxx 123")."""
    return format_phone(phone) if visible else mask_phone(phone)


# --- words of the period -------------------------------------------------------------------

_COMMUNE_WORDS = (
    ("commune", gettext_lazy("xã")),
    ("ward", gettext_lazy("phường")),
    ("township", gettext_lazy("thị trấn")),
)
_DISTRICT_WORDS = (
    ("district", gettext_lazy("huyện")),
    ("city", gettext_lazy("thành phố")),
    ("town_district", gettext_lazy("thị xã")),
)


@dataclass(frozen=True)
class StructureLabels:
    """How the levels under `root` are named in the period shown: "Xã, phường" and no district
    since 07/2025; "Huyện, thành phố" / "Xã, phường, thị trấn" before."""

    has_districts: bool
    commune: str
    district: str


def _words(kinds: set[str], words) -> str:
    text = ", ".join(str(word) for kind, word in words if kind in kinds)
    return text[:1].upper() + text[1:]


def structure_labels(root: Division | None, day: dt.date | None = None) -> StructureLabels:
    """Labels of the levels in the structure in force on `day` (default today; for an ended
    root, its own last day): the kinds of all units in force then, so a commune's officer reads
    the same level name as the province. One query."""
    day = day or timezone.localdate()
    if root is not None and root.valid_to and root.valid_to < day:
        day = root.valid_to
    units = Division.objects.filter(level__in=(Level.DISTRICT, Level.COMMUNE)).valid_on(day)
    kinds = set(units.order_by().values_list("kind", flat=True).distinct())
    district_kinds = {k for k, _w in _DISTRICT_WORDS} & kinds
    return StructureLabels(
        has_districts=bool(district_kinds),
        commune=_words(kinds, _COMMUNE_WORDS) or _("Xã, phường"),
        district=_words(kinds, _DISTRICT_WORDS),
    )


# --- counts ---------------------------------------------------------------------------------


def _count_subquery(model, *, extra: Q | None = None) -> Coalesce:
    """COUNT of `model` rows of the outer team, as a correlated subquery (no row multiplication)."""
    qs = model.objects.filter(team=OuterRef("pk"))
    if extra is not None:
        qs = qs.filter(extra)
    counted = qs.order_by().values("team").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _current_members_q(day: dt.date) -> Q:
    return Q(left_on__isnull=True) | Q(left_on__gt=day)


def teams_with_counts(user):
    """The user's teams with current member and activity counts, each one SQL expression."""
    today = timezone.localdate()
    return (
        Team.objects.for_user(user)
        .select_related(
            "division", "commune", "commune__parent", "former_commune", "former_commune__parent"
        )
        .annotate(
            member_count=_count_subquery(Member, extra=_current_members_q(today)),
            activity_count=_count_subquery(Activity),
        )
        .order_by("commune__path", "division__path", "name")
    )


@dataclass
class TeamFilters:
    district: Division | None = None
    commune: Division | None = None
    pilot: bool | None = None
    status: str | None = None

    def apply(self, qs):
        """A unit matches the teams that belong to it now or belonged to it before 07/2025
        (an ended unit's filter reads its history; a unit in force holds its teams)."""
        if self.commune is not None:
            qs = qs.filter(Q(commune=self.commune) | Q(former_commune=self.commune))
        elif self.district is not None:
            path = self.district.path
            qs = qs.filter(
                Q(commune__path__startswith=path) | Q(former_commune__path__startswith=path)
            )
        if self.pilot is not None:
            qs = qs.filter(is_pilot=self.pilot)
        if self.status:
            qs = qs.filter(status=self.status)
        return qs


def commune_summary(teams_qs) -> list[dict]:
    """One row per commune of the filtered teams: teams, members, activities (one query)."""
    today = timezone.localdate()
    rows = (
        teams_qs.order_by()
        .values("commune_id", "commune__name", "commune__code", "commune__path")
        .annotate(
            # Only a district is named: a unit under the province (since 07/2025) has none.
            district_name=Subquery(
                Division.objects.filter(
                    pk=OuterRef("commune__parent_id"), level=Level.DISTRICT
                ).values("name")[:1]
            ),
            teams=Count("pk", distinct=True),
            active_teams=Count("pk", filter=Q(status=TeamStatus.ACTIVE), distinct=True),
            members=Count(
                "members",
                filter=Q(members__left_on__isnull=True) | Q(members__left_on__gt=today),
                distinct=True,
            ),
            activities=Count("activities", distinct=True),
        )
        .order_by("commune__path")
    )
    return list(rows)


# --- one team -------------------------------------------------------------------------------


def team_size_warning(member_count: int) -> bool:
    """A team should have 4-9 members (the plan); outside that is a warning, not an error."""
    return not (TEAM_SIZE_MIN <= member_count <= TEAM_SIZE_MAX)


def team_monthly_totals(team: Team) -> list[dict]:
    """Per month: number of activities and the sums of every count (one grouped query)."""
    return list(
        Activity.objects.filter(team=team)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(activities=Count("pk"), **{f: Sum(f) for f in ACTIVITY_COUNT_FIELDS})
        .order_by("-month")
    )


@dataclass
class MemberRow:
    member: Member
    phone: str
    is_current: bool


def team_members(user, team: Team) -> list[MemberRow]:
    """Members (current first) with their phone number shown or masked for this user."""
    visible = phone_visible(user, team)
    today = timezone.localdate()
    rows = []
    for m in team.members.select_related("user").order_by("left_on", "role", "full_name"):
        current = m.left_on is None or m.left_on > today
        rows.append(MemberRow(m, phone_display(m.phone, visible=visible), current))
    rows.sort(key=lambda r: (not r.is_current, ["leader", "deputy", "member"].index(r.member.role)))
    return rows


# --- the pilot plan -------------------------------------------------------------------------


@dataclass
class PilotDistrictRow:
    district: Division
    pilots: list[PilotCommune] = field(default_factory=list)
    teams: int = 0
    members: int = 0
    activities: int = 0

    @property
    def compliant(self) -> bool:
        """At least one pilot commune chosen by the pilot deadline (30/06/2023)."""
        return any(p.chosen_on <= PILOT_DEADLINE for p in self.pilots)

    @property
    def first_chosen_on(self) -> dt.date | None:
        return min((p.chosen_on for p in self.pilots), default=None)


@dataclass
class PilotPlan:
    rows: list[PilotDistrictRow]
    deadline: dt.date = PILOT_DEADLINE

    @property
    def compliant(self) -> bool:
        """The province complies when every district-level unit does."""
        return bool(self.rows) and all(r.compliant for r in self.rows)

    @property
    def compliant_count(self) -> int:
        return sum(r.compliant for r in self.rows)

    @property
    def totals(self) -> dict[str, int]:
        return {
            "pilots": sum(len(r.pilots) for r in self.rows),
            "teams": sum(r.teams for r in self.rows),
            "members": sum(r.members for r in self.rows),
            "activities": sum(r.activities for r in self.rows),
        }


def _district_on(on: dt.date, prefix: str = "") -> Case:
    """The district of the commune a team belonged to on `on`: the former commune's when the
    current commune started later (teams moved to the 2025 units keep their pilot history)."""
    return Case(
        When(
            Q(**{f"{prefix}former_commune__isnull": False})
            & Q(**{f"{prefix}commune__valid_from__gt": on}),
            then=F(f"{prefix}former_commune__parent_id"),
        ),
        default=F(f"{prefix}commune__parent_id"),
    )


def pilot_plan(*, on: dt.date = PILOT_DEADLINE) -> PilotPlan:
    """The province's pilot plan: each district-level unit with its pilot communes, the teams and
    members standing in the district on `on` and the activities up to `on`.

    Four queries whatever the number of districts. Shown to every role holder: the plan is a
    province-wide aggregate without personal data.
    """
    province = Division.objects.province()
    districts = Division.objects.at_level(Level.DISTRICT)
    if province is not None:
        districts = districts.within(province)
    districts = list(districts.valid_on(on).order_by("code")) or list(
        Division.objects.at_level(Level.DISTRICT).order_by("code")
    )
    rows = {d.pk: PilotDistrictRow(d) for d in districts}
    pilots = list(PilotCommune.objects.select_related("commune").order_by("commune__path"))
    for p in pilots:
        if p.district_id in rows:
            rows[p.district_id].pilots.append(p)

    alive = Q(decision_date__lte=on) & (Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on))
    teams = (
        Team.objects.filter(alive)
        .annotate(district_id=_district_on(on))
        .values("district_id")
        .annotate(
            teams=Count("pk", distinct=True),
            members=Count(
                "members",
                filter=Q(members__joined_on__lte=on)
                & (Q(members__left_on__isnull=True) | Q(members__left_on__gt=on)),
                distinct=True,
            ),
        )
    )
    for t in teams:
        row = rows.get(t["district_id"])
        if row:
            row.teams, row.members = t["teams"], t["members"]
    activities = (
        Activity.objects.filter(date__lte=on)
        .annotate(district_id=_district_on(on, "team__"))
        .values("district_id")
        .annotate(n=Count("pk"))
    )
    for a in activities:
        row = rows.get(a["district_id"])
        if row:
            row.activities = a["n"]
    return PilotPlan(rows=list(rows.values()))


# --- change history -------------------------------------------------------------------------


@dataclass
class HistoryEvent:
    when: dt.datetime
    who: str
    kind: str  # "+" created, "~" changed, "-" deleted
    what: str
    changes: list[tuple[str, str, str]]  # (field label, before, after)
    reason: str = ""


_HISTORY_FIELDS = {
    Team: (
        "name",
        "division_id",
        "commune_id",
        "former_commune_id",
        "decision_number",
        "decision_date",
        "is_pilot",
        "status",
        "dissolved_on",
    ),
    Member: ("full_name", "role", "body", "phone", "joined_on", "left_on", "user_id"),
    Activity: ("date", "kind", *ACTIVITY_COUNT_FIELDS, "notes"),
}


# Team fields naming a division: shown by the unit's name (with its district while it had one).
_DIVISION_FIELDS = frozenset({"division_id", "commune_id", "former_commune_id"})


def _division_names(records) -> dict[int, str]:
    """Names of the units a team was moved between (one query, none if it never moved)."""

    ids: set[int] = set()
    for name in _DIVISION_FIELDS:
        values = {getattr(r, name) for r in records}
        if len(values) > 1:  # only a field that changed is shown, so only its units are read
            ids |= values - {None}
    if not ids:
        return {}
    units = Division.objects.select_related("parent").in_bulk(ids)
    return {pk: _dated_label(unit, former_label(unit)) for pk, unit in units.items()}


def _dated_label(unit: Division, label: str) -> str:
    """An ended unit's name says until when it existed: history reads as history."""
    if unit.valid_to is None:
        return label
    return _("%(name)s (đến %(end)s)") % {"name": label, "end": f"{unit.valid_to:%d/%m/%Y}"}


def _display(model, record, name: str, *, phones: bool, names: dict | None = None) -> str:
    value = getattr(record, name)
    if value is None or value == "":
        return "—"
    if name in _DIVISION_FIELDS:
        return (names or {}).get(value, str(value))
    if name == "phone":
        return phone_display(value, visible=phones)
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    field_obj = model._meta.get_field(name.removesuffix("_id"))
    if field_obj.choices:
        return str(dict(field_obj.flatchoices).get(value, value))
    return str(value)


def team_history(user, team: Team, *, limit: int = 20) -> list[HistoryEvent]:
    """The latest changes to the team, its members and activities, with before → after.

    Four queries (one per history table, bounded by the team's own rows, and the names of the
    units the team was placed in); diffs are computed between consecutive versions in Python.
    """
    phones = phone_visible(user, team)
    team_records = list(Team.history.filter(id=team.pk).select_related("history_user"))
    names = _division_names(team_records)
    sources = [
        (Team, team_records),
        (Member, Member.history.filter(team_id=team.pk)),
        (Activity, Activity.history.filter(team_id=team.pk)),
    ]
    events: list[HistoryEvent] = []
    for model, qs in sources:
        previous: dict[int, object] = {}
        if model is not Team:
            qs = qs.select_related("history_user")
        for record in sorted(qs, key=lambda r: (r.history_date, r.history_id)):
            fields = _HISTORY_FIELDS[model]
            label = {
                Team: lambda r: str(r.name),
                Member: lambda r: str(r.full_name),
                Activity: lambda r: (
                    f"{r.date:%d/%m/%Y} · {_display(Activity, r, 'kind', phones=False)}"
                ),
            }[model](record)
            before = previous.get(record.id)
            changes = []
            if record.history_type == "~" and before is not None:
                for name in fields:
                    old = _display(model, before, name, phones=phones, names=names)
                    new = _display(model, record, name, phones=phones, names=names)
                    if old != new:
                        verbose = model._meta.get_field(name.removesuffix("_id")).verbose_name
                        changes.append((str(verbose), old, new))
            previous[record.id] = record
            events.append(
                HistoryEvent(
                    when=record.history_date,
                    who=person_name(record.history_user),
                    kind=record.history_type,
                    what=f"{model._meta.verbose_name}: {label}",
                    changes=changes,
                    reason=record.history_change_reason or "",
                )
            )
    events.sort(key=lambda e: e.when, reverse=True)
    return events[:limit]
