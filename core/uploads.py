"""One file over 500 lines: the reader's phases share the limits, the refusal and the scan state.

Uploaded spreadsheets: the one bounded reader, the one refusal, the one preview store.

Owns how every importer (figures, team members, the catalogue page and its admin) reads an
.xlsx or .csv upload into rows, the error a refused file raises (`UploadError`, one specific
Vietnamese message per limit), the cap on listed errors, and where a previewed file waits for
its confirmation. Imports Django, openpyxl and defusedxml only; never an app.

Every limit (settings.IMPORT_*) is checked before the parse allocates for it: the size before
reading, the zip's central directory (part sizes, compression ratio) before inflating, each
XML part by a streaming scan that keeps at most one row in memory and stops at the first
row, column, cell or element past a limit, and only then openpyxl (read-only) builds values.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml.ElementTree import iterparse
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string

FORMATS = (".xlsx", ".csv")
CSV_DELIMITERS = (",", ";", "\t")
HEADER_SEARCH_ROWS = 5  # a title may stand above the header; rows past the limit allow for it
MAX_LISTED_ERRORS = 50
MAX_PARTS = 500  # an Excel workbook has a few dozen parts
RATIO_CHECKED_ABOVE = 1024 * 1024  # small parts may compress any way they like
OTHER_PART_MAX_ELEMENTS = 100_000  # styles, workbook, relations: a few thousand when honest
HELD_MAX_ELEMENTS = 10_000  # elements of one row (or one style) held while it is read
CHECK_EVERY = 1000  # rows or elements between two looks at the clock
CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)$")


class UploadError(ValidationError):
    """The whole file is refused; `message` says why, in the user's language."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    max_columns: int
    max_cells: int
    max_unzipped_bytes: int
    max_ratio: int
    max_cell_chars: int
    max_seconds: float

    @classmethod
    def from_settings(cls, max_rows: int | None = None) -> Limits:
        return cls(
            max_bytes=settings.IMPORT_MAX_UPLOAD_BYTES,
            max_rows=max_rows or settings.IMPORT_MAX_ROWS,
            max_columns=settings.IMPORT_MAX_COLUMNS,
            max_cells=settings.IMPORT_MAX_CELLS,
            max_unzipped_bytes=settings.IMPORT_MAX_UNZIPPED_BYTES,
            max_ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
            max_cell_chars=settings.IMPORT_MAX_CELL_CHARS,
            max_seconds=settings.IMPORT_MAX_SECONDS,
        )

    @property
    def sheet_rows(self) -> int:
        """Rows a sheet may span: the data rows plus a header and a title above it."""
        return self.max_rows + HEADER_SEARCH_ROWS


@dataclass
class Table:
    """The rows of an upload: `rows[i]` is the file's row i + 1 (a blank row is `()`), cells
    as the file holds them (text, numbers, dates, booleans, None), trailing blanks dropped."""

    name: str
    data: bytes = field(repr=False)
    rows: list[tuple] = field(default_factory=list)


class _Clock:
    def __init__(self, limits: Limits) -> None:
        self.limit = limits.max_seconds
        self.deadline = time.monotonic() + limits.max_seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise UploadError(
                _("Đọc tệp mất quá %(max)s giây; hãy chia nhỏ tệp rồi tải lên lại.")
                % {"max": _int(self.limit)}
            )


def _int(number: float) -> str:
    return str(int(number))


def _mb(size: int) -> str:
    return f"{size / 1048576:.1f}".replace(".", ",").removesuffix(",0")


# --------------------------------------------------------------------------------------------
# The reader
# --------------------------------------------------------------------------------------------


def read_table(upload, *, max_rows: int | None = None, expect: Iterable[str] = ()) -> Table:
    """The upload's rows, every limit checked first; raises UploadError.

    `max_rows` is the importer's own row limit (settings.IMPORT_MAX_ROWS by default); for a
    CSV, `expect` names header cells that pick the delimiter when several would do.
    """
    limits = Limits.from_settings(max_rows)
    extension = check_name_and_size(upload)
    name = upload.name
    data = read_bounded(upload, limits.max_bytes)
    clock = _Clock(limits)
    if extension == ".xlsx":
        rows = _xlsx_rows(data, name, limits, clock)
    else:
        rows = _csv_rows(data, limits, tuple(expect), clock)
    return Table(name=name, data=data, rows=rows)


