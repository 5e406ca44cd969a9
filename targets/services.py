"""Writes to the catalogue: the shipped YAML loader and the spreadsheet import share one upsert.

Every entry point (``load_catalogue``, the portal import page) ends in `catalogue_apply`, which
validates every entry with ``full_clean()``, collects ALL errors (each naming its entry and
field), and saves nothing when any entry is bad. Rows are upserted by their natural keys
(indicator code; indicator + deadline + scope level; goal code) and saved only when a value
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

from camau_cds import numbers
from targets.models import Indicator, ProgrammeGoal, ScopeLevel, Target

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

    def count(self, kind: str, status: str) -> int:
        return sum(1 for o in self.outcomes if o.kind == kind and o.status == status)

    def summary(self) -> str:
        parts = []
        for kind in ("indicator", "target", "goal"):
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
    """A target; `indicator_code` names an indicator of the batch or of the database."""

    entry: str
    indicator_code: str
    values: dict[str, Any]


@dataclass
class GoalInput:
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


@transaction.atomic
def catalogue_apply(
    *,
    indicators: Sequence[IndicatorInput] = (),
    targets: Sequence[TargetInput] = (),
    goals: Sequence[GoalInput] = (),
    user=None,
    dry_run: bool = False,
    reason: str = "catalogue",
) -> CatalogueResult:
    """Upsert indicators, then targets, then programme goals; all or nothing.

    Raises `CatalogueErrors` listing every bad entry and field; in that case (and in a dry
    run) the transaction is rolled back, so nothing is saved. Unchanged rows are not saved
    again, so no history row is written for them.
    """
    errors: list[EntryError] = []
    result = CatalogueResult(dry_run=dry_run)

    # The whole catalogue is a few dozen rows: one query each, then dictionaries.
    by_code: dict[str, Indicator] = Indicator.objects.in_bulk(field_name="code")
    seen_codes: dict[str, str] = {}
    bad_codes: set[str] = set()
    for item in indicators:
        code = item.values.get("code", "")
        if code in seen_codes:
            errors.append(
                EntryError(
                    item.entry,
                    _field_label(Indicator, "code"),
                    _("Mã chỉ tiêu %(code)s bị trùng với %(other)s.")
                    % {"code": code, "other": seen_codes[code]},
                )
            )
            continue
        seen_codes[code] = item.entry
        current = by_code.get(code)
        obj = current if current is not None else Indicator()
        before = _assign(obj, item.values, INDICATOR_FIELDS)
        try:
            # Uniqueness is the upsert key itself; the database constraint still guards it.
            obj.full_clean(validate_unique=False)
        except ValidationError as exc:
            errors.extend(_errors_of(exc, item.entry, Indicator))
            bad_codes.add(code)
            continue
        if current is None:
            _save(obj, user=user, reason=reason)
            by_code[code] = obj
            result.outcomes.append(EntryOutcome(item.entry, "indicator", code, "created"))
        elif changed := _changed(obj, before):
            _save(obj, user=user, reason=reason)
            result.outcomes.append(EntryOutcome(item.entry, "indicator", code, "updated", changed))
        else:
            result.outcomes.append(EntryOutcome(item.entry, "indicator", code, "unchanged"))

    existing_targets = {
        (t.indicator_id, t.deadline, t.scope_level): t
        for t in Target.objects.select_related("indicator")
    }
    seen_targets: dict[tuple, str] = {}
    for item in targets:
        if item.indicator_code in bad_codes:
            continue  # its indicator entry is refused and already named in the errors
        indicator = by_code.get(item.indicator_code)
        if indicator is None:
            if item.indicator_code not in seen_codes:  # a bad indicator entry already said why
                errors.append(
                    EntryError(
                        item.entry,
                        _field_label(Target, "indicator"),
                        _("Không có chỉ tiêu nào có mã «%(code)s».")
                        % {"code": item.indicator_code},
                    )
                )
            continue
        key = (indicator.pk, item.values.get("deadline"), item.values.get("scope_level"))
        if key in seen_targets:
            errors.append(
                EntryError(
                    item.entry,
                    _field_label(Target, "scope_level"),
                    _(
                        "Chỉ tiêu %(code)s đã có mục tiêu cùng thời hạn và phạm vi ở %(other)s; "
                        "mỗi thời hạn và phạm vi chỉ có một mục tiêu."
                    )
                    % {"code": indicator.code, "other": seen_targets[key]},
                )
            )
            continue
        seen_targets[key] = item.entry
        current = existing_targets.get(key)
        obj = current if current is not None else Target(indicator=indicator)
        obj.indicator = indicator  # the instance just saved above, with its new levels
        before = _assign(obj, item.values, TARGET_FIELDS)
        label = f"{indicator.code} {_format_key(key)}"
        try:
            # The indicator was resolved from the database above: skip the per-row FK query.
            obj.full_clean(exclude=["indicator"], validate_unique=False)
        except ValidationError as exc:
            errors.extend(_errors_of(exc, item.entry, Target))
            continue
        if current is None:
            _save(obj, user=user, reason=reason)
            result.outcomes.append(EntryOutcome(item.entry, "target", label, "created"))
        elif changed := _changed(obj, before):
            _save(obj, user=user, reason=reason)
            result.outcomes.append(EntryOutcome(item.entry, "target", label, "updated", changed))
        else:
            result.outcomes.append(EntryOutcome(item.entry, "target", label, "unchanged"))

    goals_by_code = ProgrammeGoal.objects.in_bulk(field_name="code")
    seen_goals: dict[str, str] = {}
    for item in goals:
        code = item.values.get("code", "")
        if code in seen_goals:
            errors.append(
                EntryError(
                    item.entry,
                    _field_label(ProgrammeGoal, "code"),
                    _("Mã mục tiêu tổng quát %(code)s bị trùng với %(other)s.")
                    % {"code": code, "other": seen_goals[code]},
                )
            )
            continue
        seen_goals[code] = item.entry
        current = goals_by_code.get(code)
        obj = current if current is not None else ProgrammeGoal()
        before = _assign(obj, item.values, GOAL_FIELDS)
        try:
            obj.full_clean(validate_unique=False)
        except ValidationError as exc:
            errors.extend(_errors_of(exc, item.entry, ProgrammeGoal))
            continue
        if current is None:
            _save(obj, user=user, reason=reason)
            result.outcomes.append(EntryOutcome(item.entry, "goal", code, "created"))
        elif changed := _changed(obj, before):
            _save(obj, user=user, reason=reason)
            result.outcomes.append(EntryOutcome(item.entry, "goal", code, "updated", changed))
        else:
            result.outcomes.append(EntryOutcome(item.entry, "goal", code, "unchanged"))

    if errors:
        raise CatalogueErrors(errors)
    if dry_run:
        transaction.set_rollback(True)
    return result


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
_FILE_KEYS = {"defaults", "indicators", "programme_goals"}

# Defaults a YAML entry gets for keys it leaves out: the YAML file is the whole truth for the
# entries it lists, so a removed key resets the field instead of keeping a stale value.
_INDICATOR_DEFAULTS = {
    "numerator_label": "",
    "denominator_label": "",
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


def catalogue_inputs_from_yaml(
    directory: Path = CATALOGUE_DIR,
) -> tuple[list[IndicatorInput], list[TargetInput], list[GoalInput]]:
    """Read every *.yaml file of the catalogue directory into loader inputs.

    Raises `CatalogueErrors` for malformed files, unknown keys or values that cannot be
    parsed, naming the file, the entry and the field.
    """
    indicators: list[IndicatorInput] = []
    targets: list[TargetInput] = []
    goals: list[GoalInput] = []
    errors: list[EntryError] = []
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogueErrors(
            [EntryError(str(directory), "", _("Không tìm thấy tệp YAML nào của danh mục."))]
        )
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            errors.append(EntryError(path.name, "", _("YAML không hợp lệ: %(e)s") % {"e": exc}))
            continue
        if not isinstance(data, dict):
            errors.append(EntryError(path.name, "", _("tệp phải là một bảng khóa: giá trị.")))
            continue
        for key in set(data) - _FILE_KEYS:
            errors.append(EntryError(path.name, key, _("khóa không được hỗ trợ.")))
        defaults = data.get("defaults") or {}
        if not isinstance(defaults, dict):
            errors.append(EntryError(path.name, "defaults", _("phải là một bảng khóa: giá trị.")))
            defaults = {}
        for n, raw in enumerate(
            _as_list(data.get("indicators"), path.name, "indicators", errors), 1
        ):
            code = raw.get("code", "") if isinstance(raw, dict) else ""
            entry = f"{path.name} › {code or f'#{n}'}"
            if not isinstance(raw, dict):
                errors.append(EntryError(entry, "", _("mỗi chỉ tiêu phải là một bảng khóa.")))
                continue
            unknown = set(raw) - _INDICATOR_KEYS
            for key in sorted(unknown):
                errors.append(EntryError(entry, key, _("khóa không được hỗ trợ.")))
            if "counting_window" not in raw:
                # Declared for every indicator, never guessed: it decides which months count.
                errors.append(
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
                errors.append(EntryError(entry, _field_label(Indicator, exc.field), exc.message))
                continue
            indicators.append(IndicatorInput(entry, values))
            target_defaults = {k: v for k, v in defaults.items() if k in _TARGET_KEYS}
            for m, raw_target in enumerate(
                _as_list(raw.get("targets"), entry, "targets", errors), 1
            ):
                t_entry = _("%(entry)s › mục tiêu thứ %(n)s") % {"entry": entry, "n": m}
                if not isinstance(raw_target, dict):
                    errors.append(EntryError(t_entry, "", _("mỗi mục tiêu phải là một bảng khóa.")))
                    continue
                t_unknown = set(raw_target) - _TARGET_KEYS
                for key in sorted(t_unknown):
                    errors.append(EntryError(t_entry, key, _("khóa không được hỗ trợ.")))
                t_merged = {
                    **_TARGET_DEFAULTS,
                    **target_defaults,
                    **{k: v for k, v in raw_target.items() if k not in t_unknown},
                }
                try:
                    t_values = _target_values(t_merged, TARGET_FIELDS)
                except BadValue as exc:
                    errors.append(EntryError(t_entry, _field_label(Target, exc.field), exc.message))
                    continue
                targets.append(TargetInput(t_entry, values.get("code", ""), t_values))
        goal_list = _as_list(data.get("programme_goals"), path.name, "programme_goals", errors)
        for n, raw in enumerate(goal_list, 1):
            code = raw.get("code", "") if isinstance(raw, dict) else ""
            entry = f"{path.name} › {code or f'#{n}'}"
            if not isinstance(raw, dict):
                errors.append(EntryError(entry, "", _("mỗi mục tiêu phải là một bảng khóa.")))
                continue
            unknown = set(raw) - _GOAL_KEYS
            for key in sorted(unknown):
                errors.append(EntryError(entry, key, _("khóa không được hỗ trợ.")))
            merged = {
                "text_en": "",
                "position": 0,
                "source_document": "",
                **{k: v for k, v in defaults.items() if k in _GOAL_KEYS},
                **{k: v for k, v in raw.items() if k not in unknown},
            }
            try:
                values = {
                    k: (_int(v, k) if k in ("deadline_year", "position") else _text(v))
                    for k, v in merged.items()
                }
            except BadValue as exc:
                errors.append(
                    EntryError(entry, _field_label(ProgrammeGoal, exc.field), exc.message)
                )
                continue
            goals.append(GoalInput(entry, values))
    if errors:
        raise CatalogueErrors(errors)
    return indicators, targets, goals


def catalogue_load(
    *, directory: Path = CATALOGUE_DIR, dry_run: bool = False, user=None
) -> CatalogueResult:
    """Load the reviewed catalogue shipped in targets/catalogue/ (idempotent, never deletes)."""
    indicators, targets, goals = catalogue_inputs_from_yaml(directory)
    return catalogue_apply(
        indicators=indicators,
        targets=targets,
        goals=goals,
        user=user,
        dry_run=dry_run,
        reason="load_catalogue",
    )


# --------------------------------------------------------------------------- spreadsheet rows

# Columns of the target spreadsheet (the same names as the admin's export).
TARGET_COLUMNS = ("indicator", *TARGET_FIELDS)
REQUIRED_TARGET_COLUMNS = ("indicator", "deadline", "scope_level", "value", "comparator")
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
        inputs.append(TargetInput(entry, code, values))
    if errors:
        raise CatalogueErrors(errors)
    return inputs


def targets_import(
    *, rows: list[tuple[int, dict[str, Any]]], user, dry_run: bool
) -> CatalogueResult:
    """Import targets from spreadsheet rows, all or nothing (see `catalogue_apply`)."""
    return catalogue_apply(
        targets=target_inputs_from_rows(rows), user=user, dry_run=dry_run, reason="import"
    )
