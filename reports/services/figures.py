"""One file over 500 lines: the phases of one transaction share private row types; split apart they would be read in four files.

The figure write: every change of a figure, from the grid, the Excel import, the admin, the
API and the teams app, in named phases (resolve rows, check each row, lock reports, load current
values, plan changes, write the plan) with its history in the same transaction.

Validation, access, locking, versions and history are the same for every entry point, and the
work is set-based: the number of queries does not grow with the number of rows.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, router, transaction
from django.db.models import Q, prefetch_related_objects, signals
from django.db.models.base import ModelState
from django.urls import reverse
from django.utils import formats, numberformat, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import months as periods
from core import numbers
from core.bulk_sql import copy_rows, db_datetime, for_update, insert_unnest, update_unnest
from core.people import person_name
from divisions import access
from divisions.models import Division, DivisionSuccession, Level
from reports.models import (
    Channel,
    DataValue,
    DataValueChange,
    Report,
    ReportStatus,
    ReportTransition,
    Source,
)
from targets.models import Indicator, Measurement, TimeAggregation

logger = logging.getLogger(__name__)


FOUR_PLACES = Decimal("0.0001")
MAX_ABS = Decimal("1e15")
BATCH_SIZE = 1000
BLANK = (None, None, None)
# An import file lists every cell of the month and an empty one there means "not given"; in
# the grid, the API and the admin, emptying a cell means "no figure" and deletes it.
BLANK_IS_NOT_GIVEN = frozenset({Channel.IMPORT})


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureInput:
    """One figure to write. `expected_version` None = no lost-update check; 0 = 'new cell'."""

    indicator_code: str
    division_code: str
    period: dt.date
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    note: str = ""
    expected_version: int | None = None


@dataclass(frozen=True)
class RowMessage:
    """An error or warning about one input row (0-based `index`) and one field."""

    index: int
    field: str
    message: str
    indicator_code: str = ""
    division_code: str = ""
    # "conflict" (stale version / concurrent save), "locked" (report not editable),
    # "denied" (outside the user's scope) or "" (invalid input): lets the API pick 409/403/400.
    code: str = ""

    def __str__(self) -> str:
        return self.message


class FigureErrors(ValidationError):
    """Some rows are bad; nothing was saved. `row_errors` lists each problem."""

    def __init__(self, row_errors: list[RowMessage]):
        self.row_errors = row_errors
        super().__init__([e.message for e in row_errors] or [_("Dữ liệu không hợp lệ.")])

    def by_index(self) -> dict[int, list[RowMessage]]:
        result: dict[int, list[RowMessage]] = {}
        for err in self.row_errors:
            result.setdefault(err.index, []).append(err)
        return result


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    warnings: list[RowMessage] = field(default_factory=list)
    values: list[DataValue | None] = field(default_factory=list)


def to_decimal(raw) -> Decimal | None:
    """A figure as typed in the grid or a form: the one number rule, Vietnamese convention
    ("1.500" is 1500, "12,5" and "0.500" are 12.5 and 0.5). Imports and the API resolve their
    own convention first and pass Decimals. Raises ValueError (`NumberError`) when unreadable.
    """
    return numbers.parse(raw, numbers.COMMA)


def fmt_number(number: Decimal | None) -> str:
    """A number the Vietnamese way (decimal comma), without useless zeros."""
    return number_writer()(number)


def number_writer() -> Callable[[Decimal | None], str]:
    """`fmt_number` with the page language's number format looked up once, for a call that
    writes many numbers into its messages (`formats.number_format`, step by step)."""
    lang = get_language()
    decimal_sep, grouping, thousand_sep = (
        formats.get_format(name, lang, use_l10n=True)
        for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
    )

    def write(number: Decimal | None) -> str:
        if number is None:
            return "—"
        places = max(0, -number.normalize().as_tuple().exponent)
        return numberformat.format(
            number,
            decimal_sep,
            min(places, 4),
            grouping,
            thousand_sep,
            force_grouping=True,
            use_l10n=True,
        )

    return write


class _Cell:
    """«indicator — unit — month», spelled out only when a message uses it: most rows are
    good, and translating the label for each of them was a visible share of an import."""

    __slots__ = ("ind", "div", "period", "row")

    def __init__(self, ind, div, period, row) -> None:
        self.ind, self.div, self.period, self.row = ind, div, period, row

    def __str__(self) -> str:
        name = self.ind.name_vi if self.ind else self.row.indicator_code
        unit = self.div.name if self.div else self.row.division_code
        return _("%(indicator)s — %(division)s — tháng %(month)s") % {
            "indicator": name,
            "division": unit,
            "month": periods.label(self.period) if self.period else "?",
        }


def reporting_unit_of(division: Division, parents: dict[int, Division] | None = None) -> Division:
    """The unit whose monthly report holds this division's figures.

    Communes report through their district; districts (and the province) report for
    themselves. After the 2025 reorganisation a commune directly under the province reports
    for itself.
    """
    if division.level <= Level.DISTRICT:
        return division
    parent = (parents or {}).get(division.parent_id) or division.parent
    if parent is not None and parent.level == Level.DISTRICT:
        return parent
    return division


def _valid_in(division: Division, period: dt.date) -> bool:
    month_end = periods.next_month(period) - dt.timedelta(days=1)
    if division.valid_from and division.valid_from > month_end:
        return False
    return not (division.valid_to and division.valid_to < period)


def _unit_in_month(units: list[Division], period) -> Division | None:
    """Of the units sharing one code, the one in force in the month; else the nearest one
    (so that the refusal can name it and say when it started or ended)."""
    if not units:
        return None
    if isinstance(period, dt.date):
        for unit in units:
            if _valid_in(unit, period):
                return unit
        later = [u for u in units if u.valid_from and u.valid_from > period]
        if later:
            return min(later, key=lambda u: u.valid_from)
        return max(units, key=lambda u: u.valid_to or dt.date.max)
    return units[0]


def _successors_in_force(ended: list[Division]) -> dict[int, list[Division]]:
    """The units in force that continue each ended unit (one query, two with a province): its
    own successions; for a district, those of its communes; for a province (Bạc Liêu, merged
    in 2025), the province in force."""
    by_pk = {d.id: d for d in ended}
    found: dict[int, dict[int, Division]] = {pk: {} for pk in by_pk}
    districts = {d.id for d in ended if d.level == Level.DISTRICT}
    links = DivisionSuccession.objects.filter(
        Q(predecessor_id__in=by_pk) | Q(predecessor__parent_id__in=districts)
    ).select_related("successor__parent", "predecessor")
    for link in links:
        for owner in (link.predecessor_id, link.predecessor.parent_id):
            if owner in found:
                found[owner][link.successor_id] = link.successor
    if any(d.level == Level.PROVINCE for d in ended):
        current = Division.objects.province()
        for d in ended:
            if d.level == Level.PROVINCE and current is not None and current.pk != d.id:
                found[d.id][current.pk] = current
    return {pk: sorted(units.values(), key=lambda u: u.code) for pk, units in found.items()}


def _successor_links(successors: list[Division], period) -> str:
    """«Xã A (32069): /reports/32069/2025-08/; …»: each successor with the page to enter the
    month for it (its own report since 07/2025)."""
    month = f"{period:%Y-%m}" if isinstance(period, dt.date) else ""
    parts = []
    for unit in successors:
        link = reverse("reports:entry", args=[reporting_unit_of(unit).code, month]) if month else ""
        parts.append(f"{unit.name} ({unit.code})" + (f": {link}" if link else ""))
    return "; ".join(parts)


def _validity_message(division: Division, cell: _Cell, successors: list[Division] = ()) -> str:
    if division.valid_to and successors:
        return _(
            "%(cell)s: đơn vị %(unit)s đã hết hiệu lực từ sau ngày %(end)s (sắp xếp đơn vị "
            "hành chính); số liệu tháng này nhập cho đơn vị đang có hiệu lực kế thừa nó: "
            "%(successors)s."
        ) % {
            "cell": cell,
            "unit": division.name,
            "end": f"{division.valid_to:%d/%m/%Y}",
            "successors": _successor_links(successors, cell.period),
        }
    if division.valid_to:
        return _(
            "%(cell)s: đơn vị %(unit)s đã hết hiệu lực từ sau ngày %(end)s (sắp xếp đơn vị "
            "hành chính); số liệu các tháng sau nhập cho đơn vị kế thừa."
        ) % {"cell": cell, "unit": division.name, "end": f"{division.valid_to:%d/%m/%Y}"}
    if division.valid_from:
        return _(
            "%(cell)s: đơn vị %(unit)s chỉ có hiệu lực từ ngày %(start)s; số liệu các tháng "
            "trước nhập cho đơn vị cũ (trước sắp xếp)."
        ) % {"cell": cell, "unit": division.name, "start": f"{division.valid_from:%d/%m/%Y}"}
    return _("%(cell)s: đơn vị không còn hiệu lực trong tháng này.") % {"cell": cell}


@dataclass
class _Prepared:
    index: int
    row: FigureInput
    indicator: Indicator
    division: Division
    unit: Division | None
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None


class _NumberLabels:
    """Field labels for messages, translated only when a message needs one."""

    def __getitem__(self, name: str) -> str:
        return {"value": _("giá trị"), "numerator": _("tử số"), "denominator": _("mẫu số")}[name]


def _clean_numbers(
    i: int, row: FigureInput, ind: Indicator, cell: _Cell, errors: list[RowMessage]
) -> tuple[Decimal | None, Decimal | None, Decimal | None] | None:
    """Apply the number rules to one row; append errors and return None when bad.

    Pure: reads the row and the indicator, never the database.
    """

    def err(field_name: str, message: str) -> None:
        errors.append(RowMessage(i, field_name, message, row.indicator_code, row.division_code))

    nums = _read_numbers(row, cell, err)
    if nums is None:
        return None
    value, num, den = nums["value"], nums["numerator"], nums["denominator"]
    if ind.measurement == Measurement.RATIO:
        return _ratio_numbers(ind, cell, value, num, den, err)
    return _single_value(ind, cell, value, num, den, err)


def _read_numbers(
    row: FigureInput, cell: _Cell, err: Callable[[str, str], None]
) -> dict[str, Decimal | None] | None:
    """Each number of the row read, checked for size and sign and rounded to four places."""
    bad = False
    nums: dict[str, Decimal | None] = {}
    labels = _NumberLabels()
    for name in ("value", "numerator", "denominator"):
        raw = getattr(row, name)
        try:
            # Imports and the API pass Decimals already read: taken as they are, as the rule
            # takes a finite Decimal, without going through it.
            number = raw if raw is None or _finite_decimal(raw) else to_decimal(raw)
        except (ValueError, TypeError):
            err(
                name,
                _("%(cell)s: %(what)s “%(raw)s” không phải là số; hãy nhập số, ví dụ 12,5.")
                % {"cell": cell, "what": labels[name], "raw": raw},
            )
            bad = True
            continue
        if number is not None and abs(number) >= MAX_ABS:
            err(name, _("%(cell)s: %(what)s quá lớn.") % {"cell": cell, "what": labels[name]})
            bad = True
            continue
        if number is not None and number < 0:
            err(
                name,
                _("%(cell)s: %(what)s không được âm (%(raw)s); hãy nhập số từ 0 trở lên.")
                % {"cell": cell, "what": labels[name], "raw": fmt_number(number)},
            )
            bad = True
            continue
        nums[name] = number.quantize(FOUR_PLACES) if number is not None else None
    return None if bad else nums


def _finite_decimal(raw) -> bool:
    return raw.__class__ is Decimal and raw.is_finite()


def _ratio_numbers(ind: Indicator, cell: _Cell, value, num, den, err):
    """A ratio is typed as numerator and denominator; its value is computed (percent)."""
    if num is None and den is None:
        if value is not None:
            err(
                "value",
                _(
                    "%(cell)s: tỷ lệ được tính từ tử số và mẫu số, không nhập trực tiếp; "
                    "hãy nhập tử số (%(num)s) và mẫu số (%(den)s)."
                )
                % {"cell": cell, "num": ind.numerator_label, "den": ind.denominator_label},
            )
            return None
        return None, None, None
    if num is None or den is None:
        missing = "numerator" if num is None else "denominator"
        err(
            missing,
            _("%(cell)s: hãy nhập cả tử số (%(num)s) và mẫu số (%(den)s).")
            % {"cell": cell, "num": ind.numerator_label, "den": ind.denominator_label},
        )
        return None
    if ind.whole_numbers and not _whole_parts(cell, num, den, err):
        return None
    if den == 0:
        if num == 0:
            return None, num, den
        err(
            "denominator", _("%(cell)s: mẫu số bằng 0 thì tử số cũng phải bằng 0.") % {"cell": cell}
        )
        return None
    if num > den:
        err(
            "numerator",
            _(
                "%(cell)s: tử số (%(num)s) lớn hơn mẫu số (%(den)s); tử số là một phần của "
                "mẫu số, hãy kiểm tra lại."
            )
            % {"cell": cell, "num": fmt_number(num), "den": fmt_number(den)},
        )
        return None
    value = (num / den * 100).quantize(FOUR_PLACES)
    return value, num, den


def _whole_parts(cell: _Cell, num: Decimal, den: Decimal, err) -> bool:
    """Counted ratios: numerator and denominator whole numbers; an error for each that is not."""
    labels = _NumberLabels()
    whole = True
    for name, number in (("numerator", num), ("denominator", den)):
        if number != number.to_integral_value():
            err(
                name,
                _("%(cell)s: %(what)s phải là số nguyên (%(raw)s).")
                % {"cell": cell, "what": labels[name], "raw": fmt_number(number)},
            )
            whole = False
    return whole


def _single_value(ind: Indicator, cell: _Cell, value, num, den, err):
    """Counts, amounts and shares are typed as one value, within the indicator's bounds."""
    if num is not None or den is not None:
        err(
            "numerator" if num is not None else "denominator",
            _("%(cell)s: chỉ tiêu này nhập một giá trị, không có tử số và mẫu số.")
            % {"cell": cell},
        )
        return None
    if value is None:
        return None, None, None
    if ind.is_percentage and value > 100:
        err(
            "value",
            _("%(cell)s: tỷ lệ phần trăm phải từ 0 đến 100 (đã nhập %(raw)s).")
            % {"cell": cell, "raw": fmt_number(value)},
        )
        return None
    if ind.max_value is not None and value > ind.max_value:
        err(
            "value",
            _("%(cell)s: giá trị %(raw)s vượt quá mức tối đa %(max)s.")
            % {"cell": cell, "raw": fmt_number(value), "max": fmt_number(ind.max_value)},
        )
        return None
    if value < ind.min_value:
        err(
            "value",
            _("%(cell)s: giá trị %(raw)s nhỏ hơn mức tối thiểu %(min)s.")
            % {"cell": cell, "raw": fmt_number(value), "min": fmt_number(ind.min_value)},
        )
        return None
    if ind.whole_numbers and value != value.to_integral_value():
        err(
            "value",
            _("%(cell)s: chỉ tiêu đếm chỉ nhận số nguyên (đã nhập %(raw)s); hãy làm tròn.")
            % {"cell": cell, "raw": fmt_number(value)},
        )
        return None
    return value, None, None


