"""One file over 500 lines: teams, members and activities share the access and validity checks.

Writes of the Tổ CNSCĐ registry. Forms, the Excel import and demo data all call these.

Every function checks access through divisions.access, validates with a specific Vietnamese
message, and saves inside one transaction (history rows via django-simple-history in the same
transaction). Activity changes queue the team-figure sync after commit (teams/figures.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from divisions.access import Action, can_change_team, can_manage_team, require
from divisions.models import Division, Level
from teams import placement
from teams.figures import months_between, pilot_figures_sync, team_figures_sync
from teams.models import (
    ACTIVITY_COUNT_FIELDS,
    Activity,
    Member,
    MemberRole,
    PilotCommune,
    Team,
    TeamStatus,
    format_phone,
    normalize_phone,
)

logger = logging.getLogger(__name__)

TEAM_FIELDS = ("division", "name", "decision_number", "decision_date", "is_pilot", "note")
MEMBER_FIELDS = ("full_name", "role", "body", "phone", "joined_on", "left_on", "note")
ACTIVITY_FIELDS = ("date", "kind", "notes", *ACTIVITY_COUNT_FIELDS)


def _today() -> dt.date:
    return timezone.localdate()


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _require_team_change(user, team: Team) -> None:
    if not can_change_team(user, team):
        raise PermissionDenied(_("Bạn không có quyền thay đổi tổ này."))


def _require_manage(user, team: Team) -> None:
    if not can_manage_team(user, team):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với đơn vị này."))


# --- teams ----------------------------------------------------------------------------------


def _validate_team(team: Team) -> None:
    errors: dict[str, list[str]] = {}
    if team.decision_date and team.decision_date > _today():
        errors.setdefault("decision_date", []).append(
            _("Ngày quyết định thành lập không được ở tương lai.")
        )
    if team.pk and team.decision_date:
        first = team.activities.order_by("date").values_list("date", flat=True).first()
        if first and first < team.decision_date:
            errors.setdefault("decision_date", []).append(
                _("Tổ đã có hoạt động ngày %(first)s, trước ngày quyết định %(decision)s mới nhập.")
                % {"first": _fmt(first), "decision": _fmt(team.decision_date)}
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def team_create(
    *,
    user,
    division: Division,
    name: str,
    decision_number: str,
    decision_date: dt.date,
    is_pilot: bool = False,
    note: str = "",
) -> Team:
    """Register a team set up by the commune chairman's decision in a commune or hamlet/khóm.

    The team belongs to the unit in force (`teams.placement.place`); the user must manage it.
    """
    where = placement.place(division, decision_date) if decision_date else None
    commune = where.commune if where else placement.commune_of(division)
    require(user, Action.MANAGE_TEAMS, commune)
    team = Team(
        division=division,
        commune=commune,
        former_commune=where.former_commune if where else None,
        name=name.strip(),
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        is_pilot=is_pilot,
        note=note,
    )
    team.full_clean(exclude=["commune", "former_commune"])
    _validate_team(team)
    team.save()
    _queue_figures([team.commune_id, team.former_commune_id], [team.decision_date], onwards=True)
    return team


@transaction.atomic
def team_update(*, user, team: Team, **fields: Any) -> Team:
    """Change a team's division, name, decision or pilot flag (access checked on old and new)."""
    unknown = set(fields) - set(TEAM_FIELDS)
    if unknown:
        raise TypeError(f"team_update: unknown fields {sorted(unknown)}")
    _require_manage(user, team)
    team = Team.objects.select_for_update().select_related("commune").get(pk=team.pk)
    before = (team.commune_id, team.former_commune_id, team.decision_date)
    for name, value in fields.items():
        setattr(team, name, value)
    if team.decision_date:
        where = placement.place(team.division, team.decision_date)
        team.commune, team.former_commune = where.commune, where.former_commune
        if team.commune_id != before[0]:
            require(user, Action.MANAGE_TEAMS, team.commune)
    team.full_clean(exclude=["commune", "former_commune"])
    _validate_team(team)
    team.save()
    after = (team.commune_id, team.former_commune_id, team.decision_date)
    if before != after:
        _queue_figures([*before[:2], *after[:2]], [before[2], after[2]], onwards=True)
    return team


