"""One file over 500 lines: the YAML loader and the spreadsheet import share one parser and one upsert.

Writes to the catalogue: the shipped YAML loader and the spreadsheet import share one upsert.

Every entry point (``load_catalogue``, the portal import page) ends in `catalogue_apply`, which
validates every entry with ``full_clean()``, collects ALL errors (each naming its entry and
field), and saves nothing when any entry is bad. Rows are upserted by their natural keys
(programme code; indicator code; programme + indicator + deadline + scope level; goal code) and saved only when a value
really changed, so re-running a load writes no new history rows. Nothing is ever deleted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from core import numbers
from targets.models import (
    DEFAULT_PROGRAMME,
    DEFAULT_PROGRAMME_CODE,
    Indicator,
    Programme,
    ProgrammeGoal,
    ScopeLevel,
    Target,
    default_programme_id,
)

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"

# Fields a catalogue entry may set, per model (what the loader compares to decide "unchanged").
INDICATOR_FIELDS = (
    "code",
    "name_vi",
    "name_en",
    "pillar",
    "unit",
    "measurement",
    "numerator_label",
    "denominator_label",
    "numerator_label_en",
    "denominator_label_en",
    "direction",
    "division_aggregation",
    "time_aggregation",
    "counting_window",
    "frequency",
    "reports_province",
    "authoritative_level",
    "reports_district",
    "reports_commune",
    "min_value",
    "max_value",
    "whole_numbers",
    "definition_vi",
    "definition_en",
    "source_document",
    "source_date",
    "notes",
    "position",
    "is_active",
)
TARGET_FIELDS = (
    "wording_vi",
    "wording_en",
    "deadline",
    "scope_level",
    "kind",
    "value",
    "comparator",
    "baseline_value",
    "baseline_period",
    "baseline_provisional",
    "source_document",
    "notes",
)
GOAL_FIELDS = ("code", "text_vi", "text_en", "deadline_year", "position", "source_document")
PROGRAMME_FIELDS = (
    "code",
    "kind",
    "number",
    "issuer",
    "issued_on",
    "title_vi",
    "title_en",
    "first_year",
    "last_year",
    "source",
    "position",
)

LEVEL_NAMES = {
    "province": ScopeLevel.PROVINCE,
    "tinh": ScopeLevel.PROVINCE,
    "tỉnh": ScopeLevel.PROVINCE,
    "district": ScopeLevel.DISTRICT,
    "huyen": ScopeLevel.DISTRICT,
    "huyện": ScopeLevel.DISTRICT,
    "commune": ScopeLevel.COMMUNE,
    "xa": ScopeLevel.COMMUNE,
    "xã": ScopeLevel.COMMUNE,
}
LEVEL_FLAGS = {
    ScopeLevel.PROVINCE: "reports_province",
    ScopeLevel.DISTRICT: "reports_district",
    ScopeLevel.COMMUNE: "reports_commune",
}
TRUE_WORDS = {"1", "true", "yes", "x", "có", "co", "đúng", "dung"}
FALSE_WORDS = {"0", "false", "no", "", "không", "khong", "sai"}


# --------------------------------------------------------------------------- results, errors


@dataclass(frozen=True)
class EntryError:
    """One problem: which entry (file entry or spreadsheet row), which field, what is wrong."""

    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        if self.field:
            return _("%(entry)s, trường «%(field)s»: %(message)s") % {
                "entry": self.entry,
                "field": self.field,
                "message": self.message,
            }
        return f"{self.entry}: {self.message}"


class CatalogueErrors(ValidationError):
    """Raised with every entry error when a batch is refused; nothing of the batch is saved."""

    def __init__(self, errors: list[EntryError]):
        self.entries = list(errors)
        super().__init__([str(e) for e in self.entries])


@dataclass
class EntryOutcome:
    """What happened (or, in a dry run, would happen) to one entry."""

    entry: str
    kind: str  # "indicator" | "target" | "goal"
    key: str
    status: str  # "created" | "updated" | "unchanged"
    changed: list[str] = field(default_factory=list)


@dataclass
class CatalogueResult:
    outcomes: list[EntryOutcome] = field(default_factory=list)
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)

    def count(self, kind: str, status: str) -> int:
        return sum(1 for o in self.outcomes if o.kind == kind and o.status == status)

    def summary(self) -> str:
        parts = []
        for kind in ("programme", "indicator", "target", "goal"):
            parts.append(
                f"{kind}s: {self.count(kind, 'created')} created, "
                f"{self.count(kind, 'updated')} updated, {self.count(kind, 'unchanged')} unchanged"
            )
        return "; ".join(parts)


# --------------------------------------------------------------------------- inputs


@dataclass
class IndicatorInput:
    entry: str
    values: dict[str, Any]


@dataclass
class TargetInput:
    """A target; `indicator_code` and `programme_code` name rows of the batch or the database."""

    entry: str
    indicator_code: str
    values: dict[str, Any]
    programme_code: str = ""


@dataclass
class GoalInput:
    entry: str
    values: dict[str, Any]
    programme_code: str = ""


@dataclass
class ProgrammeInput:
    entry: str
    values: dict[str, Any]


# --------------------------------------------------------------------------- value parsing


class BadValue(Exception):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


def parse_decimal(value: Any, field_name: str) -> Decimal | None:
    """A number from YAML, Excel or CSV by the portal's one number rule, no convention assumed:
    "12,5", "12.5" and "1.234,5" are read; "1.500", which two conventions read differently, is
    refused naming both readings (a file's reader resolves it from the file's own convention
    first, see `targets.imports`). A trailing "%" is allowed.
    """
    if isinstance(value, str):
        value = value.strip().removesuffix("%")
    try:
        return numbers.parse(value, None)
    except numbers.AmbiguousNumber as exc:
        raise BadValue(
            field_name,
            exc.message + " " + _("Hãy ghi số không có dấu phân cách hàng nghìn, ví dụ 1500."),
        ) from exc
    except numbers.NumberError as exc:
        raise BadValue(field_name, exc.message) from exc


def parse_date(value: Any, field_name: str, *, year_means: str) -> dt.date | None:
    """A date from a date cell, "31/12/2025", "2025-12-31" or a bare year.

    A bare year means 31/12 of that year for a deadline (`year_means="end"`) and 1/1 for a
    baseline period (`year_means="start"`).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
        return dt.date(year, 12, 31) if year_means == "end" else dt.date(year, 1, 1)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise BadValue(
        field_name,
        _("«%(value)s» không phải là ngày hợp lệ (ví dụ: 31/12/2025 hoặc 2025).")
        % {"value": value},
    )