def _conflict_message(cell: _Cell, current: DataValue, *, ratio: bool) -> str:
    who = person_name(current.updated_by) or _("hệ thống")
    when = formats.date_format(timezone.localtime(current.updated_at), "d/m/Y H:i")
    if ratio:
        theirs = f"{fmt_number(current.numerator)}/{fmt_number(current.denominator)}"
    else:
        theirs = fmt_number(current.value)
    return _(
        "%(cell)s: số liệu đã được %(user)s sửa lúc %(time)s: giá trị của họ là %(value)s. "
        "Chưa lưu gì; hãy tải lại trang, xem lại rồi nhập lại nếu cần."
    ) % {"cell": cell, "user": who, "time": when, "value": theirs}


def data_values_upsert(
    *,
    user,
    rows: Sequence[FigureInput],
    source: str = Source.MANUAL,
    note: str = "",
    channel: str | None = None,
    unit: Division | None = None,
    period: dt.date | None = None,
) -> UpsertResult:
    """Validate and write figures, all or nothing.

    `unit`/`period`, when given (the grid, the import), restrict rows to that reporting unit
    and month. Manual figures go into the reporting unit's monthly report, created as a draft
    when missing; they need `access.can_change` and an editable (draft or returned) report.
    Figures of source "teams" are system-written: no report, `user` may be None.
    A row with every number empty deletes the figure (a cleared cell: the teams' figure of
    the cell counts again), except from an import, where it means "not given".
    Raises `FigureErrors` with every bad row, and saves nothing, when any row is bad.
    """
    if source not in Source.values:
        raise ValueError(f"unknown source {source!r}")
    channel = channel or (Channel.TEAMS if source == Source.TEAMS else Channel.FORM)
    rows = list(rows)
    result = UpsertResult(values=[None] * len(rows))
    if not rows:
        return result
    if source == Source.MANUAL and user is None:
        raise PermissionDenied(_("Cần đăng nhập để nhập số liệu."))

    with transaction.atomic():
        try:
            return _upsert(
                user=user,
                rows=rows,
                source=source,
                note=note,
                channel=channel,
                unit=unit,
                period=period,
                result=result,
            )
        except IntegrityError as exc:
            # Two first saves of the same new cell raced past each other: refuse the second.
            logger.info("figure upsert integrity error: %s", exc)
            raise FigureErrors(
                [
                    RowMessage(
                        0,
                        "value",
                        _(
                            "Một người khác vừa lưu cùng số liệu này; chưa lưu gì. Hãy tải lại "
                            "trang để xem giá trị của họ."
                        ),
                        code="conflict",
                    )
                ]
            ) from exc


