"""One file over 500 lines: reading, checking and previewing an upload share the cell and error types.

Excel/CSV import and template of the monthly figures: one unit's month, or one file covering
every unit and month of the uploader's scope (its template: every unit of the scope, one month).

Reading: the file becomes a tablib Dataset; `parse_rows` reads each distinct cell text once
with the column's django-import-export widget, turning rows into `FigureInput`s and reporting
cell-level problems; then `data_values_upsert` validates and writes everything in one
transaction, exactly as the form does, in a constant number of statements whatever the
number of rows, units and months. Nothing is written row by row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import io
import itertools
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import tablib
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from import_export import widgets
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from core import months as periods
from core import numbers, uploads
from core.uploads import UploadError
from divisions import access
from divisions.models import Division
from reports import selectors
from reports.models import Channel, DataValue
from reports.models import Source as FigureSource
from reports.services import FigureErrors, FigureInput, UpsertResult, data_values_upsert
from targets.models import Indicator, Measurement

COLUMNS = (
    "indicator_code",
    "indicator_name",
    "division_code",
    "division_name",
    "period",
    "value",
    "numerator",
    "denominator",
    "note",
    "version",
)
# Names help the reader of the file; the import reads codes.
NAME_COLUMNS = frozenset({"indicator_name", "division_name"})
REQUIRED = frozenset(COLUMNS) - NAME_COLUMNS
NUMBER_COLUMNS = ("value", "numerator", "denominator")
HEADER_SEARCH_ROWS = 5

# The template's headers and sheet name are Vietnamese in every language of the page: a file
# passes between officers and must read the same to each of them. They are not gettext'd.
HEADERS = {
    "indicator_code": "Mã chỉ tiêu",
    "indicator_name": "Tên chỉ tiêu",
    "division_code": "Mã đơn vị",
    "division_name": "Tên đơn vị",
    "period": "Kỳ báo cáo",
    "value": "Giá trị",
    "numerator": "Tử số",
    "denominator": "Mẫu số",
    "note": "Ghi chú",
    "version": "Phiên bản",
}
SHEET_TITLE = "Số liệu"


def _header_key(text: str) -> str:
    """How a header cell is compared: NFC, case and runs of spaces ignored."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


# A header cell → its column: the Vietnamese header, or the English name of the templates
# made before the headers were Vietnamese (files filled from them are still accepted).
COLUMN_OF_HEADER = {
    **{_header_key(name): name for name in COLUMNS},
    **{_header_key(label): name for name, label in HEADERS.items()},
}


def column_label(name: str) -> str:
    """A column as error messages name it: its Vietnamese header."""
    return HEADERS.get(name, name)


@dataclass
class CellError:
    row: int  # row number in the file as the user sees it (1-based, header included)
    column: str
    message: str

    @property
    def column_label(self) -> str:
        """The column as the template's header names it."""
        return column_label(self.column)


@dataclass
class ImportOutcome:
    total: int = 0
    errors: list[CellError] = field(default_factory=list)
    result: UpsertResult | None = None
    detection: numbers.Detection = field(default_factory=numbers.Detection)
    # The convention ambiguous cells were read with: chosen by the user, else detected.
    convention: str | None = None
    chosen: bool = False
    changes: list[FigureChange] = field(default_factory=list)
    # A preview without errors: the file's rows counted per unit and month.
    unit_months: list[UnitMonth] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def listed_errors(self) -> list[CellError]:
        """The errors the page lists (the first ones); `more_errors` counts the rest."""
        return uploads.capped(self.errors)[0]

    @property
    def more_errors(self) -> str:
        return uploads.capped(self.errors)[1]

    @property
    def needs_choice(self) -> bool:
        """Cells read two ways and nothing in the file says which: the page asks."""
        return self.detection.needs_choice and self.convention is None

    @property
    def convention_label(self) -> str:
        return numbers.convention_label(self.convention) if self.convention else ""

    @property
    def convention_example(self) -> str:
        return self.detection.examples.get(self.convention, "") if self.convention else ""


