"""Reading uploaded target spreadsheets (xlsx or csv) into plain rows.

Cells are turned into JSON-safe values (dates as ISO text, non-whole numbers as text that every
number convention reads the same way) so the rows of a previewed file can wait in the session
until the user confirms. Number cells typed as text are read in the file's own convention,
detected from its unambiguous cells (`core.numbers`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import numbers
from targets.services import TARGET_COLUMNS

XLSX_MAGIC = b"PK\x03\x04"
MAX_ROWS = 5000
ALLOWED_EXTENSIONS = (".xlsx", ".csv")
NUMBER_COLUMNS = ("value", "baseline_value")

Row = tuple[int, dict[str, Any]]


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return int(value) if value.is_integer() else numbers.plain(Decimal(repr(value)))
    if isinstance(value, Decimal):
        return numbers.plain(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _header(value: Any) -> str:
    return str(value or "").strip().lower()


def check_upload(upload) -> str:
    """Refuse files that are not xlsx/csv or are too large; return the extension."""
    name = (upload.name or "").lower()
    ext = next((e for e in ALLOWED_EXTENSIONS if name.endswith(e)), None)
    if ext is None:
        raise ValidationError(
            _("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv); tệp «%(name)s» không đúng định dạng.")
            % {"name": upload.name}
        )
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("Tệp quá lớn (%(size)s MB); giới hạn là %(limit)s MB.")
            % {
                "size": f"{upload.size / 1048576:.1f}".replace(".", ","),
                "limit": f"{limit / 1048576:.1f}".replace(".", ","),
            }
        )
    head = upload.read(4)
    upload.seek(0)
    if ext == ".xlsx" and head != XLSX_MAGIC:
        raise ValidationError(_("Tệp .xlsx không phải là bảng tính Excel hợp lệ."))
    return ext


def read_rows(upload) -> list[Row]:
    """Rows of the first sheet (xlsx) or of the file (csv), numbered as the user sees them."""
    ext = check_upload(upload)
    raw = upload.read()
    rows = _in_file_convention(_read_xlsx(raw) if ext == ".xlsx" else _read_csv(raw))
    if not rows:
        raise ValidationError(_("Tệp không có dòng dữ liệu nào (dòng 1 là tiêu đề cột)."))
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            _("Tệp có %(n)s dòng; mỗi lần nhập tối đa %(max)s dòng.")
            % {"n": len(rows), "max": MAX_ROWS}
        )
    return rows


def _in_file_convention(rows: list[Row]) -> list[Row]:
    """Number cells typed as text, rewritten in a form no convention misreads when the file's
    own cells prove its convention ("90,5" or "2,345.6"). Otherwise cells stay as typed: the
    catalogue reader accepts what only one convention reads and refuses the rest by name."""
    texts = [
        row[c].removesuffix("%")
        for _n, row in rows
        for c in NUMBER_COLUMNS
        if isinstance(row.get(c), str)
    ]
    convention = numbers.detect(texts).convention
    if convention is None:
        return rows
    for _n, row in rows:
        for column in NUMBER_COLUMNS:
            cell = row.get(column)
            if not isinstance(cell, str) or not cell:
                continue
            try:
                row[column] = numbers.plain(numbers.parse(cell.removesuffix("%"), convention))
            except numbers.NumberError:
                continue  # left as typed: the catalogue reader names the cell and the problem
    return rows


def _rows_from(table: list[list[Any]], first_number: int = 1) -> list[Row]:
    if not table:
        return []
    headers = [_header(h) for h in table[0]]
    rows: list[Row] = []
    for offset, values in enumerate(table[1:], start=first_number + 1):
        cells = [_cell(v) for v in values]
        if all(c in (None, "") for c in cells):
            continue  # blank lines at the end of a sheet are common and harmless
        row = {h: (cells[i] if i < len(cells) else None) for i, h in enumerate(headers) if h}
        rows.append((offset, row))
    return rows


def _read_xlsx(raw: bytes) -> list[Row]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ValidationError(
            _("Không đọc được tệp Excel: tệp bị hỏng hoặc sai định dạng.")
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        table = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _rows_from(table)


def _read_csv(raw: bytes) -> list[Row]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("Tệp CSV phải được lưu với bảng mã UTF-8.")) from exc
    # The header names hold no separators, so the separator is the one the header line uses
    # most (Excel under a Vietnamese locale writes ";", elsewhere ",").
    header_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header_line.count)
    table = [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    return _rows_from(table)


def template_rows(targets) -> list[list[Any]]:
    """The current targets as worksheet rows (header first): download, edit, import back."""
    rows: list[list[Any]] = [list(TARGET_COLUMNS)]
    for t in targets:
        rows.append(
            [
                t.programme.code,
                t.indicator.code,
                t.wording_vi,
                t.wording_en,
                t.deadline,
                t.scope_level,
                t.kind,
                _plain(t.value),
                t.comparator,
                _plain(t.baseline_value),
                t.baseline_period,
                1 if t.baseline_provisional else 0,
                t.source_document,
                t.notes,
            ]
        )
    return rows


def _plain(value: Decimal | None) -> int | float | None:
    """A number cell without the database's trailing zeros (90 rather than 90.0000)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