@dataclass(frozen=True)
class _Call:
    """What one write is about: who writes, from where, into which unit and month, and when."""

    user: object
    source: str
    note: str
    channel: str
    unit: Division | None
    period: dt.date | None
    now: dt.datetime
    this_month: dt.date
    # How the call's messages write numbers, and how it stamps its user on changed figures.
    number_text: Callable[[Decimal | None], str]
    stamp_user: Callable[[DataValue], None]

    @property
    def is_manual(self) -> bool:
        return self.source == Source.MANUAL

    @property
    def blank_clears(self) -> bool:
        return self.channel not in BLANK_IS_NOT_GIVEN


@dataclass
class _Plan:
    """What the write will do, decided before anything is written."""

    to_create: list[DataValue] = field(default_factory=list)
    to_update: list[DataValue] = field(default_factory=list)
    to_delete: list[DataValue] = field(default_factory=list)
    conflicts: list[tuple[_Prepared, DataValue | None, _Cell]] = field(default_factory=list)
    changes: list[tuple[DataValue, tuple, tuple, str]] = field(default_factory=list)


def _upsert(*, user, rows, source, note, channel, unit, period, result) -> UpsertResult:
    """The figure write in phases: resolve rows, check each row, lock reports, load current
    values, plan changes, write the plan. Every bad row is reported and nothing is written
    when there is one."""
    call = _Call(
        user,
        source,
        note,
        channel,
        unit,
        period,
        timezone.now(),
        periods.current_month(),
        number_text=number_writer(),
        stamp_user=_UserStamp(user),
    )
    errors: list[RowMessage] = []
    indicators, by_code = _resolve_rows(rows)
    prepared = _check_rows(rows, indicators, by_code, call, errors)
    reports: dict[tuple[int, dt.date], Report] = {}
    if call.is_manual and prepared:
        prepared = _lock_reports(prepared, reports, errors, call)
    existing, previous = _load_current(prepared, source)
    plan = _plan_changes(prepared, existing, previous, reports, call, errors, result)
    if plan.conflicts:
        errors += _conflict_errors(plan.conflicts)
    if errors:
        errors.sort(key=lambda e: e.index)
        raise FigureErrors(errors)
    _write_plan(plan, prepared, reports, call, result)
    return result