def note_text() -> str:
    return _(
        "Ghi chú: số thập phân dùng DẤU PHẨY (ví dụ 12,5); dấu chấm chỉ tách từng nhóm ba chữ "
        "số hàng nghìn (1.500 = một nghìn năm trăm; 0.500 = 0,5). Tệp CSV lưu theo quy ước "
        "tiếng Anh (12.5; 20,000) cũng được nhận; số đọc được hai cách sẽ được hỏi lại. Chỉ "
        "tiêu tỷ lệ: nhập cột «Tử số» và «Mẫu số», để trống cột «Giá trị». Không đổi tên hoặc "
        "xoá cột; giữ nguyên cột «Phiên bản»."
    )


def _collector_paused(function):
    """Run `function` with Python's cycle collector paused (as it was, if already paused).

    Reading and writing a province-wide file allocates hundreds of thousands of short-lived
    rows, cells and figures; each few thousand of them set off a collection, and the full ones
    walk the whole heap: a quarter to a third of the import's CPU time (benchmark). They find
    nothing to free (the import makes no reference cycles worth collecting), so they wait
    until the import returns, when collections resume as usual."""

    @functools.wraps(function)
    def paused(*args, **kwargs):
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@_collector_paused
def read_dataset(upload) -> tuple[tablib.Dataset, int]:
    """The upload as a Dataset plus the file row number of its header; refuses bad files.

    Phases: read the file's rows by the one bounded reader (`core.uploads`), find the header
    row, check its columns against the template, then keep the non-blank rows below it.
    """
    table = uploads.read_table(upload, expect=(HEADERS["indicator_code"], "indicator_code"))
    rows = table.rows
    head = [_stripped(r) for r in rows[:HEADER_SEARCH_ROWS]]
    header_at = _find_header(head, rows)
    headers = _checked_headers(head[header_at])
    dataset = _data_rows(rows, header_at, headers)
    return dataset, header_at + 1


def _stripped(cells) -> list:
    """The cells with their texts stripped of surrounding spaces."""
    try:
        # A CSV file's rows hold texts only: stripped in one call.
        return list(map(str.strip, cells))
    except TypeError:
        return [v.strip() if isinstance(v, str) else v for v in cells]


def _blank(cells: list) -> bool:
    """Every cell empty. `any` first: a row with a number or a text is never blank, and that
    is decided without a Python step per cell."""
    return not any(cells) and all(c is None or c == "" for c in cells)


def _find_header(head: list[list], rows: list[tuple]) -> int:
    """Index of the row holding the indicator code's header among the first
    HEADER_SEARCH_ROWS rows (`head`, stripped; a title above the header is allowed);
    refuses an empty file or one without a header."""
    for n, row in enumerate(head):
        if row and "indicator_code" in [
            COLUMN_OF_HEADER.get(_header_key(str(c or ""))) for c in row
        ]:
            return n
    if all(_blank(_stripped(r)) for r in rows):
        raise UploadError(_("Tệp rỗng; hãy chọn tệp mẫu đã điền số liệu."))
    raise UploadError(
        _("Không tìm thấy dòng tiêu đề (%(headers)s, ...); hãy dùng mẫu.")
        % {"headers": ", ".join((HEADERS["indicator_code"], HEADERS["division_code"]))}
    )


