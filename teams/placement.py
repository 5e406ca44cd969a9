"""Where a team belongs: the commune-level unit in force, and the one it belonged to before.

A team is set up by a commune's chairman, so it belongs to a commune-level unit. Since the 2025
reorganisation the units that set up most teams have ended; their teams belong to the successor
that continues them (`divisions.services.primary_successors`: a split commune's teams go to one
successor, the one with the largest share, because a team cannot be split). The team keeps the
old commune in `former_commune`, so the months before the change stay under the unit of their
time (figures, the pilot page) and the page can say where the team was.

The placement is stored, not resolved at read time: every registry filter, scope and count is
then one indexed column (`commune`), and the move is a change in the team's history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from divisions.models import Division, DivisionSuccession, Level
from divisions.services import primary_successors

MOVE_REASON = "Sắp xếp đơn vị hành chính: tổ chuyển về đơn vị đang có hiệu lực"


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def in_force(unit: Division, day: dt.date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (
        unit.valid_to is None or unit.valid_to >= day
    )


def unit_link(unit: Division) -> str:
    """A link to the unit's team registry, e.g. "Xã Biển Bạch (32069)" (safe HTML)."""
    url = f"{reverse('teams:list')}?commune={unit.code}"
    return format_html('<a href="{}">{} ({})</a>', url, unit.name, unit.code)


def former_label(unit: Division) -> str:
    """ "Xã Biển Bạch Đông, huyện Thới Bình": an old commune with the district of its time."""
    parent = unit.parent if unit.parent_id else None
    if parent is None or parent.level != Level.DISTRICT:
        return unit.name
    return f"{unit.name}, {parent.name[:1].lower()}{parent.name[1:]}"


def successors_in_force(commune_ids: Iterable[int]) -> dict[int, Division]:
    """Ended commune → the unit that continues its teams (two queries)."""

    mapping = primary_successors(commune_ids)
    units = Division.objects.in_bulk(set(mapping.values()))
    return {old: units[new] for old, new in mapping.items() if new in units}


def predecessors_held_by(root: Division) -> Division:
    """Ended communes whose teams now belong to a unit of `root`'s subtree (their primary
    successor lies in it): a new commune's officer registers late teams of those units."""
    candidates = DivisionSuccession.objects.filter(
        successor__path__startswith=root.path
    ).values_list("predecessor_id", flat=True)
    held = [
        old
        for old, new in successors_in_force(set(candidates)).items()
        if new.path.startswith(root.path)
    ]
    return Division.objects.filter(pk__in=held)


@dataclass(frozen=True)
class Placement:
    commune: Division
    former_commune: Division | None


def not_in_force_error(unit: Division, day: dt.date, units: list[Division]) -> ValidationError:
    links = format_html_join(", ", "{}", ((unit_link(u),) for u in units))
    if unit.valid_to and unit.valid_to < day:
        message = format_html(
            _(
                "{unit} ({code}) đã hết hiệu lực từ {end}; ngày {day} không còn thuộc đơn vị "
                "này. Đơn vị đang có hiệu lực: {links}."
            ),
            unit=unit.name,
            code=unit.code,
            end=_fmt(unit.valid_to + dt.timedelta(days=1)),
            day=_fmt(day),
            links=links or _("chưa có đơn vị kế thừa"),
        )
    else:
        message = format_html(
            _("{unit} ({code}) có hiệu lực từ {start}; ngày {day} thuộc đơn vị trước đó: {links}."),
            unit=unit.name,
            code=unit.code,
            start=_fmt(unit.valid_from),
            day=_fmt(day),
            links=links or "—",
        )
    return ValidationError({"division": [message]})


def commune_of(division: Division) -> Division:
    """The commune-level unit of a team's division, or a ValidationError for other levels."""
    if division.level == Level.COMMUNE:
        return division
    if division.level == Level.HAMLET and division.parent_id:
        return division.parent
    raise ValidationError(
        {
            "division": _(
                "Tổ CNSCĐ phải thuộc một xã, phường, thị trấn hoặc một ấp, khóm; "
                "“%(name)s” là đơn vị %(level)s."
            )
            % {"name": division.name, "level": Level(division.level).label.lower()}
        }
    )


def place(division: Division, decision_date: dt.date, *, today: dt.date | None = None):
    """The placement of a team set up in `division` on `decision_date`, or a ValidationError
    that names the unit in force (with a link) when the unit was not in force that day.

    A hamlet of an ended commune stays a valid place (the province has not published the new
    hamlet lists): a team set up there after the change belongs to the successor directly.
    """
    today = today or timezone.localdate()
    origin = commune_of(division)
    ended = origin.valid_to is not None and origin.valid_to < today
    successor = successors_in_force([origin.pk]).get(origin.pk) if ended else None
    if in_force(origin, decision_date):
        if successor is None:
            return Placement(origin, None)
        return Placement(successor, origin)
    if origin.valid_to and origin.valid_to < decision_date:
        if division.level == Level.HAMLET and successor is not None:
            return Placement(successor, None)
        raise not_in_force_error(origin, decision_date, [successor] if successor else [])
    earlier = Division.objects.filter(
        pk__in=DivisionSuccession.objects.filter(successor=origin).values("predecessor_id")
    ).order_by("code")
    raise not_in_force_error(origin, decision_date, list(earlier))


def check_day(team, day: dt.date | None, field: str) -> None:
    """A member's or activity's day must fall in a period of a unit the team belonged to."""
    if day is None:
        return
    unit = team.commune_on(day)
    if in_force(unit, day):
        return
    current = team.commune
    successor = successors_in_force([current.pk]).get(current.pk)
    error = not_in_force_error(unit, day, [successor] if successor else [])
    raise ValidationError({field: error.message_dict["division"]})