# Phase 1: resolve rows ------------------------------------------------------------------------


def _resolve_rows(rows) -> tuple[dict[str, Indicator], dict[str, list[Division]]]:
    """The rows' indicators and units by code: two queries whatever the row count."""
    ind_codes = {r.indicator_code for r in rows}
    div_codes = {r.division_code for r in rows}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=ind_codes, is_active=True)}
    # Codes are unique per validity period (the 2025 units reuse old codes): each row's code
    # resolves to the unit in force in the row's month, from one query.
    by_code: dict[str, list[Division]] = {}
    for d in Division.objects.filter(code__in=div_codes).select_related("parent"):
        by_code.setdefault(d.code, []).append(d)
    return indicators, by_code


# Phase 2: check each row ----------------------------------------------------------------------


class _EndedSuccessors:
    """The units that continue each ended unit the rows name, fetched on first need: once per
    call, for all of them together, never a query per row."""

    def __init__(self, by_code: dict[str, list[Division]]) -> None:
        self._by_code = by_code
        self._found: dict[int, list[Division]] | None = None

    def of(self, division: Division) -> list[Division]:
        if self._found is None:
            ended = [d for units in self._by_code.values() for d in units if d.valid_to]
            self._found = _successors_in_force(ended)
        return self._found.get(division.id, [])


class _Answers:
    """The checks that depend on a unit, an indicator or a month but not on the row, answered
    once per call for each of them: a province-wide file repeats each unit for every
    indicator and month. Messages are still written per row (they name the row's cell)."""

    def __init__(self, by_code: dict[str, list[Division]], call: _Call) -> None:
        self.successors = _EndedSuccessors(by_code)
        self._by_code = by_code
        self._call = call
        self._units: dict[tuple, Division | None] = {}
        self._valid: dict[tuple, bool] = {}
        self._placed: dict[tuple, bool] = {}
        self._allowed: dict[int, bool] = {}
        self._owner: dict[int, Division] = {}

    def unit(self, code: str, period) -> Division | None:
        """The unit a row's code names in the row's month (`_unit_in_month`)."""
        if not isinstance(period, dt.date):
            return _unit_in_month(self._by_code.get(code, []), period)
        key = (code, period)
        if key not in self._units:
            self._units[key] = _unit_in_month(self._by_code.get(code, []), period)
        return self._units[key]

    def valid_in(self, div: Division, period: dt.date) -> bool:
        key = (div.id, period)
        if key not in self._valid:
            self._valid[key] = _valid_in(div, period)
        return self._valid[key]

    def placement_error(self, ind: Indicator, div: Division, cell: _Cell) -> str | None:
        key = (ind.id, div.id)
        if self._placed.get(key):
            return None
        problem = _placement_error(ind, div, cell, self._call.unit)
        self._placed[key] = problem is None
        return problem

    def may_change(self, div: Division) -> bool:
        if div.id not in self._allowed:
            self._allowed[div.id] = access.can_change(self._call.user, div)
        return self._allowed[div.id]

    def reporting_unit(self, div: Division) -> Division:
        if div.id not in self._owner:
            self._owner[div.id] = reporting_unit_of(div)
        return self._owner[div.id]


def _check_rows(rows, indicators, by_code, call: _Call, errors) -> list[_Prepared]:
    """Each row checked on its own; the good ones come back ready to plan."""
    prepared: list[_Prepared] = []
    seen: dict[tuple, int] = {}
    answers = _Answers(by_code, call)
    for i, row in enumerate(rows):
        p = _check_row(i, row, indicators, seen, answers, call, errors)
        if p is not None:
            prepared.append(p)
    return prepared