def _checked_headers(header_row: tuple) -> list[str]:
    """The columns of the header row (trailing blank cells dropped), by their Vietnamese
    headers or the old template's English names; refuses missing or unknown columns."""
    cells = [str(c or "").strip() for c in header_row]
    while cells and cells[-1] == "":
        cells.pop()
    headers = [COLUMN_OF_HEADER.get(_header_key(c), c) for c in cells]
    missing = [c for c in COLUMNS if c in REQUIRED and c not in headers]
    unknown = [c for c, h in zip(cells, headers, strict=True) if c and h not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(
                _("thiếu cột: %(cols)s") % {"cols": ", ".join(column_label(c) for c in missing)}
            )
        if unknown:
            parts.append(_("cột lạ: %(cols)s") % {"cols": ", ".join(unknown)})
        raise UploadError(
            _("Các cột của tệp không đúng mẫu (%(detail)s); hãy tải lại mẫu và không đổi tên cột.")
            % {"detail": "; ".join(parts)}
        )
    return headers


def _data_rows(rows: list[tuple], header_at: int, headers: list[str]) -> tablib.Dataset:
    """The non-blank rows below the header, cut or padded to the header's width and
    stripped; each keeps its file row number (`dataset.row_numbers`) for messages. Refuses a
    file with none."""
    width = len(headers)
    kept, row_numbers = [], []
    for n, row in enumerate(itertools.islice(rows, header_at + 1, None), start=header_at + 2):
        cells = _stripped(row[:width])
        if len(cells) < width:
            cells += [None] * (width - len(cells))
        if _blank(cells):
            continue
        kept.append(cells)
        row_numbers.append(n)
    # Every row has the header's width already: built at once, not checked row by row.
    dataset = tablib.Dataset(*kept, headers=headers)
    if not len(dataset):
        raise UploadError(_("Tệp không có dòng số liệu nào dưới dòng tiêu đề."))
    dataset.row_numbers = row_numbers  # file row of each data row, for messages
    return dataset


# --------------------------------------------------------------------------------------------
# The Resource: rows → FigureInputs (no database writes of its own)
# --------------------------------------------------------------------------------------------


class PeriodWidget(widgets.Widget):
    """'2024-05', '05/2024' or an Excel date cell → first day of the month."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            raise ValueError(_("thiếu kỳ báo cáo (dạng yyyy-mm, ví dụ 2024-05)"))
        if isinstance(value, dt.datetime):
            return value.date().replace(day=1)
        if isinstance(value, dt.date):
            return value.replace(day=1)
        period = periods.parse_period(str(value))
        if period is None:
            raise ValueError(
                _("kỳ “%(raw)s” không đọc được; hãy ghi dạng yyyy-mm, ví dụ 2024-05")
                % {"raw": value}
            )
        return period


class NumberWidget(widgets.Widget):
    """A number cell by the one number rule, under the file's convention; with none known, a
    cell that two conventions read differently is refused, naming both readings."""

    def __init__(self, convention: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.convention = convention

    def clean(self, value, row=None, **kwargs):
        try:
            return numbers.parse(value, self.convention)
        except numbers.AmbiguousNumber as exc:
            raise ValueError(
                exc.message
                + " "
                + _("Hãy chọn quy ước số của tệp trên trang nhập rồi kiểm tra lại tệp.")
            ) from exc
        except numbers.NumberError as exc:
            raise ValueError(exc.message) from exc


def version_kept() -> str:
    return _("cột %(col)s phải giữ nguyên số trong mẫu") % {"col": HEADERS["version"]}


class VersionWidget(NumberWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            number = super().clean(value, row, **kwargs)
        except ValueError as exc:
            raise ValueError(version_kept()) from exc
        if number is None:
            return None
        if number < 0 or number != number.to_integral_value():
            raise ValueError(version_kept())
        return int(number)


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return "" if value is None else str(value).strip()


# The cell readers of each column, in the order a row's problems are listed.
FIELD_COLUMNS = tuple(c for c in COLUMNS if c not in NAME_COLUMNS)


def _readers(convention: str | None) -> dict[str, widgets.Widget]:
    """The reader of each column; columns read alike share one (`parse_rows` reads a text
    once per reader)."""
    text, number = TextWidget(), NumberWidget(convention)
    return {
        "indicator_code": text,
        "division_code": text,
        "period": PeriodWidget(),
        "value": number,
        "numerator": number,
        "denominator": number,
        "note": text,
        "version": VersionWidget(convention),
    }


def _columns(dataset: tablib.Dataset) -> list[tuple]:
    """The dataset's columns, in the order of its headers."""
    if not len(dataset):
        return [()] * len(dataset.headers)
    return list(zip(*dataset, strict=True))


def _cell_keys(raws: tuple) -> tuple | list:
    """A key per cell that tells 1 from 1.0 and True (equal in a dict, not to a reader): the
    text itself, else (type, value). A CSV column (texts only) is its own keys."""
    if set(map(type, raws)) == {str}:
        return raws
    return [raw if raw.__class__ is str else (raw.__class__, raw) for raw in raws]


def _read_cell(reader: widgets.Widget, raw) -> tuple[object, str | None]:
    """(value, None), or (None, the reader's message) for a cell it refuses."""
    try:
        return reader.clean(raw), None
    except ValueError as exc:
        return None, str(exc)


@_collector_paused
def parse_rows(
    dataset: tablib.Dataset, convention: str | None
) -> tuple[list[tuple[int, FigureInput]], list[CellError]]:
    """The file's rows as (file row, FigureInput), and a CellError for each unreadable cell
    (a row with one is left out). Writes nothing.

    Each distinct cell text of a column is read once: a province-wide file repeats the same
    codes, months and small numbers thousands of times, and reading every cell through a
    per-row import framework cost more than writing the figures (benchmark profile)."""
    readers = _readers(convention)
    raw_columns = _columns(dataset)
    # Per reader: cell key → (value, message); the three number columns share theirs.
    known: dict[widgets.Widget, dict] = {}
    columns: list[list] = []
    bad_rows: set[int] = set()
    errors: list[CellError] = []
    for name in FIELD_COLUMNS:
        raws = raw_columns[dataset.headers.index(name)]
        keys = _cell_keys(raws)
        read = known.setdefault(readers[name], {})
        distinct = dict(zip(keys, raws, strict=True))
        read.update(
            (key, _read_cell(readers[name], raw))
            for key, raw in distinct.items()
            if key not in read
        )
        if any(read[key][1] is not None for key in distinct):
            for n, key in enumerate(keys):
                if read[key][1] is not None:
                    errors.append(_cell_error(dataset.row_numbers[n], name, read[key][1]))
                    bad_rows.add(n)
        value_of = {key: read[key][0] for key in distinct}
        columns.append(list(map(value_of.__getitem__, keys)))
    figures = list(zip(dataset.row_numbers, map(FigureInput, *columns), strict=True))
    if bad_rows:
        figures = [f for n, f in enumerate(figures) if n not in bad_rows]
    errors.sort(key=lambda e: e.row)
    return figures, errors


COLUMN_OF_FIELD = {
    "indicator_code": "indicator_code",
    "division_code": "division_code",
    "period": "period",
    "value": "value",
    "numerator": "numerator",
    "denominator": "denominator",
    "note": "note",
    "version": "version",
}


def detect_convention(dataset: tablib.Dataset) -> numbers.Detection:
    """What the file's number cells say about its convention (text cells only: a number
    stored as a number in a spreadsheet is never ambiguous). Each distinct cell is looked at
    once; the ambiguous ones are then counted as often as the file holds them."""
    columns = [dataset.headers.index(c) for c in NUMBER_COLUMNS if c in dataset.headers]
    counts = Counter(row[i] for row in dataset for i in columns)
    detection = numbers.detect(counts)
    detection.ambiguous = [
        text for text in detection.ambiguous for _n in range(max(counts[text], 1))
    ]
    return detection


@_collector_paused
def figures_import(
    *,
    user,
    upload,
    unit: Division | None = None,
    period: dt.date | None = None,
    dry_run: bool,
    convention: str | None = None,
) -> ImportOutcome:
    """Read the upload and apply it through `data_values_upsert` (rolled back when dry_run).

    `unit` and `period` limit the file to one unit's month (the district's template); without
    them the file may cover every unit and month the user may enter figures for (a province
    agency's or the steering staff's whole-province file), with the same rules, checked row
    by row, and the same all-or-nothing write.

    `convention` (numbers.COMMA or DOT) is the user's answer for cells two conventions read
    differently; without it the file's own cells decide, or those cells are refused.
    A dry run that finds no error lists every changed figure (`outcome.changes`).
    Raises UploadError for a file that cannot be used at all.
    """
    dataset, _header_row = read_dataset(upload)
    detection = detect_convention(dataset)
    used = convention or detection.convention
    outcome = ImportOutcome(
        total=len(dataset), detection=detection, convention=used, chosen=bool(convention)
    )
    figures, outcome.errors = parse_rows(dataset, used)
    rows = [f for _n, f in figures]
    row_numbers = [n for n, _f in figures]
    # Read before writing: the preview compares each figure with what is stored now.
    before = stored_figures(rows) if dry_run else {}
    # `data_values_upsert` is atomic by itself; an enclosing transaction is needed only to
    # undo what it wrote for a preview or for a file with unreadable cells.
    undo = dry_run or bool(outcome.errors)
    result = None
    try:
        with transaction.atomic() if undo else contextlib.nullcontext():
            # Readable rows go through the rules even when others are bad, so the preview
            # lists every problem at once; then nothing is kept.
            result = data_values_upsert(
                user=user,
                rows=rows,
                source=FigureSource.MANUAL,
                channel=Channel.IMPORT,
                unit=unit,
                period=period,
            )
            if undo:
                transaction.set_rollback(True)
    except FigureErrors as exc:
        _collect_rule_errors(outcome, exc, row_numbers)
    outcome.errors.sort(key=lambda e: (e.row, e.column))
    if not outcome.errors:
        outcome.result = result
        if dry_run:
            typed = _typed_numbers(dataset)
            outcome.changes = figure_changes(rows, row_numbers, result, before, typed)
            outcome.unit_months = unit_month_counts(rows, result, before)
    return outcome


def _cell_error(row: int, column: str, message: str) -> CellError:
    return CellError(
        row,
        column,
        _("Dòng %(n)s, cột %(col)s: %(msg)s")
        % {"n": row, "col": column_label(column), "msg": message},
    )


def _collect_rule_errors(outcome: ImportOutcome, exc: FigureErrors, row_numbers) -> None:
    for err in exc.row_errors:
        file_row = row_numbers[err.index] if err.index < len(row_numbers) else 0
        column = COLUMN_OF_FIELD.get(err.field, err.field)
        outcome.errors.append(_cell_error(file_row, column, err.message))


def _typed_numbers(dataset) -> dict[int, str]:
    """What the file holds in the number cells of each row, as text ("1.500 / 20.000")."""
    columns = [dataset.headers.index(c) for c in NUMBER_COLUMNS if c in dataset.headers]
    typed = {}
    for file_row, row in zip(dataset.row_numbers, dataset, strict=True):
        cells = [str(row[i]) for i in columns if row[i] not in (None, "")]
        typed[file_row] = " / ".join(cells)
    return typed


# --------------------------------------------------------------------------------------------
# Preview: every changed figure beside the stored one and last month's
# --------------------------------------------------------------------------------------------

JUMP_FACTOR = Decimal(10)
Figure = tuple[Decimal | None, Decimal | None, Decimal | None]  # value, numerator, denominator
NO_FIGURE: Figure = (None, None, None)


@dataclass(frozen=True)
class FigureChange:
    row: int
    indicator: str
    division: str
    typed: str  # the file's cells as written
    new: str
    current: str
    last_month: str
    jumps: tuple[str, ...]  # "ten times or more" warnings
    period: dt.date | None = None  # the row's month: a file may cover several


@dataclass
class UnitMonth:
    """One unit's month in a previewed file: its rows and what they would do."""

    code: str
    name: str
    period: dt.date
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def stored_figures(rows: list[FigureInput]) -> dict[tuple, dict]:
    """The stored figures of the rows' cells in their months and the months before (one
    query), keyed by (indicator code, division code, period, source)."""
    if not rows:
        return {}
    months = {r.period for r in rows if isinstance(r.period, dt.date)}
    found = DataValue.objects.filter(
        period__in=months | {periods.previous_month(m) for m in months},
        indicator__code__in={r.indicator_code for r in rows},
        division__code__in={r.division_code for r in rows},
    ).values(
        "indicator__code",
        "indicator__name_vi",
        "division__code",
        "division__name",
        "period",
        "source",
        "value",
        "numerator",
        "denominator",
        "version",
    )
    return {(f["indicator__code"], f["division__code"], f["period"], f["source"]): f for f in found}


def unit_month_counts(rows, result: UpsertResult, before) -> list[UnitMonth]:
    """The rows of a previewed file per unit and month, each counted as a new, changed or
    unchanged figure by the version the dry run gave it (the counts add up to the result's).
    Unit names come from one query."""
    ids = {dv.division_id for dv in result.values if dv is not None}
    names = dict(Division.objects.filter(pk__in=ids).values_list("code", "name"))
    groups: dict[tuple, UnitMonth] = {}
    for row, dv in zip(rows, result.values, strict=True):
        key = (row.division_code, row.period)
        group = groups.get(key)
        if group is None:
            code = row.division_code
            group = groups[key] = UnitMonth(code, names.get(code, code), row.period)
        group.rows += 1
        stored = before.get(_key(row, row.period, FigureSource.MANUAL))
        if dv is None or (stored is not None and stored["version"] == dv.version):
            group.unchanged += 1
        elif stored is None:
            group.created += 1
        else:
            group.updated += 1
    return sorted(groups.values(), key=lambda g: (g.period, g.code))


def figure_changes(rows, row_numbers, result: UpsertResult, before, typed) -> list[FigureChange]:
    """The rows whose figure differs from the stored one, with last month's beside it."""
    codes = {r.indicator_code for r in rows}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    names = {
        (d.code, d.pk): d.name
        for d in Division.objects.filter(code__in={r.division_code for r in rows})
    }
    changes = []
    for i, (row, file_row) in enumerate(zip(rows, row_numbers, strict=True)):
        dv = result.values[i]
        new: Figure = (dv.value, dv.numerator, dv.denominator) if dv else NO_FIGURE
        manual = before.get(_key(row, row.period, FigureSource.MANUAL))
        current = _figure(manual)
        if new == current:
            continue
        prev = periods.previous_month(row.period)
        last = before.get(_key(row, prev, FigureSource.MANUAL)) or before.get(
            _key(row, prev, FigureSource.TEAMS)
        )
        ind = indicators.get(row.indicator_code)
        ratio = ind is not None and ind.measurement == Measurement.RATIO
        name = names.get((row.division_code, dv.division_id)) if dv else None
        changes.append(
            FigureChange(
                row=file_row,
                indicator=ind.name_vi if ind else row.indicator_code,
                division=name or (manual or {}).get("division__name") or row.division_code,
                typed=typed.get(file_row, ""),
                new=_figure_text(new, ratio),
                current=_figure_text(current, ratio),
                last_month=_figure_text(_figure(last), ratio),
                jumps=_jumps(new, _figure(last), current, ratio),
                period=row.period,
            )
        )
    return changes


def _key(row: FigureInput, period: dt.date, source: str) -> tuple:
    return (row.indicator_code, row.division_code, period, source)


def _figure(stored: dict | None) -> Figure:
    if stored is None:
        return NO_FIGURE
    return (stored["value"], stored["numerator"], stored["denominator"])


def _figure_text(figure: Figure, ratio: bool) -> str:
    value, num, den = figure
    if figure == NO_FIGURE:
        return "—"
    if ratio and num is not None and den is not None:
        pct = f" ({numbers.shown(value.quantize(Decimal('0.01')))}%)" if value is not None else ""
        return f"{numbers.shown(num)} / {numbers.shown(den)}{pct}"
    return numbers.shown(value) if value is not None else "—"


def _jumps(new: Figure, last: Figure, current: Figure, ratio: bool) -> tuple[str, ...]:
    """A warning per number that is ten times or more above or below last month's (or, with
    no figure last month, the stored one). Zero has no ratio and is never flagged."""
    labels = (_("giá trị"), _("tử số"), _("mẫu số"))
    warnings = []
    for index in (0, 1, 2) if ratio else (0,):
        number = new[index]
        reference, when = last[index], _("tháng trước")
        if not reference:
            reference, when = current[index], _("số đang lưu")
        if not number or not reference:
            continue
        factor = abs(number) / abs(reference)
        if factor >= JUMP_FACTOR:
            text = _("%(what)s gấp %(n)s lần %(when)s")
        elif factor <= 1 / JUMP_FACTOR:
            text, factor = _("%(what)s chỉ bằng 1/%(n)s %(when)s"), 1 / factor
        else:
            continue
        n = numbers.shown(
            factor.quantize(Decimal(1)) if factor >= 100 else factor.quantize(Decimal("0.1"))
        )
        warnings.append(text % {"what": labels[index], "n": n, "when": when})
    return tuple(warnings)


# --------------------------------------------------------------------------------------------
# Template
# --------------------------------------------------------------------------------------------


def template_workbook(*, unit: Division, period: dt.date) -> bytes:
    """The month's template: one row per division × indicator, prefilled with current figures."""
    grid = selectors.entry_grid(district=unit, period=period)
    return _template_file([c for row in grid.rows for c in row.cells if c is not None], period)


def scope_template_workbook(*, user, period: dt.date) -> bytes:
    """The month's template of every reporting unit the user may enter figures for (each unit
    and, before 07/2025, a district's communes): the one-unit template's rows, unit after unit.

    A fixed number of queries whatever the number of units. Refuses (UploadError) a scope
    with more rows than an upload may hold: a file that cannot be sent back is of no use.
    """
    condition = access.scope_filter(user)
    found = [] if condition is None else selectors.reporting_units(period=period).filter(condition)
    # A provincial agency's officer sees the province's units but enters the province's own
    # figures only: the same rule as any row of an upload.
    units = [u for u in found if access.can_change(user, u)]
    cells = [
        c
        for c in selectors.template_cells(units=units, period=period)
        if access.can_change(user, c.division)
    ]
    if not cells:
        raise UploadError(
            _(
                "Trong phạm vi của bạn không có đơn vị nào báo cáo "
                "chỉ tiêu nào trong tháng %(month)s."
            )
            % {"month": periods.label(period)}
        )
    if len(cells) > settings.IMPORT_MAX_ROWS:
        raise UploadError(
            _(
                "Mẫu của tháng %(month)s có %(rows)s dòng, quá %(max)s dòng mà một tệp tải lên "
                "được phép có; hãy tải mẫu của từng đơn vị trên trang nhập liệu của đơn vị đó."
            )
            % {
                "month": periods.label(period),
                "rows": numbers.shown(len(cells)),
                "max": numbers.shown(settings.IMPORT_MAX_ROWS),
            }
        )
    selectors.attach_figures(cells, period)
    return _template_file(cells, period)


def _template_file(cells: list[selectors.GridCell], period: dt.date) -> bytes:
    """The template workbook: the note, the header, then one row per cell."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    ws.append([note_text()])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws["A1"].font = Font(italic=True, color="9C0006")
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[1].height = 48
    ws.append([HEADERS[c] for c in COLUMNS])
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    slug = f"{period:%Y-%m}"
    for cell in cells:
        dv: DataValue | None = cell.value
        ws.append(
            [
                cell.indicator.code,
                cell.indicator.name_vi,
                cell.division.code,
                cell.division.name,
                slug,
                _num(dv.value) if dv and not cell.is_ratio else None,
                _num(dv.numerator) if dv and cell.is_ratio else None,
                _num(dv.denominator) if dv and cell.is_ratio else None,
                dv.note if dv else "",
                cell.version,
            ]
        )
        uploads.keep_as_text(ws[ws.max_row])
    for col, width in zip("ABCDEFGHIJ", (26, 50, 14, 28, 10, 12, 12, 12, 30, 9), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _num(number):
    """Numbers go into Excel as numbers, so the user's locale decides how they look."""
    if number is None:
        return None
    return int(number) if number == number.to_integral_value() else float(number)