def check_name_and_size(upload) -> str:
    """Refuse, unread, a file that is not .xlsx or .csv or is over the size limit; returns
    its extension."""
    name = getattr(upload, "name", "") or ""
    extension = next((e for e in FORMATS if name.lower().endswith(e)), None)
    if extension is None:
        raise UploadError(
            _("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv); tệp «%(name)s» không đúng định dạng.")
            % {"name": name}
        )
    check_size(upload)
    return extension


def check_size(upload) -> None:
    """Refuse, unread, a file whose told size is over the limit."""
    size = getattr(upload, "size", None)
    if size is not None and size > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise _too_big(size, settings.IMPORT_MAX_UPLOAD_BYTES)


def read_bounded(upload, max_bytes: int | None = None) -> bytes:
    """The upload's bytes, refused unread when its size is over the limit and never reading
    more than the limit when the size was not told."""
    limit = settings.IMPORT_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_big(size, limit)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_big(len(data), limit)
    if not data:
        raise UploadError(_("Tệp rỗng; hãy chọn tệp đã điền số liệu."))
    return data


def _too_big(size: int, limit: int) -> UploadError:
    return UploadError(
        _("Tệp quá lớn (%(size)s MB); giới hạn là %(max)s MB. Hãy chia nhỏ tệp.")
        % {"size": _mb(size), "max": _mb(limit)}
    )


def _too_many_rows(limits: Limits) -> UploadError:
    return UploadError(
        _("Tệp có hơn %(max)s dòng; mỗi lần nhập tối đa %(max)s dòng. Hãy chia nhỏ tệp.")
        % {"max": limits.max_rows}
    )


def _too_many_columns(row: int, limits: Limits) -> UploadError:
    return UploadError(
        _("Dòng %(row)s có hơn %(max)s cột; hãy dùng đúng các cột của tệp mẫu.")
        % {"row": row, "max": limits.max_columns}
    )


def _too_many_cells(limits: Limits) -> UploadError:
    return UploadError(
        _("Tệp có hơn %(max)s ô dữ liệu; hãy chia nhỏ tệp.") % {"max": limits.max_cells}
    )


def _cell_too_long(row: int, column: int, length: int, limits: Limits) -> UploadError:
    return UploadError(
        _("Ô ở dòng %(row)s, cột %(col)s dài %(n)s ký tự; mỗi ô tối đa %(max)s ký tự.")
        % {"row": row, "col": column, "n": length, "max": limits.max_cell_chars}
    )


def _not_a_workbook(name: str) -> UploadError:
    return UploadError(
        _(
            "Không đọc được tệp Excel: «%(name)s» không phải là bảng tính Excel hợp lệ; "
            "hãy lưu lại tệp dưới dạng .xlsx."
        )
        % {"name": name}
    )


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


def _csv_rows(data: bytes, limits: Limits, expect: tuple[str, ...], clock: _Clock) -> list[tuple]:
    text = _decoded(data)
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text, expect))
    rows: list[tuple] = []
    cells = 0
    try:
        for values in reader:
            number = len(rows) + 1
            if number > limits.sheet_rows:
                raise _too_many_rows(limits)
            while values and values[-1] == "":
                values.pop()
            _check_row(values, number, limits)
            cells += len(values)
            if cells > limits.max_cells:
                raise _too_many_cells(limits)
            rows.append(tuple(values))
            if number % CHECK_EVERY == 0:
                clock.check()
    except csv.Error as exc:
        raise _broken_csv(exc, len(rows) + 1, limits) from exc
    return _without_trailing_blanks(rows)


def _check_row(values: list, number: int, limits: Limits) -> None:
    if len(values) > limits.max_columns:
        raise _too_many_columns(number, limits)
    for column, value in enumerate(values, start=1):
        if isinstance(value, str) and len(value) > limits.max_cell_chars:
            raise _cell_too_long(number, column, len(value), limits)