def _check_row(i, row, indicators, seen, answers: _Answers, call: _Call, errors):
    """One row: codes and month, duplicate, unit in force, level and scope, access, numbers.
    The first failing check refuses the row (codes and month report all their problems)."""
    ind = indicators.get(row.indicator_code)
    div = answers.unit(row.division_code, row.period)
    cell = _Cell(ind, div, row.period, row)

    def err(field_name: str, message: str, code: str = "") -> None:
        errors.append(
            RowMessage(i, field_name, message, row.indicator_code, row.division_code, code)
        )

    problems = _row_shape_errors(
        i, row, ind, div, cell, this_month=call.this_month, period=call.period
    )
    for field_name, message in problems:
        err(field_name, message)
    if problems:
        return None
    assert ind is not None and div is not None
    key = (ind.id, div.id, row.period)
    if key in seen:
        err(
            "division_code",
            _("%(cell)s: bị nhập hai lần (dòng %(first)s và %(n)s); hãy giữ một dòng.")
            % {"cell": cell, "first": seen[key] + 1, "n": i + 1},
        )
        return None
    seen[key] = i
    if not answers.valid_in(div, row.period):
        err("division_code", _validity_message(div, cell, answers.successors.of(div)))
        return None
    problem = answers.placement_error(ind, div, cell)
    if problem is not None:
        err("division_code", problem)
        return None
    check_access = call.is_manual or call.user is not None
    if check_access and not answers.may_change(div):
        err(
            "division_code",
            _("%(cell)s: bạn không có quyền nhập số liệu cho đơn vị này.") % {"cell": cell},
            code="denied",
        )
        return None
    numbers = _clean_numbers(i, row, ind, cell, errors)
    if numbers is None:
        return None
    rep_unit = answers.reporting_unit(div) if call.is_manual else None
    return _Prepared(i, row, ind, div, rep_unit, *numbers)


def _row_shape_errors(
    i: int, row: FigureInput, ind, div, cell: _Cell, *, this_month: dt.date, period
) -> list[tuple[str, str]]:
    """A row's codes and month: (field, message) for each problem. Pure: no database.

    `period`, when given, is the month of the page or file the row belongs to."""
    problems: list[tuple[str, str]] = []
    if ind is None:
        problems.append(
            (
                "indicator_code",
                _("Dòng %(n)s: không có chỉ tiêu mã “%(code)s”; hãy dùng mã trong danh mục.")
                % {"n": i + 1, "code": row.indicator_code},
            )
        )
    if div is None:
        problems.append(
            (
                "division_code",
                _("Dòng %(n)s: không có đơn vị mã “%(code)s”; hãy dùng mã đơn vị hành chính.")
                % {"n": i + 1, "code": row.division_code},
            )
        )
    per = row.period
    if not isinstance(per, dt.date) or per.day != 1:
        problems.append(("period", _("Dòng %(n)s: kỳ báo cáo không hợp lệ.") % {"n": i + 1}))
    elif not periods.in_window(per, current=this_month):
        message = _(
            "%(cell)s: kỳ báo cáo nằm ngoài thời gian báo cáo (từ %(start)s đến tháng "
            "hiện tại %(now)s); hãy chọn đúng tháng."
        ) % {
            "cell": cell,
            "start": periods.label(periods.REPORTING_START),
            "now": periods.label(periods.current_month()),
        }
        problems.append(("period", message))
    elif period is not None and per != period:
        problems.append(
            (
                "period",
                _("%(cell)s: dòng này thuộc tháng khác với báo cáo tháng %(month)s.")
                % {"cell": cell, "month": periods.label(period)},
            )
        )
    return problems


def _placement_error(ind: Indicator, div: Division, cell: _Cell, unit) -> str | None:
    """A unit in force where the indicator is not reported, or outside the page's `unit`:
    the message, else None. Pure: no database."""
    if div.level not in ind.reporting_levels:
        return _("%(cell)s: chỉ tiêu này không báo cáo ở %(level)s.") % {
            "cell": cell,
            "level": Level(div.level).label.lower(),
        }
    if unit is not None and not div.is_within(unit):
        return _("%(cell)s: đơn vị không thuộc %(unit)s; chỉ nhập số liệu của %(unit)s.") % {
            "cell": cell,
            "unit": unit.name,
        }
    return None


# Phase 3: lock reports ------------------------------------------------------------------------


def _lock_reports(prepared: list[_Prepared], reports: dict, errors, call: _Call) -> list[_Prepared]:
    """Fill `reports` with the rows' reports (manual figures), locked while we write: one
    query. Rows of a report that is not editable are refused; the others come back.

    On PostgreSQL the same statement creates the draft reports of the (unit, month) pairs that
    have none yet, with their first transition (rolled back with everything else if the
    write is refused): a unit's first file of a month costs no statement more."""
    if connection.vendor == "postgresql":
        pairs = {(p.unit.id, p.row.period) for p in prepared}
        for rep in _lock_or_create_reports(pairs, user=call.user, now=call.now):
            reports[(rep.division_id, rep.period)] = rep
    else:
        unit_ids = {p.unit.id for p in prepared}
        pers = {p.row.period for p in prepared}
        for rep in for_update(Report.objects.filter(division_id__in=unit_ids, period__in=pers)):
            reports[(rep.division_id, rep.period)] = rep
    # Rows are told apart by their index: comparing them field by field against every
    # blocked row took quadratic time on a file of a locked month.
    blocked: set[int] = set()
    for p in prepared:
        rep = reports.get((p.unit.id, p.row.period))
        if rep is not None and not rep.is_editable:
            errors.append(_locked_error(p, rep))
            blocked.add(p.index)
    if blocked:
        prepared = [p for p in prepared if p.index not in blocked]
    return prepared


def _lock_or_create_reports(pairs: set[tuple[int, dt.date]], *, user, now) -> list[Report]:
    """PostgreSQL: the reports of `pairs` (unit id, month), the existing ones locked, the
    missing ones created as drafts with their «created as draft» transition; one statement."""
    template = Report(created_by=user)
    fields = [f for f in Report._meta.concrete_fields if not f.primary_key]
    made = [f for f in fields if f.attname not in ("division_id", "period")]
    quote = connection.ops.quote_name
    columns = [f.column for f in Report._meta.concrete_fields]
    table, transitions = quote(Report._meta.db_table), quote(ReportTransition._meta.db_table)
    returned = ", ".join(quote(c) for c in columns)
    sql = (
        # Table and column names come from model metadata; values are bound.
        "WITH want AS (SELECT * FROM UNNEST(%s::bigint[], %s::date[]) AS w(unit, period)), "  # noqa: S608
        f"locked AS (SELECT r.id FROM {table} r JOIN want w "
        "ON r.division_id = w.unit AND r.period = w.period FOR UPDATE OF r), "
        f"new AS (INSERT INTO {table} (division_id, period, "
        f"{', '.join(quote(f.column) for f in made)}) "
        f"SELECT w.unit, w.period, {', '.join(f'%s::{f.db_type(connection)}' for f in made)} "
        f"FROM want w WHERE NOT EXISTS (SELECT 1 FROM {table} r "
        "WHERE r.division_id = w.unit AND r.period = w.period) "
        f"RETURNING {returned}), "
        f"tr AS (INSERT INTO {transitions} (report_id, from_status, to_status, by_id, at, reason) "
        "SELECT id, '', %s, %s, %s, '' FROM new) "
        f"SELECT {', '.join(f'r.{quote(c)}' for c in columns)} FROM {table} r "
        f"JOIN locked l ON l.id = r.id UNION ALL SELECT {returned} FROM new"
    )
    units, months = zip(*sorted(pairs), strict=True) if pairs else ((), ())
    params = [
        list(units),
        list(months),
        *(f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in made),
        str(ReportStatus.DRAFT),
        user.pk if user is not None else None,
        db_datetime(now),
    ]
    names = [f.attname for f in Report._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Report.from_db(connection.alias, names, row) for row in cursor.fetchall()]


