"""Hostile spreadsheets built in the test run (nothing large is stored in the repository).

An .xlsx is written by hand (a zip of the few parts Excel needs, cells as inline strings) so
a file can declare any <dimension>, hold any number of rows, or pack hundreds of megabytes
into a small zip, in well under a second.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

FIGURE_HEADER = ("indicator_code", "division_code", "period", "value", "version")

PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{BOOK_TYPE}"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}"/></Types>'
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
        '<sheets><sheet name="So lieu" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def _cell(value) -> str:
    if isinstance(value, int | float):
        return f"<c><v>{value}</v></c>"
    return f'<c t="inlineStr"><is><t>{value}</t></is></c>'


def _sheet_chunks(
    rows: Iterable[Iterable], dimension: str | None, far_cell: str | None = None
) -> Iterator[bytes]:
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
    if dimension:
        head += f'<dimension ref="{dimension}"/>'
    yield (head + "<sheetData>").encode()
    batch = []
    for row in rows:
        batch.append("<row>" + "".join(_cell(v) for v in row) + "</row>")
        if len(batch) == 5000:
            yield "".join(batch).encode()
            batch = []
    if far_cell:  # one cell far below or to the right: the rows between are "missing"
        number = far_cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        cell = f'<c r="{far_cell}" t="inlineStr"><is><t>x</t></is></c>'
        batch.append(f'<row r="{number}">{cell}</row>')
    yield ("".join(batch) + "</sheetData></worksheet>").encode()


def xlsx(
    rows: Iterable[Iterable], *, dimension: str | None = None, far_cell: str | None = None
) -> bytes:
    """A one-sheet workbook of `rows`, declaring `dimension` and ending with one cell at
    `far_cell` when given."""
    return _zipped(_sheet_chunks(rows, dimension, far_cell))


def _zipped(sheet_chunks: Iterable[bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for chunk in sheet_chunks:
                sheet.write(chunk)
    return out.getvalue()


def huge_dimension() -> bytes:
    """A tiny file whose sheet declares, and uses, every row Excel allows (1,048,576)."""
    rows = [FIGURE_HEADER, ("people_guided", "32068", "2025-05", 1, 0)]
    return xlsx(rows, dimension="A1:Z1048576", far_cell="Z1048576")


def wide_dimension() -> bytes:
    """A tiny file declaring, and using, 2,000 rows × 16,384 columns (every column)."""
    rows = [FIGURE_HEADER, ("people_guided", "32068", "2025-05", 1, 0)]
    return xlsx(rows, dimension="A1:XFD2000", far_cell="XFD2000")


def zip_bomb(inside_mb: int = 400) -> bytes:
    """A valid workbook whose sheet is hundreds of megabytes of identical rows, compressed
    to about a megabyte and a half."""
    row = "<row>" + "".join(_cell(v) for v in ("people_guided", "32068", "2025-05", 1, 0))
    block = ((row + "</row>") * 10_000).encode()
    head, header_and_tail = _sheet_chunks([FIGURE_HEADER], None)
    header, tail = header_and_tail.split(b"</sheetData>")
    body = (block for _ in range(inside_mb * 1024 * 1024 // len(block)))
    return _zipped([head + header, *body, b"</sheetData>" + tail])


def _with_header(rows: Iterable[Iterable]) -> Iterator[Iterable]:
    yield FIGURE_HEADER
    yield from rows


def many_rows_xlsx(n: int = 100_000) -> bytes:
    return xlsx(_with_header(("people_guided", "32068", "2025-05", i, 0) for i in range(n)))


def many_rows_csv(n: int = 100_000) -> bytes:
    lines = [",".join(FIGURE_HEADER)]
    lines += [f"people_guided,32068,2025-05,{i},0" for i in range(n)]
    return ("\n".join(lines) + "\n").encode()