@transaction.atomic
def team_dissolve(*, user, team: Team, dissolved_on: dt.date) -> Team:
    """Dissolve a team; its current members' membership ends the same day."""
    _require_manage(user, team)
    team = Team.objects.select_for_update().get(pk=team.pk)
    if team.status == TeamStatus.DISSOLVED:
        raise ValidationError(
            _("Tổ đã giải thể từ ngày %(day)s.") % {"day": _fmt(team.dissolved_on)}
        )
    if dissolved_on > _today():
        raise ValidationError({"dissolved_on": _("Ngày giải thể không được ở tương lai.")})
    if dissolved_on < team.decision_date:
        raise ValidationError(
            {
                "dissolved_on": _("Ngày giải thể phải từ ngày quyết định thành lập %(day)s.")
                % {"day": _fmt(team.decision_date)}
            }
        )
    last = team.activities.order_by("-date").values_list("date", flat=True).first()
    if last and last > dissolved_on:
        raise ValidationError(
            {
                "dissolved_on": _("Tổ còn hoạt động ngày %(day)s, sau ngày giải thể.")
                % {"day": _fmt(last)}
            }
        )
    team.status = TeamStatus.DISSOLVED
    team.dissolved_on = dissolved_on
    team.full_clean(exclude=["commune", "former_commune"])
    team.save()
    # Row by row so each member gets a history record; a team has at most a dozen members.
    for member in team.members.filter(left_on__isnull=True):
        member.left_on = max(dissolved_on, member.joined_on)
        member.save(update_fields=["left_on"])
    _queue_figures([team.commune_id, team.former_commune_id], [dissolved_on], onwards=True)
    return team


@transaction.atomic
def teams_move_to_units_in_force(*, today: dt.date | None = None) -> int:
    """Move every team whose commune has ended to the unit that continues it, keeping the old
    commune in `former_commune` and a history row per team. Idempotent; returns teams moved.

    Figures need no rewrite: before the change a moved team counts for its former commune,
    after it for the successor, which is what the figures already did for unmoved teams.
    """
    today = today or _today()
    stale = list(Team.objects.filter(commune__valid_to__lt=today))
    successors = placement.successors_in_force({t.commune_id for t in stale})
    moved = []
    for team in stale:
        successor = successors.get(team.commune_id)
        if successor is None:
            continue  # no successor (a unit ended without one): the team stays as history
        team.former_commune_id, team.commune = team.commune_id, successor
        moved.append(team)
    if moved:
        bulk_update_with_history(
            moved,
            Team,
            ["commune", "former_commune"],
            batch_size=500,
            default_change_reason=placement.MOVE_REASON,
        )
    return len(moved)


# --- members --------------------------------------------------------------------------------


def same_name(name: str) -> str:
    """A name as people compare it: NFC, spaces collapsed, case ignored."""
    return " ".join(unicodedata.normalize("NFC", name or "").split()).casefold()


def check_not_duplicate(member: Member) -> None:
    """One rule for the form, the import and any other writer: a team cannot hold the same
    person twice, i.e. a current member with the same name and the same phone number.

    Same name without a phone is allowed (two "Nguyễn Văn An" in one hamlet happen);
    a member who left may join again.
    """
    if not member.phone:
        return
    wanted = same_name(member.full_name)
    others = (
        Member.objects.current()
        .filter(team_id=member.team_id, phone=member.phone)
        .exclude(pk=member.pk)
        .only("full_name")
    )
    twin = next((m for m in others if same_name(m.full_name) == wanted), None)
    if twin is not None:
        raise ValidationError(
            {
                "full_name": _(
                    "%(name)s (%(phone)s) đã là thành viên của tổ; không thêm hai lần một người."
                )
                % {"name": twin.full_name, "phone": format_phone(twin.phone)}
            }
        )