def _locked_error(p: _Prepared, rep: Report) -> RowMessage:
    cell = _Cell(p.indicator, p.division, p.row.period, p.row)
    if rep.status == ReportStatus.APPROVED:
        msg = _(
            "%(cell)s: báo cáo tháng %(month)s của %(unit)s đã được duyệt và khoá; "
            "muốn sửa, hãy đề nghị Ban Chỉ đạo mở lại."
        )
    else:
        msg = _(
            "%(cell)s: báo cáo tháng %(month)s của %(unit)s đã gửi, đang chờ duyệt; "
            "chỉ sửa được khi báo cáo bị trả lại."
        )
    return RowMessage(
        p.index,
        "value",
        msg % {"cell": cell, "month": periods.label(p.row.period), "unit": p.unit.name},
        p.row.indicator_code,
        p.row.division_code,
        code="locked",
    )


# Phase 4: load current values -----------------------------------------------------------------


def _load_current(prepared: list[_Prepared], source: str) -> tuple[dict, dict]:
    """Existing figures of the rows, locked, and last month's stocks: one query whatever the
    row, unit or month count.

    Last month's figure of a stock is read by the same locking statement: it is a figure of the
    same cells, and reading it locked keeps the stock check true until the write commits."""
    existing: dict[tuple, DataValue] = {}
    previous: dict[tuple, Decimal | None] = {}
    if not prepared:
        return existing, previous
    ind_ids = {p.indicator.id for p in prepared}
    div_ids = {p.division.id for p in prepared}
    pers = {p.row.period for p in prepared}
    stock_ids = {
        p.indicator.id for p in prepared if p.indicator.time_aggregation == TimeAggregation.LATEST
    }
    prev_pers = {periods.previous_month(per) for per in pers}
    wanted = Q(indicator_id__in=ind_ids, period__in=pers)
    if stock_ids:
        wanted |= Q(indicator_id__in=stock_ids, period__in=prev_pers)
    qs = for_update(DataValue.objects.filter(wanted, division_id__in=div_ids, source=source))
    if _plain_model():
        found = _loaded_figures(qs, pers)
    else:
        found = ((dv.indicator_id, dv.division_id, dv.period, dv.value, dv) for dv in qs)
    for ind_id, div_id, per, value, dv in found:
        key = (ind_id, div_id, per)
        if dv is not None and per in pers:
            existing[key] = dv
        if ind_id in stock_ids and per in prev_pers:
            previous[key] = value
    return existing, previous


# The figure's columns in the order `values_list` returns them (`_loaded_figures`).
_ATTNAMES = tuple(f.attname for f in DataValue._meta.concrete_fields)
_CELL_AT = tuple(_ATTNAMES.index(a) for a in ("indicator_id", "division_id", "period", "value"))


def _plain_model() -> bool:
    """Does `Model.from_db` build a figure by setting its fields and nothing else (no
    signal listens to its creation, the model changes neither `__init__` nor `from_db`)?"""
    return (
        DataValue.__init__ is models.Model.__init__
        and DataValue.from_db.__func__ is models.Model.from_db.__func__
        and not signals.pre_init.has_listeners(DataValue)
        and not signals.post_init.has_listeners(DataValue)
    )


def _loaded_figures(qs, pers: set):
    """(indicator id, unit id, month, value, figure) of each row of `qs`; the figure (None
    outside `pers`: last month's stocks need only their value) is a saved instance built as
    `Model.from_db` builds it (the same attributes and state), without `Model.__init__`,
    whose per-field work was the largest Python cost of a province-wide import (benchmark
    profile). Only used while no pre_init/post_init signal listens to figures."""
    ind_at, div_at, per_at, value_at = _CELL_AT
    db = qs.db
    new = DataValue.__new__
    for values in qs.values_list(*_ATTNAMES):
        per = values[per_at]
        dv = None
        if per in pers:
            dv = new(DataValue)
            state = ModelState()
            state.adding, state.db = False, db
            dv._state = state
            dv.__dict__.update(zip(_ATTNAMES, values, strict=True))
        yield values[ind_at], values[div_at], per, values[value_at], dv


# Phase 5: plan changes ------------------------------------------------------------------------


def _plan_changes(prepared, existing, previous, reports, call: _Call, errors, result) -> _Plan:
    """For each good row: unchanged, conflict, refused, or a figure to create, update or
    delete with its history row."""
    plan = _Plan()
    # A file covering several months holds the month before a row too: a stock is compared
    # with that figure, the one stored once the file is written, rather than the stored one.
    previous = previous | {
        (p.indicator.id, p.division.id, p.row.period): p.value
        for p in prepared
        if p.value is not None and p.indicator.time_aggregation == TimeAggregation.LATEST
    }
    for p in prepared:
        cur = existing.get((p.indicator.id, p.division.id, p.row.period))
        _plan_row(p, cur, previous, reports, call, plan, errors, result)
    return plan


