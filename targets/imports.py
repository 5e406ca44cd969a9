"""Reading uploaded target spreadsheets (xlsx or csv, by the one bounded reader in
`core.uploads`) into plain rows.

Cells are turned into plain values (dates as ISO text, non-whole numbers as text that every
number convention reads the same way), as the catalogue services expect them. Number cells
typed as text are read in the file's own convention, detected from its unambiguous cells
(`core.numbers`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from core import numbers, uploads
from core.uploads import UploadError
from targets.services import TARGET_COLUMNS

PREVIEW_KIND = "catalogue"
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


def check_upload(upload) -> None:
    """The checks the upload form runs before any reading: format and size."""
    uploads.check_name_and_size(upload)


def read_rows(upload) -> list[Row]:
    """Rows of the first sheet (xlsx) or of the file (csv), numbered as the user sees them.
    Read by the one bounded reader; raises UploadError (a ValidationError)."""
    table = uploads.read_table(upload, expect=TARGET_COLUMNS)
    rows = _in_file_convention(_rows_from([list(r) for r in table.rows]))
    if not rows:
        raise UploadError(_("Tệp không có dòng dữ liệu nào (dòng 1 là tiêu đề cột)."))
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