def _validate_member(member: Member) -> None:
    """Field rules plus the rules that involve other rows (one leader; leader of one team)."""
    team = member.team
    member.phone = normalize_phone(member.phone)
    errors: dict[str, list[str]] = {}
    try:
        member.full_clean(exclude=["team", "user"], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if team.status != TeamStatus.ACTIVE and member.pk is None:
        errors.setdefault("__all__", []).append(
            _("Tổ “%(team)s” đã giải thể, không thể thêm thành viên.") % {"team": team.name}
        )
    if member.joined_on and member.joined_on > _today():
        errors.setdefault("joined_on", []).append(_("Ngày tham gia không được ở tương lai."))
    elif member.pk is None:
        _collect(errors, placement.check_day, team, member.joined_on, "joined_on")
    if member.left_on and member.joined_on and member.left_on < member.joined_on:
        errors.setdefault("left_on", []).append(_("Ngày rời tổ phải sau ngày tham gia."))
    if member.left_on is None or member.left_on > _today():
        _collect(errors, check_not_duplicate, member)
    is_current_leader = member.role == MemberRole.LEADER and member.left_on is None
    if is_current_leader:
        other = (
            Member.objects.filter(team=team, role=MemberRole.LEADER, left_on__isnull=True)
            .exclude(pk=member.pk)
            .first()
        )
        if other:
            errors.setdefault("role", []).append(
                _("Tổ đã có tổ trưởng %(name)s. Hãy cho %(name)s rời tổ hoặc đổi vai trò trước.")
                % {"name": other.full_name}
            )
        same_person = Q()
        if member.user_id:
            same_person |= Q(user_id=member.user_id)
        if member.phone:
            same_person |= Q(phone=member.phone)
        if same_person:
            clash = (
                Member.objects.filter(same_person, role=MemberRole.LEADER, left_on__isnull=True)
                .filter(team__status=TeamStatus.ACTIVE)
                .exclude(team=team)
                .select_related("team")
                .first()
            )
            if clash:
                errors.setdefault("role", []).append(
                    _(
                        "%(name)s đang là tổ trưởng của tổ “%(team)s”; một người không thể làm "
                        "tổ trưởng hai tổ đang hoạt động cùng lúc."
                    )
                    % {"name": clash.full_name, "team": clash.team.name}
                )
    if errors:
        raise ValidationError(errors)


def _save_member(member: Member, *, old_dates: Iterable[dt.date | None] = ()) -> Member:
    _validate_member(member)
    try:
        # A savepoint, so a race lost on the unique constraint leaves the caller's
        # transaction usable for reporting the error.
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise ValidationError({"role": _("Tổ đã có tổ trưởng đang hoạt động.")}) from exc
    # Member counts at month end change from the earliest date involved onwards.
    team = member.team
    _queue_figures(
        [team.commune_id, team.former_commune_id],
        [member.joined_on, member.left_on, *old_dates],
        onwards=True,
    )
    return member


@transaction.atomic
def member_add(
    *,
    user,
    team: Team,
    full_name: str,
    role: str = MemberRole.MEMBER,
    body: str,
    phone: str = "",
    joined_on: dt.date | None = None,
    left_on: dt.date | None = None,
    member_user=None,
    note: str = "",
) -> Member:
    """Add a member to a team (commune/district/steering staff, or the team's own leader).

    Only team managers (MANAGE_TEAMS) may link a portal account, because the link gives that
    account the right to change the team.
    """
    _require_team_change(user, team)
    if member_user is not None:
        _require_manage(user, team)
    _lock_team(team)
    member = Member(
        team=team,
        full_name=(full_name or "").strip(),
        role=role,
        body=body,
        phone=phone or "",
        joined_on=joined_on or team.decision_date,
        left_on=left_on,
        user=member_user,
        note=note,
    )
    return _save_member(member)


def _lock_team(team: Team) -> None:
    """Serialise member writes of one team: a double-tapped "Lưu" on a slow phone connection
    sends two requests, and both would pass the duplicate check before either saved."""
    Team.objects.select_for_update().filter(pk=team.pk).values_list("pk", flat=True).first()


_UNSET = object()


@transaction.atomic
def member_update(*, user, member: Member, member_user: Any = _UNSET, **fields: Any) -> Member:
    """Change a member's details; `member_user` (the linked account) only for team managers."""
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"member_update: unknown fields {sorted(unknown)}")
    member = Member.objects.select_for_update().select_related("team").get(pk=member.pk)
    _require_team_change(user, member.team)
    _lock_team(member.team)
    old_dates = (member.joined_on, member.left_on)
    if member_user is not _UNSET and member_user != member.user:
        _require_manage(user, member.team)
        member.user = member_user
    for name, value in fields.items():
        if value is None and name in ("phone", "note", "full_name"):
            value = ""
        setattr(member, name, value)
    return _save_member(member, old_dates=old_dates)


@transaction.atomic
def member_leave(*, user, member: Member, left_on: dt.date) -> Member:
    """Record that a member left the team on `left_on` (kept in the registry and its history)."""
    member = Member.objects.select_for_update().select_related("team").get(pk=member.pk)
    _require_team_change(user, member.team)
    if member.left_on and member.left_on <= _today():
        raise ValidationError(
            _("%(name)s đã rời tổ ngày %(day)s.")
            % {"name": member.full_name, "day": _fmt(member.left_on)}
        )
    if left_on > _today():
        raise ValidationError({"left_on": _("Ngày rời tổ không được ở tương lai.")})
    member.left_on = left_on
    return _save_member(member)