def _plan_row(p: _Prepared, cur, previous, reports, call: _Call, plan: _Plan, errors, result):
    cell = _Cell(p.indicator, p.division, p.row.period, p.row)
    new = (p.value, p.numerator, p.denominator)
    blank = _is_blank(new)
    row_note = (p.row.note or call.note or "").strip()
    if blank and cur is None and (p.row.note or "").strip():
        # A note explains a figure and is stored with it: alone it would be lost unseen.
        errors.append(
            RowMessage(
                p.index,
                "note",
                _(
                    "%(cell)s: ghi chú chưa được lưu vì chưa có số liệu; hãy nhập số liệu kèm ghi chú."
                )
                % {"cell": cell},
                p.row.indicator_code,
                p.row.division_code,
            )
        )
        return
    if blank and (cur is None or not call.blank_clears):
        result.unchanged += 1
        result.values[p.index] = cur
        return
    old = (cur.value, cur.numerator, cur.denominator) if cur else (None, None, None)
    # Changed numbers make a change, and so does a row's own new note on a kept figure (a call's
    # shared note travels only with the cells it explains).
    own_note = (p.row.note or "").strip()
    note_changed = cur is not None and not blank and own_note and own_note != cur.note
    if cur is not None and old == new and not note_changed:
        result.unchanged += 1
        result.values[p.index] = cur
        return
    expected = p.row.expected_version
    actual = cur.version if cur else 0
    if expected is not None and expected != actual:
        plan.conflicts.append((p, cur, cell))
        return
    drop = _stock_drop(p, previous, cell, call.number_text) if old != new else None
    if drop is not None:
        message = RowMessage(p.index, "note", drop, p.row.indicator_code, p.row.division_code)
        if not row_note:
            errors.append(message)
            return
        result.warnings.append(message)
    rep = reports.get((p.unit.id, p.row.period)) if p.unit is not None else None
    dv = _stage(p, cur, new, row_note, rep, call, plan)
    result.values[p.index] = None if blank else dv
    plan.changes.append((dv, old, new, row_note))


def _is_blank(figure: tuple) -> bool:
    """`figure == BLANK`, without comparing a Decimal with None (an ABC check each time)."""
    return figure[0] is None and figure[1] is None and figure[2] is None


def _stock_drop(p: _Prepared, previous: dict, cell: _Cell, write=fmt_number) -> str | None:
    """A stock (a running total) typed lower than last month's: the message, else None. The
    row passes with a note saying why, and is refused without one. Pure: no database.
    `write` writes its numbers (`fmt_number`)."""
    if p.indicator.time_aggregation != TimeAggregation.LATEST or p.value is None:
        return None
    last = previous.get((p.indicator.id, p.division.id, periods.previous_month(p.row.period)))
    if last is None or not p.value < last:
        return None
    return _(
        "%(cell)s: giá trị %(new)s thấp hơn tháng trước (%(old)s) dù đây là số cộng "
        "dồn; nếu đúng, hãy ghi chú lý do (ví dụ: tổ giải thể, sáp nhập)."
    ) % {"cell": cell, "new": write(p.value), "old": write(last)}


def _stage(p: _Prepared, cur, new, row_note, rep, call: _Call, plan: _Plan) -> DataValue:
    """The figure as it will be written, put on the plan's creates, updates or deletes."""
    if _is_blank(new):
        # The cell was emptied: the figure goes (its history stays), so the teams' figure
        # of the cell, if any, counts again.
        dv = cur
        dv.version = cur.version + 1
        plan.to_delete.append(dv)
    elif cur is None:
        dv = DataValue(
            indicator=p.indicator,
            division=p.division,
            period=p.row.period,
            value=p.value,
            numerator=p.numerator,
            denominator=p.denominator,
            note=row_note,
            version=1,
            source=call.source,
            report=rep,
            updated_at=call.now,
            updated_by=call.user,
        )
        plan.to_create.append(dv)
    else:
        dv = cur
        dv.value, dv.numerator, dv.denominator = new
        if row_note:
            dv.note = row_note
        dv.version = cur.version + 1
        dv.updated_at = call.now
        call.stamp_user(dv)
        plan.to_update.append(dv)
    return dv


_UPDATED_BY = DataValue._meta.get_field("updated_by")


class _UserStamp:
    """`figure.updated_by = user` for the call's changed figures. The relation's checks of
    the user (its model, its database, the routers' say) answer alike for every figure of
    one database; after the first, each figure gets only what they lead to, the user's id
    and the cached user (20,000 full assignments were a visible share of an import)."""

    __slots__ = ("_db", "_id", "user")

    def __init__(self, user) -> None:
        self.user, self._db, self._id = user, None, None

    def __call__(self, dv: DataValue) -> None:
        if self._db is not None and dv._state.db == self._db:
            dv.updated_by_id = self._id
            _UPDATED_BY.set_cached_value(dv, self.user)
            return
        dv.updated_by = self.user
        if self.user is not None and dv._state.db is not None and not router.routers:
            self._db, self._id = dv._state.db, dv.updated_by_id


def _conflict_errors(conflicts: list[tuple[_Prepared, DataValue | None, _Cell]]) -> list:
    """A message for each row whose figure changed since it was read; who changed it comes
    from one query for every conflicting row together."""
    prefetch_related_objects([cur for _p, cur, _c in conflicts if cur is not None], "updated_by")
    messages: list[RowMessage] = []
    for p, cur, cell in conflicts:
        if cur is None:
            msg = _(
                "%(cell)s: số liệu đã bị xoá sau khi bạn mở trang; chưa lưu gì, hãy tải lại."
            ) % {"cell": cell}
        else:
            msg = _conflict_message(cell, cur, ratio=p.indicator.measurement == Measurement.RATIO)
        messages.append(
            RowMessage(p.index, "value", msg, p.row.indicator_code, p.row.division_code, "conflict")
        )
    return messages


# Phase 6: write the plan ----------------------------------------------------------------------