def _broken_csv(exc: csv.Error, row: int, limits: Limits) -> UploadError:
    if "field larger than field limit" in str(exc):
        return UploadError(
            _("Một ô ở dòng %(row)s dài quá %(max)s ký tự; mỗi ô tối đa %(max)s ký tự.")
            % {"row": row, "max": limits.max_cell_chars}
        )
    return UploadError(
        _("Tệp CSV sai cấu trúc ở dòng %(row)s; hãy lưu lại tệp từ Excel dưới dạng «CSV UTF-8».")
        % {"row": row}
    )


def _decoded(data: bytes) -> str:
    """The text of a UTF-8 file (a byte-order mark allowed); the line of the first byte that
    is not UTF-8 is named, never Python's codec message."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UploadError(
            _(
                "Tệp CSV không dùng bảng mã UTF-8 (ký tự không đọc được ở dòng %(row)s). "
                "Trong Excel hãy chọn «Lưu thành» → «CSV UTF-8» rồi tải lên lại."
            )
            % {"row": line}
        ) from exc


def _delimiter(text: str, expect: tuple[str, ...]) -> str:
    """The delimiter under which an expected header cell appears in the first rows; else the
    one that splits those rows into the most cells (Excel writes ";" under a Vietnamese
    locale, "," elsewhere)."""
    head = text[:65536]
    widest, best = -1, CSV_DELIMITERS[0]
    for delimiter in CSV_DELIMITERS:
        try:
            reader = csv.reader(io.StringIO(head), delimiter=delimiter)
            first = [row for _n, row in zip(range(HEADER_SEARCH_ROWS), reader, strict=False)]
        except csv.Error:
            continue
        if any(cell.strip() in expect for row in first for cell in row):
            return delimiter
        width = max((len(row) for row in first), default=0)
        if width > widest:
            widest, best = width, delimiter
    return best


def _without_trailing_blanks(rows: list[tuple]) -> list[tuple]:
    while rows and not any(c not in (None, "") for c in rows[-1]):
        rows.pop()
    return rows


# --------------------------------------------------------------------------------------------
# XLSX: the zip's directory, then every XML part by a streaming scan, then openpyxl
# --------------------------------------------------------------------------------------------


def _xlsx_rows(data: bytes, name: str, limits: Limits, clock: _Clock) -> list[tuple]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _not_a_workbook(name) from exc
    with archive:
        _check_directory(archive, limits)
        for info in archive.infolist():
            if info.filename.endswith((".xml", ".rels")):
                _scan_part(archive, info, name, limits, clock)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise _not_a_workbook(name) from exc
    try:
        return _sheet_values(workbook.worksheets[0], name, limits, clock)
    except UploadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a part missing or malformed inside the sheet
        raise _not_a_workbook(name) from exc
    finally:
        workbook.close()


def _check_directory(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse from the central directory alone: too many parts, too much inside, or a part
    compressed like a bomb. (zipfile never inflates a part past its declared size.)"""
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise UploadError(
            _("Tệp Excel có quá nhiều phần (%(n)s; tối đa %(max)s); hãy lưu lại tệp từ Excel.")
            % {"n": len(parts), "max": MAX_PARTS}
        )
    inside = sum(p.file_size for p in parts)
    if inside > limits.max_unzipped_bytes:
        raise UploadError(
            _(
                "Tệp Excel giải nén ra hơn %(max)s MB (nén bất thường); hãy mở bằng Excel, "
                "lưu lại rồi tải lên, hoặc chia nhỏ tệp."
            )
            % {"max": _mb(limits.max_unzipped_bytes)}
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > RATIO_CHECKED_ABOVE and ratio > limits.max_ratio:
            raise UploadError(
                _(
                    "Tệp Excel bị nén bất thường (nén %(ratio)s lần, tối đa %(max)s lần); "
                    "hãy mở bằng Excel, lưu lại rồi tải lên."
                )
                % {"ratio": int(ratio), "max": limits.max_ratio}
            )


@dataclass
class _SheetScan:
    """Counts kept while one worksheet part streams by."""

    limits: Limits
    rows: int = 0
    row: int = 0
    column: int = 0
    row_cells: int = 0
    cells: int = 0

    def dimension(self, ref: str) -> None:
        """The sheet's declared size, refused before a row is read."""
        corners = [CELL_REF.match(c) for c in ref.upper().split(":")]
        if len(corners) != 2 or not all(corners):
            return
        (col1, row1), (col2, row2) = (m.groups() for m in corners)
        rows = int(row2) - int(row1) + 1
        columns = column_index_from_string(col2) - column_index_from_string(col1) + 1
        limits = self.limits
        declared = _("Trang tính khai báo %(n)s %(what)s; mỗi lần nhập tối đa %(max)s %(what)s.")
        if columns > limits.max_columns:
            what, n, most = _("cột"), columns, limits.max_columns
        elif rows > limits.sheet_rows:
            what, n, most = _("dòng"), rows, limits.max_rows
        elif rows * columns > limits.max_cells:
            what, n, most = _("ô"), rows * columns, limits.max_cells
        else:
            return
        raise UploadError(
            declared % {"n": n, "what": what, "max": most} + " " + _("Hãy chia nhỏ tệp.")
        )

    def cell(self, ref: str | None) -> None:
        match = CELL_REF.match(ref or "")
        if match:
            self.column = column_index_from_string(match.group(1))
            self._at_row(int(match.group(2)))
        else:
            self.column += 1
        self.row_cells += 1
        self.cells += 1
        if self.column > self.limits.max_columns or self.row_cells > self.limits.max_columns:
            raise _too_many_columns(self.row or self.rows + 1, self.limits)
        if self.cells > self.limits.max_cells:
            raise _too_many_cells(self.limits)

    def end_row(self, ref: str | None) -> None:
        self.rows += 1
        self._at_row(int(ref) if ref and ref.isdigit() else max(self.row, self.rows))
        self.row_cells, self.column = 0, 0

    def _at_row(self, number: int) -> None:
        self.row = max(self.row, number)
        if self.row > self.limits.sheet_rows:
            raise _too_many_rows(self.limits)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _scan_part(archive, info, name: str, limits: Limits, clock: _Clock) -> None:
    """Stream one XML part, keeping no more than one row's elements: a worksheet's rows,
    columns and cells are counted against the limits, shared strings against the cells and
    the cell length, any other part against a fixed element count."""
    scan = _SheetScan(limits)
    kind, elements, held, stack = "", 0, 0, []
    try:
        with archive.open(info) as stream:
            for event, element in iterparse(stream, events=("start", "end")):
                if event == "start":
                    kind = kind or _local(element.tag)
                    stack.append(element)
                    continue
                stack.pop()
                elements, held = elements + 1, held + 1
                _count(kind, _local(element.tag), element, scan, limits)
                other = kind not in ("worksheet", "sst") and elements > OTHER_PART_MAX_ELEMENTS
                if other or held > HELD_MAX_ELEMENTS:
                    raise _part_too_large(info.filename)
                if stack and len(stack) <= 2:
                    stack[-1].remove(element)  # keep the tree one row deep
                    held = 0
                if elements % CHECK_EVERY == 0:
                    clock.check()
    except UploadError:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed XML, forbidden entities, bad CRC
        raise _not_a_workbook(name) from exc


def _part_too_large(part: str) -> UploadError:
    return UploadError(
        _("Tệp Excel có phần «%(part)s» quá lớn; hãy lưu lại tệp từ Excel.") % {"part": part}
    )


def _count(kind: str, tag: str, element, scan: _SheetScan, limits: Limits) -> None:
    if kind == "worksheet":
        if tag == "dimension":
            scan.dimension(element.get("ref", ""))
        elif tag == "c":
            scan.cell(element.get("r"))
        elif tag == "row":
            scan.end_row(element.get("r"))
        elif tag in ("t", "v") and element.text and len(element.text) > limits.max_cell_chars:
            raise _cell_too_long(scan.row or scan.rows + 1, scan.column, len(element.text), limits)
    elif kind == "sst" and tag == "si":
        scan.cells += 1
        if scan.cells > limits.max_cells:
            raise _too_many_cells(limits)
        text = "".join(element.itertext())
        if len(text) > limits.max_cell_chars:
            raise UploadError(
                _("Tệp Excel có một ô dài %(n)s ký tự; mỗi ô tối đa %(max)s ký tự.")
                % {"n": len(text), "max": limits.max_cell_chars}
            )


def _sheet_values(sheet, name: str, limits: Limits, clock: _Clock) -> list[tuple]:
    """The first sheet's values, row by row; its declared size is ignored from here on (it
    was checked), so openpyxl pads nothing to it."""
    sheet.reset_dimensions()
    rows: list[tuple] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > limits.sheet_rows:
            raise _too_many_rows(limits)
        cells = list(values)
        while cells and cells[-1] in (None, ""):
            cells.pop()
        _check_row(cells, number, limits)
        rows.append(tuple(cells))
        if number % CHECK_EVERY == 0:
            clock.check()
    return _without_trailing_blanks(rows)


# --------------------------------------------------------------------------------------------
# Cells written into a workbook people will open and upload again
# --------------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def keep_as_text(cells) -> None:
    """Text that a spreadsheet would run as a formula (it begins with = + - @, a tab or a
    return: OWASP's CSV-injection list) stays text: a string cell with Excel's quote prefix,
    so it is shown as typed, stays text when edited, and reads back unchanged."""
    for cell in cells:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True


# --------------------------------------------------------------------------------------------
# Errors listed on a page
# --------------------------------------------------------------------------------------------


def capped(errors: list, limit: int = MAX_LISTED_ERRORS) -> tuple[list, str]:
    """The first `limit` errors and "và N lỗi khác" for the rest ("" when none is left out):
    a page lists what a person can fix, not every row of a broken file."""
    if len(errors) <= limit:
        return list(errors), ""
    rest = len(errors) - limit
    return list(errors[:limit]), ngettext("và %(n)s lỗi khác", "và %(n)s lỗi khác", rest) % {
        "n": rest
    }


# --------------------------------------------------------------------------------------------
# The preview store: the previewed file waits on the server until it is confirmed
# --------------------------------------------------------------------------------------------

PREVIEW_SESSION_KEY = "upload_previews"
TOKEN = re.compile(r"[0-9a-f]{32}")


def _preview_dir() -> Path:
    """Where previewed files wait; files older than the preview's lifetime are removed."""
    path = Path(settings.UPLOAD_PREVIEW_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    cutoff = time.time() - settings.UPLOAD_PREVIEW_MAX_AGE
    for old in path.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        except FileNotFoundError:
            continue  # another worker removed it first
    return path


def preview_keep(
    request, kind: str, *, scope: str, name: str, data: bytes, extra: dict | None = None
) -> str:
    """Keep a previewed file for its confirmation; returns the token the page posts back.

    One pending preview per importer (`kind`) per session; `scope` (a unit and month, a
    team) must match at confirmation, so a token cannot be replayed elsewhere. The bytes are
    read again at confirmation by the same reader, so preview and confirmation agree.
    """
    token = secrets.token_hex(16)
    (_preview_dir() / token).write_bytes(data)
    previews = dict(request.session.get(PREVIEW_SESSION_KEY) or {})
    previous = previews.get(kind)
    if previous and TOKEN.fullmatch(previous.get("token", "")):
        (_preview_dir() / previous["token"]).unlink(missing_ok=True)
    previews[kind] = {
        "token": token,
        "scope": scope,
        "name": name,
        "extra": extra or {},
        "at": time.time(),
    }
    request.session[PREVIEW_SESSION_KEY] = previews
    return token


def preview_take(request, kind: str, *, scope: str, token: str) -> tuple[SimpleUploadedFile, dict]:
    """The kept file (as an upload) and its extra values, removed from the store: a preview
    confirms once. Raises UploadError when it is unknown, elsewhere, or expired."""
    previews = dict(request.session.get(PREVIEW_SESSION_KEY) or {})
    pending = previews.pop(kind, None) or {}
    expired = UploadError(_("Bản xem trước đã hết hạn hoặc không hợp lệ; hãy tải tệp lên lại."))
    if not pending or pending.get("token") != token or not TOKEN.fullmatch(token or ""):
        raise expired
    request.session[PREVIEW_SESSION_KEY] = previews
    path = _preview_dir() / token
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise expired from None
    finally:
        path.unlink(missing_ok=True)
    too_old = time.time() - pending.get("at", 0) > settings.UPLOAD_PREVIEW_MAX_AGE
    if pending.get("scope") != scope or too_old:
        raise expired
    return SimpleUploadedFile(pending["name"], data), pending.get("extra") or {}