def members_import(*, user, team: Team, rows: list[dict[str, Any]], dry_run: bool) -> list[dict]:
    """Add many members at once; all or nothing.

    `rows` are dicts of member_add keywords. Returns one result per row: {"row": n,
    "errors": [...], "member": Member|None}. When any row fails (or `dry_run`), nothing is saved.
    Rows are validated in order against the rows before them, so two leaders in one file fail.
    """
    _require_team_change(user, team)
    results: list[dict] = []
    with transaction.atomic():
        for number, row in enumerate(rows, start=2):  # row 1 is the header
            sid = transaction.savepoint()
            try:
                member = member_add(user=user, team=team, **row)
            except ValidationError as exc:
                transaction.savepoint_rollback(sid)
                messages = (
                    [m for msgs in exc.message_dict.values() for m in msgs]
                    if hasattr(exc, "error_dict")
                    else list(exc.messages)
                )
                results.append({"row": number, "errors": messages, "member": None, "data": row})
            else:
                transaction.savepoint_commit(sid)
                results.append({"row": number, "errors": [], "member": member, "data": row})
        if dry_run or any(r["errors"] for r in results):
            transaction.set_rollback(True)
    return results


# --- activities -----------------------------------------------------------------------------


def _validate_activity(activity: Activity) -> None:
    team = activity.team
    errors: dict[str, list[str]] = {}
    for name in ACTIVITY_COUNT_FIELDS:
        value = getattr(activity, name)
        if value is None:
            setattr(activity, name, 0)
        elif value < 0:
            label = capfirst(Activity._meta.get_field(name).verbose_name)
            errors.setdefault(name, []).append(
                _("%(label)s không được âm (đã nhập %(value)s).") % {"label": label, "value": value}
            )
    if not errors:
        try:
            activity.full_clean(exclude=["team", "created_by"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if activity.date:
        if activity.date > _today():
            errors.setdefault("date", []).append(
                _("Ngày hoạt động %(day)s ở tương lai.") % {"day": _fmt(activity.date)}
            )
        if activity.date < team.decision_date:
            errors.setdefault("date", []).append(
                _("Ngày hoạt động %(day)s trước ngày quyết định thành lập tổ %(decision)s.")
                % {"day": _fmt(activity.date), "decision": _fmt(team.decision_date)}
            )
        if team.dissolved_on and activity.date > team.dissolved_on:
            errors.setdefault("date", []).append(
                _("Tổ đã giải thể ngày %(day)s.") % {"day": _fmt(team.dissolved_on)}
            )
        if "date" not in errors:
            _collect(errors, placement.check_day, team, activity.date, "date")
    if errors:
        raise ValidationError(errors)


def _collect(errors: dict[str, list[str]], check, *args) -> None:
    """Run a check that raises a field ValidationError; add its messages to `errors`."""
    try:
        check(*args)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


_PENDING_ATTR = "_teams_figures_pending"


def _queue_figures(
    commune_ids: Iterable[int], days: Iterable[dt.date], *, onwards: bool = False
) -> None:
    """After commit, rewrite the team figures of the touched communes and months.

    `onwards`: every month from the earliest day to this month (team and member changes move
    the stocks of all later months). Work queued within one transaction is merged and synced
    once after commit (an import of 30 members syncs once, not 30 times).
    """
    months = {_month(d) for d in days if d}
    if not months:
        return
    if onwards:
        months = set(months_between(min(months), _today()))
    conn = transaction.get_connection()
    state = conn.__dict__.get(_PENDING_ATTR)
    # Reuse the pending sync only while its callback is still registered: a rollback drops
    # the callback, and then the work queued with it is void too.
    if state is None or not any(entry[1] is state["run"] for entry in conn.run_on_commit):
        state = {"communes": set(), "periods": set()}

        def run(state=state) -> None:

            if conn.__dict__.get(_PENDING_ATTR) is state:
                del conn.__dict__[_PENDING_ATTR]
            communes, periods = sorted(state["communes"]), sorted(state["periods"])
            if not communes:
                return
            try:
                team_figures_sync(commune_ids=communes, periods=periods)
            except Exception:  # the change is saved; sync_team_figures repairs a failed sync
                logger.exception("team figures sync failed for communes %s %s", communes, periods)

        state["run"] = run
        conn.__dict__[_PENDING_ATTR] = state
        transaction.on_commit(run)
    state["communes"].update(c for c in commune_ids if c)
    state["periods"].update(months)


@transaction.atomic
def activity_log(
    *, user, team: Team, date: dt.date, kind: str, notes: str = "", **counts: int
) -> Activity:
    """Log what a team did on a day; the commune's monthly figures follow after commit."""
    unknown = set(counts) - set(ACTIVITY_COUNT_FIELDS)
    if unknown:
        raise TypeError(f"activity_log: unknown fields {sorted(unknown)}")
    _require_team_change(user, team)
    activity = Activity(team=team, date=date, kind=kind, notes=notes, created_by=user, **counts)
    _validate_activity(activity)
    activity.save()
    _queue_figures([team.commune_id, team.former_commune_id], [date])
    return activity


@transaction.atomic
def activity_update(*, user, activity: Activity, **fields: Any) -> Activity:
    """Correct an activity; both the old and the new month's figures are rewritten."""
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"activity_update: unknown fields {sorted(unknown)}")
    activity = Activity.objects.select_for_update().select_related("team").get(pk=activity.pk)
    _require_team_change(user, activity.team)
    old_date = activity.date
    for name, value in fields.items():
        setattr(activity, name, value)
    _validate_activity(activity)
    activity.save()
    team = activity.team
    _queue_figures([team.commune_id, team.former_commune_id], [old_date, activity.date])
    return activity


@transaction.atomic
def activity_delete(*, user, activity: Activity) -> None:
    """Delete a wrongly entered activity (the history keeps it); figures follow after commit."""
    activity = Activity.objects.select_for_update().select_related("team").get(pk=activity.pk)
    _require_team_change(user, activity.team)
    team, day = activity.team, activity.date
    activity.delete()
    _queue_figures([team.commune_id, team.former_commune_id], [day])


def _queue_pilot_figures(district_id: int, since: dt.date) -> None:
    def run() -> None:

        try:
            pilot_figures_sync(district_ids=[district_id], periods=months_between(since, _today()))
        except Exception:  # the choice is saved; the next sync repairs the figure
            logger.exception("pilot figures sync failed for district %s", district_id)

    transaction.on_commit(run)


# --- the pilot plan -------------------------------------------------------------------------


@transaction.atomic
def pilot_commune_set(
    *,
    user,
    commune: Division,
    chosen_on: dt.date | None = None,
    decision_reference: str = "",
    is_pilot: bool = True,
) -> PilotCommune | None:
    """Mark (or unmark with is_pilot=False) a commune as its district's pilot commune.

    Districts choose their pilot communes, so this needs MANAGE_TEAMS on the district.
    """
    if commune.level != Level.COMMUNE:
        raise ValidationError(
            {
                "commune": _("Chỉ đơn vị cấp xã mới được chọn thí điểm; “%(name)s” không phải.")
                % {"name": commune.name}
            }
        )
    district = commune.parent
    if district.level != Level.DISTRICT:
        # The pilot (to 30/06/2023) was chosen district by district; a unit of the 2025
        # structure has no district and was not there.
        raise ValidationError(
            {
                "commune": _(
                    "%(name)s (%(code)s) thuộc cấu trúc từ %(start)s, không có cấp huyện; "
                    "thí điểm Tổ CNSCĐ năm 2023 chọn đơn vị cấp xã của thời kỳ đó."
                )
                % {
                    "name": commune.name,
                    "code": commune.code,
                    "start": _fmt(commune.valid_from) if commune.valid_from else "—",
                }
            }
        )
    require(user, Action.MANAGE_TEAMS, district)
    existing = PilotCommune.objects.filter(commune=commune).first()
    if not is_pilot:
        if existing:
            existing.delete()
            _queue_pilot_figures(district.pk, existing.chosen_on)
        return None
    if chosen_on is None:
        raise ValidationError({"chosen_on": _("Cần nhập ngày lựa chọn xã thí điểm.")})
    if chosen_on > _today():
        raise ValidationError({"chosen_on": _("Ngày lựa chọn không được ở tương lai.")})
    if not placement.in_force(commune, chosen_on):
        successor = placement.successors_in_force([commune.pk]).get(commune.pk)
        error = placement.not_in_force_error(commune, chosen_on, [successor] if successor else [])
        raise ValidationError({"chosen_on": error.message_dict["division"]})
    pilot = existing or PilotCommune(commune=commune)
    # The district's pilot figure changes from the earlier of the old and new dates on.
    since = min(chosen_on, existing.chosen_on) if existing else chosen_on
    pilot.district = district
    pilot.chosen_on = chosen_on
    pilot.decision_reference = decision_reference.strip()
    pilot.full_clean(validate_unique=False)
    pilot.save()
    _queue_pilot_figures(district.pk, since)
    return pilot