def _write_plan(plan: _Plan, prepared, reports, call: _Call, result: UpsertResult) -> None:
    """Missing draft reports, new figures, changed figures, history rows, then deletions."""
    if call.is_manual:
        _create_missing_reports(user=call.user, prepared=prepared, reports=reports, now=call.now)
        for dv in plan.to_create:
            p_unit = reporting_unit_of(dv.division)
            dv.report = reports[(p_unit.id, dv.period)]
    _insert_figures(plan.to_create, created_at=call.now)
    _update_figures(plan.to_update, updated_at=call.now, updated_by=call.user)
    _write_changes(plan.changes, user=call.user, now=call.now, channel=call.channel)
    if plan.to_delete:
        # After the history rows: deleting sets the figure link of its older rows to NULL.
        DataValue.objects.filter(pk__in=[dv.id for dv in plan.to_delete]).delete()
    result.created = len(plan.to_create)
    result.updated = len(plan.to_update)
    result.deleted = len(plan.to_delete)


def _write_changes(changes, *, user, now, channel) -> None:
    """One history row per changed figure, naming its cell, so that a deleted figure's
    history (its deletion included) stays readable; a deleted figure's row links no figure."""
    changed_at = db_datetime(now)
    user_id = user.pk if user is not None else None
    copy_rows(
        DataValueChange,
        CHANGE_COLUMNS,
        [
            (
                None if _is_blank(new) else dv.id,
                user_id,
                changed_at,
                *old,
                *new,
                dv.version,
                row_note,
                str(channel),
                dv.indicator_id,
                dv.division_id,
                dv.period,
                str(dv.source),
                dv.report_id,
            )
            for dv, old, new, row_note in changes
        ],
    )


FIGURE_COLUMNS = (
    "indicator_id",
    "division_id",
    "period",
    "value",
    "numerator",
    "denominator",
    "note",
    "version",
    "source",
    "report_id",
    "created_at",
    "updated_at",
    "updated_by_id",
)
CHANGE_COLUMNS = (
    "data_value_id",
    "changed_by_id",
    "changed_at",
    "old_value",
    "old_numerator",
    "old_denominator",
    "new_value",
    "new_numerator",
    "new_denominator",
    "version",
    "note",
    "channel",
    "indicator_id",
    "division_id",
    "period",
    "source",
    "report_id",
)


def _insert_figures(values: list[DataValue], *, created_at) -> None:
    """Insert new figures as tuples (no per-row compile of `bulk_create`), in one statement
    whatever their number, and give each instance its id, so callers and the history rows
    can use them as saved objects."""
    if not values:
        return
    stamp = db_datetime(created_at)
    returned = insert_unnest(
        DataValue,
        FIGURE_COLUMNS,
        [
            (
                dv.indicator_id,
                dv.division_id,
                dv.period,
                dv.value,
                dv.numerator,
                dv.denominator,
                dv.note,
                dv.version,
                str(dv.source),
                dv.report_id,
                stamp,
                db_datetime(dv.updated_at),
                dv.updated_by_id,
            )
            for dv in values
        ],
        returning=("id", "indicator_id", "division_id", "period"),
    )
    if returned and len(returned[0]) == 1:  # backends without UNNEST: ids in row order
        ids = [r[0] for r in returned]
    else:
        # One call writes one source, so (indicator, unit, month) names one new figure.
        by_cell = {(ind, div, per): pk for pk, ind, div, per in returned}
        ids = [by_cell[(dv.indicator_id, dv.division_id, dv.period)] for dv in values]
    for dv, pk in zip(values, ids, strict=True):
        dv.id = pk
        dv.created_at = created_at
        dv._state.adding = False
        dv._state.db = connection.alias


def _update_figures(values: list[DataValue], *, updated_at, updated_by) -> None:
    """Write changed figures: one UPDATE … FROM UNNEST on PostgreSQL whatever their number,
    elsewhere one UPDATE … FROM a VALUES list per batch.

    `bulk_update` builds a CASE WHEN expression per field and row in Python, which cost most of
    an import's time (benchmark profile); the rows are already locked and checked, so a plain
    set-based UPDATE writes the same columns. Works on PostgreSQL and SQLite (≥ 3.33).
    """
    if not values:
        return
    user_id = updated_by.pk if updated_by is not None else None
    if connection.vendor == "postgresql":
        update_unnest(
            DataValue,
            ("value", "numerator", "denominator", "note", "version"),
            [(dv.id, dv.value, dv.numerator, dv.denominator, dv.note, dv.version) for dv in values],
            same={"updated_at": db_datetime(updated_at), "updated_by_id": user_id},
        )
        return
    table = connection.ops.quote_name(DataValue._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(values), BATCH_SIZE):
            batch = values[start : start + BATCH_SIZE]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(batch))
            params: list = []
            for dv in batch:
                params += [dv.id, dv.value, dv.numerator, dv.denominator, dv.note, dv.version]
            cursor.execute(
                f"WITH v (id, value, numerator, denominator, note, version) AS "  # noqa: S608
                f"(VALUES {placeholders}) "
                f"UPDATE {table} SET value = CAST(v.value AS NUMERIC), "
                "numerator = CAST(v.numerator AS NUMERIC), "
                "denominator = CAST(v.denominator AS NUMERIC), "
                "note = v.note, version = CAST(v.version AS INTEGER), "
                "updated_at = %s, updated_by_id = %s "
                f"FROM v WHERE {table}.id = v.id",
                [*params, db_datetime(updated_at), user_id],
            )


def _create_missing_reports(*, user, prepared, reports, now) -> None:
    """Draft reports for (unit, month) pairs that have none yet, with their first transition
    (two bulk inserts). On PostgreSQL `_lock_or_create_reports` has created them already."""
    missing: dict[tuple[int, dt.date], Report] = {}
    for p in prepared:
        key = (p.unit.id, p.row.period)
        if key not in reports and key not in missing:
            missing[key] = Report(division=p.unit, period=p.row.period, created_by=user)
    if not missing:
        return
    created = Report.objects.bulk_create(list(missing.values()))
    if any(r.pk is None for r in created):  # backends without RETURNING
        created = list(
            Report.objects.filter(
                division_id__in={k[0] for k in missing}, period__in={k[1] for k in missing}
            )
        )
    for rep in created:
        reports[(rep.division_id, rep.period)] = rep
    ReportTransition.objects.bulk_create(
        [
            ReportTransition(
                report=r, from_status="", to_status=ReportStatus.DRAFT, by=user, at=now
            )
            for r in created
        ]
    )