def parse_bool(value: Any, field_name: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(int(value))
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise BadValue(
        field_name, _("«%(value)s» không phải là giá trị có/không (1 hoặc 0).") % {"value": value}
    )


def parse_level(value: Any, field_name: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().lower() if value is not None else ""
    if text in {"1", "2", "3"}:
        return int(text)
    if text in LEVEL_NAMES:
        return int(LEVEL_NAMES[text])
    raise BadValue(
        field_name,
        _("«%(value)s» không phải là cấp hợp lệ: dùng 1 (tỉnh), 2 (huyện) hoặc 3 (xã).")
        % {"value": value},
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _int(value: Any, field_name: str) -> int:
    number = parse_decimal(value, field_name)
    if number is None or number != number.to_integral_value():
        raise BadValue(field_name, _("«%(value)s» không phải là số nguyên.") % {"value": value})
    return int(number)


# --------------------------------------------------------------------------- the upsert


def _field_label(model: type[models.Model], name: str) -> str:
    try:
        return f"{name} ({model._meta.get_field(name).verbose_name})"
    except Exception:  # a pseudo-field such as "levels"
        return name


def _errors_of(
    exc: ValidationError,
    entry: str,
    model: type[models.Model],
    rename: dict[str, str] | None = None,
) -> list[EntryError]:
    rename = rename or {}
    out = []
    for name, messages in exc.message_dict.items():
        shown = "" if name == "__all__" else _field_label(model, rename.get(name, name))
        out.extend(EntryError(entry, shown, m) for m in messages)
    return out


def _assign(obj: models.Model, values: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """Set values on obj; return the values the given fields had before."""
    before = {f: getattr(obj, f) for f in fields}
    for name, value in values.items():
        setattr(obj, name, value)
    return before


def _changed(obj: models.Model, before: dict[str, Any]) -> list[str]:
    return [name for name, old in before.items() if getattr(obj, name) != old]


def _save(obj: models.Model, *, user, reason: str) -> None:
    obj._change_reason = reason
    if user is not None:
        obj._history_user = user
    obj.save()


def _upsert(
    obj: models.Model,
    current: models.Model | None,
    before: dict[str, Any],
    outcome: tuple[str, str, str],
    *,
    result: CatalogueResult,
    user,
    reason: str,
) -> None:
    """Save a validated row only when it is new or a value changed, and record the outcome."""
    entry, kind, label = outcome
    if current is None:
        _save(obj, user=user, reason=reason)
        result.outcomes.append(EntryOutcome(entry, kind, label, "created"))
    elif changed := _changed(obj, before):
        _save(obj, user=user, reason=reason)
        result.outcomes.append(EntryOutcome(entry, kind, label, "updated", changed))
    else:
        result.outcomes.append(EntryOutcome(entry, kind, label, "unchanged"))


@dataclass
class _Batch:
    """What one catalogue run shares between its steps: rows by code, errors, outcomes."""

    result: CatalogueResult
    user: Any
    reason: str
    errors: list[EntryError] = field(default_factory=list)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    programmes: dict[str, Programme] = field(default_factory=dict)
    seen_indicators: dict[str, str] = field(default_factory=dict)
    bad_indicators: set[str] = field(default_factory=set)
    seen_programmes: dict[str, str] = field(default_factory=dict)
    bad_programmes: set[str] = field(default_factory=set)

    def save(self, obj, current, before, outcome) -> None:
        _upsert(
            obj, current, before, outcome, result=self.result, user=self.user, reason=self.reason
        )


@transaction.atomic
def catalogue_apply(
    *,
    programmes: Sequence[ProgrammeInput] = (),
    indicators: Sequence[IndicatorInput] = (),
    targets: Sequence[TargetInput] = (),
    goals: Sequence[GoalInput] = (),
    user=None,
    dry_run: bool = False,
    reason: str = "catalogue",
) -> CatalogueResult:
    """Upsert programmes, indicators, then targets, then programme goals; all or nothing.

    Raises `CatalogueErrors` listing every bad entry and field; in that case (and in a dry
    run) the transaction is rolled back, so nothing is saved. Unchanged rows are not saved
    again, so no history row is written for them.
    """
    batch = _Batch(result=CatalogueResult(dry_run=dry_run), user=user, reason=reason)
    # The whole catalogue is a few dozen rows: one query each, then dictionaries.
    batch.programmes = Programme.objects.in_bulk(field_name="code")
    batch.indicators = Indicator.objects.in_bulk(field_name="code")
    _apply_programmes(batch, programmes)
    named = {i.programme_code for i in targets} | {i.programme_code for i in goals}
    if DEFAULT_PROGRAMME_CODE in named and DEFAULT_PROGRAMME_CODE not in batch.programmes:
        # Resolution 05-NQ/TU is always there, as for targets created without a programme.
        batch.programmes[DEFAULT_PROGRAMME_CODE] = Programme.objects.get(pk=default_programme_id())
    _apply_indicators(batch, indicators)
    _apply_targets(batch, targets)
    _apply_goals(batch, goals)
    if batch.errors:
        raise CatalogueErrors(batch.errors)
    if dry_run:
        transaction.set_rollback(True)
    return batch.result


def _apply_programmes(batch: _Batch, items: Sequence[ProgrammeInput]) -> None:
    for item in items:
        _apply_by_code(
            batch,
            item,
            Programme,
            PROGRAMME_FIELDS,
            seen=batch.seen_programmes,
            stored=batch.programmes,
            bad=batch.bad_programmes,
            duplicate=lambda code, _other: (
                _("Mã chương trình %(code)s bị khai báo hai lần.") % {"code": code}
            ),
        )


def _apply_indicators(batch: _Batch, items: Sequence[IndicatorInput]) -> None:
    for item in items:
        _apply_by_code(
            batch,
            item,
            Indicator,
            INDICATOR_FIELDS,
            seen=batch.seen_indicators,
            stored=batch.indicators,
            bad=batch.bad_indicators,
            duplicate=lambda code, other: (
                _("Mã chỉ tiêu %(code)s bị trùng với %(other)s.") % {"code": code, "other": other}
            ),
        )


def _apply_by_code(batch: _Batch, item, model, fields, *, seen, stored, bad, duplicate) -> None:
    """Upsert one programme or indicator matched by its code; a code given earlier in the same
    batch is refused (`duplicate(code, earlier entry)` says so)."""
    code = item.values.get("code", "")
    if code in seen:
        field_label = _field_label(model, "code")
        batch.errors.append(EntryError(item.entry, field_label, duplicate(code, seen[code])))
        return
    seen[code] = item.entry
    current = stored.get(code)
    obj = current if current is not None else model()
    before = _assign(obj, item.values, fields)
    try:
        # Uniqueness is the upsert key itself; the database constraint still guards it.
        obj.full_clean(validate_unique=False)
    except ValidationError as exc:
        batch.errors.extend(_errors_of(exc, item.entry, model))
        bad.add(code)
        return
    batch.save(obj, current, before, (item.entry, model._meta.model_name, code))
    stored[code] = obj


def _programme_of(batch: _Batch, entry: str, code: str, model) -> Programme | None:
    """The programme a target or goal names, or None after recording why it cannot be used."""
    if code in batch.bad_programmes:
        return None  # its programme entry is refused and already named in the errors
    programme = batch.programmes.get(code)
    if programme is None:
        known = ", ".join(sorted(batch.programmes)) or "—"
        message = (
            _("Không có chương trình nào có mã «%(code)s» (các mã đã khai báo: %(known)s).")
            % {"code": code, "known": known}
            if code
            else _("thiếu mã chương trình (các mã đã khai báo: %(known)s).") % {"known": known}
        )
        batch.errors.append(EntryError(entry, _field_label(model, "programme"), message))
    return programme


def _indicator_of(batch: _Batch, item: TargetInput) -> Indicator | None:
    if item.indicator_code in batch.bad_indicators:
        return None  # its indicator entry is refused and already named in the errors
    indicator = batch.indicators.get(item.indicator_code)
    if indicator is None and item.indicator_code not in batch.seen_indicators:
        batch.errors.append(
            EntryError(
                item.entry,
                _field_label(Target, "indicator"),
                _("Không có chỉ tiêu nào có mã «%(code)s».") % {"code": item.indicator_code},
            )
        )
    return indicator


def _apply_targets(batch: _Batch, items: Sequence[TargetInput]) -> None:
    existing = {
        (t.programme_id, t.indicator_id, t.deadline, t.scope_level): t
        for t in Target.objects.select_related("indicator")
    }
    seen: dict[tuple, str] = {}
    for item in items:
        indicator = _indicator_of(batch, item)
        programme = _programme_of(batch, item.entry, item.programme_code, Target)
        if indicator is None or programme is None:
            continue
        key = (
            programme.pk,
            indicator.pk,
            item.values.get("deadline"),
            item.values.get("scope_level"),
        )
        if key in seen:
            batch.errors.append(
                EntryError(
                    item.entry,
                    _field_label(Target, "scope_level"),
                    _(
                        "Chỉ tiêu %(code)s đã có mục tiêu cùng chương trình, thời hạn và phạm vi "
                        "ở %(other)s; mỗi chương trình chỉ có một mục tiêu cho mỗi thời hạn và "
                        "phạm vi."
                    )
                    % {"code": indicator.code, "other": seen[key]},
                )
            )
            continue
        seen[key] = item.entry
        current = existing.get(key)
        obj = current if current is not None else Target(indicator=indicator, programme=programme)
        obj.indicator = indicator  # the instance just saved above, with its new levels
        obj.programme = programme
        before = _assign(obj, item.values, TARGET_FIELDS)
        try:
            # Indicator and programme were resolved above: skip the per-row FK queries.
            obj.full_clean(exclude=["indicator", "programme"], validate_unique=False)
        except ValidationError as exc:
            batch.errors.extend(_errors_of(exc, item.entry, Target))
            continue
        label = f"{indicator.code} {_format_key(key[1:])} ({programme.number})"
        batch.save(obj, current, before, (item.entry, "target", label))


def _apply_goals(batch: _Batch, items: Sequence[GoalInput]) -> None:
    goals_by_code = ProgrammeGoal.objects.in_bulk(field_name="code")
    seen: dict[str, str] = {}
    for item in items:
        code = item.values.get("code", "")
        if code in seen:
            batch.errors.append(
                EntryError(
                    item.entry,
                    _field_label(ProgrammeGoal, "code"),
                    _("Mã mục tiêu tổng quát %(code)s bị trùng với %(other)s.")
                    % {"code": code, "other": seen[code]},
                )
            )
            continue
        seen[code] = item.entry
        programme = _programme_of(batch, item.entry, item.programme_code, ProgrammeGoal)
        if programme is None:
            continue
        current = goals_by_code.get(code)
        obj = current if current is not None else ProgrammeGoal(programme=programme)
        obj.programme = programme
        before = _assign(obj, item.values, GOAL_FIELDS)
        try:
            obj.full_clean(exclude=["programme"], validate_unique=False)
        except ValidationError as exc:
            batch.errors.extend(_errors_of(exc, item.entry, ProgrammeGoal))
            continue
        batch.save(obj, current, before, (item.entry, "goal", code))


def _format_key(key: tuple) -> str:
    _pk, deadline, level = key
    when = deadline.strftime("%d/%m/%Y") if isinstance(deadline, dt.date) else str(deadline)
    try:
        scope = str(ScopeLevel(level).label)
    except ValueError:
        scope = str(level)
    return f"{when} · {scope}"


# --------------------------------------------------------------------------- YAML catalogue

_INDICATOR_KEYS = set(INDICATOR_FIELDS) - {
    "reports_province",
    "reports_district",
    "reports_commune",
} | {"levels", "targets"}
_TARGET_KEYS = set(TARGET_FIELDS)
_GOAL_KEYS = set(GOAL_FIELDS)
_PROGRAMME_KEYS = set(PROGRAMME_FIELDS)
# `programme` names the programme of every target and goal of the file (a target may name
# another one); `programmes` declares programmes (programmes.yaml).
_FILE_KEYS = {"defaults", "programme", "programmes", "indicators", "programme_goals"}

# Defaults a YAML entry gets for keys it leaves out: the YAML file is the whole truth for the
# entries it lists, so a removed key resets the field instead of keeping a stale value.
_INDICATOR_DEFAULTS = {
    "numerator_label": "",
    "denominator_label": "",
    "numerator_label_en": "",
    "denominator_label_en": "",
    "frequency": "monthly",
    "authoritative_level": None,
    "min_value": Decimal("0"),
    "max_value": None,
    "whole_numbers": False,
    "definition_vi": "",
    "definition_en": "",
    "source_document": "",
    "source_date": None,
    "notes": "",
    "position": 0,
    "is_active": True,
}
_TARGET_DEFAULTS = {
    "wording_en": "",
    "kind": "absolute",
    "baseline_value": None,
    "baseline_period": None,
    "baseline_provisional": False,
    "source_document": "",
    "notes": "",
}


def _target_values(raw: dict[str, Any], field_names: Iterable[str]) -> dict[str, Any]:
    """Typed target values from raw cells/YAML values; raises BadValue for the first bad one."""
    values: dict[str, Any] = {}
    for name in field_names:
        if name not in raw:
            continue
        value = raw[name]
        if name in ("value", "baseline_value"):
            values[name] = parse_decimal(value, name)
        elif name == "deadline":
            values[name] = parse_date(value, name, year_means="end")
        elif name == "baseline_period":
            values[name] = parse_date(value, name, year_means="start")
        elif name == "scope_level":
            values[name] = parse_level(value, name)
        elif name == "baseline_provisional":
            values[name] = parse_bool(value, name)
        else:
            values[name] = _text(value)
    return values


def _indicator_values(raw: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if name in ("targets", "levels"):
            continue
        if name in ("min_value", "max_value"):
            values[name] = parse_decimal(value, name)
        elif name == "source_date":
            values[name] = parse_date(value, name, year_means="start")
        elif name in ("whole_numbers", "is_active", *LEVEL_FLAGS.values()):
            values[name] = parse_bool(value, name)
        elif name == "position":
            values[name] = _int(value, name)
        elif name == "authoritative_level":
            values[name] = None if value in (None, "") else parse_level(value, name)
        else:
            values[name] = _text(value)
    if "levels" in raw:
        levels = raw["levels"]
        if not isinstance(levels, list):
            raise BadValue("levels", _("«levels» phải là danh sách, ví dụ [province, district]."))
        chosen = {parse_level(level, "levels") for level in levels}
        for level, flag in LEVEL_FLAGS.items():
            values[flag] = level in chosen
    return values


def _as_list(value: Any, entry: str, key: str, errors: list[EntryError]) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(EntryError(entry, key, _("phải là một danh sách.")))
        return []
    return value


@dataclass
class CatalogueInputs:
    programmes: list[ProgrammeInput] = field(default_factory=list)
    indicators: list[IndicatorInput] = field(default_factory=list)
    targets: list[TargetInput] = field(default_factory=list)
    goals: list[GoalInput] = field(default_factory=list)
    errors: list[EntryError] = field(default_factory=list)


def _read_yaml(path: Path, errors: list[EntryError]) -> dict | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        errors.append(EntryError(path.name, "", _("YAML không hợp lệ: %(e)s") % {"e": exc}))
        return None
    if not isinstance(data, dict):
        errors.append(EntryError(path.name, "", _("tệp phải là một bảng khóa: giá trị.")))
        return None
    for key in set(data) - _FILE_KEYS:
        errors.append(EntryError(path.name, key, _("khóa không được hỗ trợ.")))
    return data


def _entries(data: dict, key: str, path: Path, out: CatalogueInputs, what: str):
    """(entry label, raw dict, unknown keys) of each entry of a list of the file."""
    allowed = {
        "programmes": _PROGRAMME_KEYS,
        "indicators": _INDICATOR_KEYS,
        "programme_goals": _GOAL_KEYS | {"programme"},
    }[key]
    for n, raw in enumerate(_as_list(data.get(key), path.name, key, out.errors), 1):
        code = raw.get("code", "") if isinstance(raw, dict) else ""
        entry = f"{path.name} › {code or f'#{n}'}"
        if not isinstance(raw, dict):
            out.errors.append(EntryError(entry, "", what))
            continue
        unknown = set(raw) - allowed
        for name in sorted(unknown):
            out.errors.append(EntryError(entry, name, _("khóa không được hỗ trợ.")))
        yield entry, raw, unknown


def _read_programmes(data: dict, path: Path, out: CatalogueInputs) -> None:
    what = _("mỗi chương trình phải là một bảng khóa.")
    for entry, raw, unknown in _entries(data, "programmes", path, out, what):
        merged = {"title_en": "", "source": "", "position": 0, "issued_on": None}
        merged |= {k: v for k, v in raw.items() if k not in unknown}
        try:
            values = {
                k: (
                    _int(v, k)
                    if k in ("first_year", "last_year", "position")
                    else parse_date(v, k, year_means="start")
                    if k == "issued_on"
                    else _text(v)
                )
                for k, v in merged.items()
            }
        except BadValue as exc:
            out.errors.append(EntryError(entry, _field_label(Programme, exc.field), exc.message))
            continue
        out.programmes.append(ProgrammeInput(entry, values))


def _read_indicators(data: dict, path: Path, out: CatalogueInputs) -> None:
    defaults = data.get("defaults") or {}
    file_programme = _text(data.get("programme"))
    what = _("mỗi chỉ tiêu phải là một bảng khóa.")
    for entry, raw, unknown in _entries(data, "indicators", path, out, what):
        if "counting_window" not in raw:
            # Declared for every indicator, never guessed: it decides which months count.
            out.errors.append(
                EntryError(
                    entry,
                    "counting_window",
                    _("thiếu khoảng cộng dồn (cumulative, year_to_date hoặc latest)."),
                )
            )
        merged = {
            **_INDICATOR_DEFAULTS,
            **{k: v for k, v in defaults.items() if k in _INDICATOR_KEYS},
            **{k: v for k, v in raw.items() if k not in unknown},
        }
        try:
            values = _indicator_values(merged)
        except BadValue as exc:
            out.errors.append(EntryError(entry, _field_label(Indicator, exc.field), exc.message))
            continue
        out.indicators.append(IndicatorInput(entry, values))
        target_defaults = {k: v for k, v in defaults.items() if k in _TARGET_KEYS}
        for m, raw_target in enumerate(
            _as_list(raw.get("targets"), entry, "targets", out.errors), 1
        ):
            t_entry = _("%(entry)s › mục tiêu thứ %(n)s") % {"entry": entry, "n": m}
            _read_target(
                raw_target, t_entry, values.get("code", ""), target_defaults, file_programme, out
            )


def _read_target(raw, entry: str, code: str, defaults: dict, programme: str, out) -> None:
    if not isinstance(raw, dict):
        out.errors.append(EntryError(entry, "", _("mỗi mục tiêu phải là một bảng khóa.")))
        return
    unknown = set(raw) - _TARGET_KEYS - {"programme"}
    for key in sorted(unknown):
        out.errors.append(EntryError(entry, key, _("khóa không được hỗ trợ.")))
    merged = {
        **_TARGET_DEFAULTS,
        **defaults,
        **{k: v for k, v in raw.items() if k not in unknown},
    }
    try:
        values = _target_values(merged, TARGET_FIELDS)
    except BadValue as exc:
        out.errors.append(EntryError(entry, _field_label(Target, exc.field), exc.message))
        return
    programme_code = _text(raw.get("programme")) or programme
    out.targets.append(TargetInput(entry, code, values, programme_code))


def _read_goals(data: dict, path: Path, out: CatalogueInputs) -> None:
    defaults = data.get("defaults") or {}
    file_programme = _text(data.get("programme"))
    what = _("mỗi mục tiêu phải là một bảng khóa.")
    for entry, raw, unknown in _entries(data, "programme_goals", path, out, what):
        merged = {
            "text_en": "",
            "position": 0,
            "source_document": "",
            **{k: v for k, v in defaults.items() if k in _GOAL_KEYS},
            **{k: v for k, v in raw.items() if k not in unknown and k != "programme"},
        }
        try:
            values = {
                k: (_int(v, k) if k in ("deadline_year", "position") else _text(v))
                for k, v in merged.items()
            }
        except BadValue as exc:
            out.errors.append(
                EntryError(entry, _field_label(ProgrammeGoal, exc.field), exc.message)
            )
            continue
        programme_code = _text(raw.get("programme")) or file_programme
        out.goals.append(GoalInput(entry, values, programme_code))


def catalogue_inputs_from_yaml(directory: Path = CATALOGUE_DIR) -> CatalogueInputs:
    """Read every *.yaml file of the catalogue directory into loader inputs.

    Raises `CatalogueErrors` for malformed files, unknown keys or values that cannot be
    parsed, naming the file, the entry and the field.
    """
    out = CatalogueInputs()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogueErrors(
            [EntryError(str(directory), "", _("Không tìm thấy tệp YAML nào của danh mục."))]
        )
    for path in files:
        data = _read_yaml(path, out.errors)
        if data is None:
            continue
        if not isinstance(data.get("defaults") or {}, dict):
            out.errors.append(
                EntryError(path.name, "defaults", _("phải là một bảng khóa: giá trị."))
            )
            data["defaults"] = {}
        _read_programmes(data, path, out)
        _read_indicators(data, path, out)
        _read_goals(data, path, out)
    if out.errors:
        raise CatalogueErrors(out.errors)
    return out


def catalogue_load(
    *, directory: Path = CATALOGUE_DIR, dry_run: bool = False, user=None
) -> CatalogueResult:
    """Load the reviewed catalogue shipped in targets/catalogue/ (idempotent, never deletes)."""
    inputs = catalogue_inputs_from_yaml(directory)
    return catalogue_apply(
        programmes=inputs.programmes,
        indicators=inputs.indicators,
        targets=inputs.targets,
        goals=inputs.goals,
        user=user,
        dry_run=dry_run,
        reason="load_catalogue",
    )


# --------------------------------------------------------------------------- spreadsheet rows

# Columns of the target spreadsheet (the same names as the admin's export).
TARGET_COLUMNS = ("programme", "indicator", *TARGET_FIELDS)
REQUIRED_TARGET_COLUMNS = (
    "indicator",
    "deadline",
    "scope_level",
    "value",
    "comparator",
)
IGNORED_COLUMNS = {"id"}


def target_inputs_from_rows(rows: list[tuple[int, dict[str, Any]]]) -> list[TargetInput]:
    """Turn spreadsheet rows (number, {column: cell}) into target inputs.

    Only the columns present are applied to an existing target; a new target takes the model
    defaults for the others. Raises `CatalogueErrors` naming the row and column of bad cells.
    """
    errors: list[EntryError] = []
    inputs: list[TargetInput] = []
    if rows:
        columns = set(rows[0][1])
        missing = [c for c in REQUIRED_TARGET_COLUMNS if c not in columns]
        unknown = sorted(columns - set(TARGET_COLUMNS) - IGNORED_COLUMNS)
        if missing:
            errors.append(
                EntryError(
                    _("Dòng tiêu đề"),
                    ", ".join(missing),
                    _("thiếu cột bắt buộc. Hãy dùng tệp mẫu."),
                )
            )
        if unknown:
            errors.append(
                EntryError(
                    _("Dòng tiêu đề"),
                    ", ".join(unknown),
                    _("cột không được nhận ra (các cột hợp lệ: %(cols)s).")
                    % {"cols": ", ".join(TARGET_COLUMNS)},
                )
            )
        if errors:
            raise CatalogueErrors(errors)
    for number, row in rows:
        entry = _("Dòng %(n)s") % {"n": number}
        code = _text(row.get("indicator"))
        try:
            values = _target_values(row, TARGET_FIELDS)
        except BadValue as exc:
            errors.append(EntryError(entry, _field_label(Target, exc.field), exc.message))
            continue
        for name in ("deadline", "scope_level", "value", "comparator"):
            if values.get(name) in (None, ""):
                errors.append(
                    EntryError(entry, _field_label(Target, name), _("ô này không được để trống."))
                )
        if not code:
            errors.append(
                EntryError(entry, _field_label(Target, "indicator"), _("thiếu mã chỉ tiêu."))
            )
        # An empty programme cell is refused by `catalogue_apply`, which lists the known codes.
        programme = _text(row["programme"]) if "programme" in row else DEFAULT_PROGRAMME_CODE
        inputs.append(TargetInput(entry, code, values, programme))
    if errors:
        raise CatalogueErrors(errors)
    return inputs


def targets_import(
    *, rows: list[tuple[int, dict[str, Any]]], user, dry_run: bool
) -> CatalogueResult:
    """Import targets from spreadsheet rows, all or nothing (see `catalogue_apply`).

    Files made before programmes were data have no `programme` column: all their targets were
    Resolution 05-NQ/TU's, so they are read as such, and the preview says so.
    """
    result = catalogue_apply(
        targets=target_inputs_from_rows(rows), user=user, dry_run=dry_run, reason="import"
    )
    if rows and "programme" not in rows[0][1]:
        result.notes.append(
            _(
                "Tệp không có cột «programme»: các mục tiêu được ghi cho %(number)s. Để nhập "
                "mục tiêu của chương trình khác, hãy thêm cột «programme» với mã chương trình."
            )
            % {"number": DEFAULT_PROGRAMME["number"]}
        )
    return result
