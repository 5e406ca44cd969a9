"""Exports of the dashboard pages: the tables behind each page as Excel (.xlsx) or CSV.

Text is never a formula: .xlsx cells holding text are written as text (a name starting with `=`
stays a name), CSV text starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
leading `'` (OWASP "CSV injection"). Numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core.api.renderers import neutralise_formula
from dashboards.selectors import (
    HUNDRED,
    Card,
    HeatTable,
    IndicatorPage,
    ResultGroup,
    plain,
    sources_label,
)


class Month(dt.date):
    """A month in an export: a real date cell shown mm/yyyy in Excel and LibreOffice (so months
    sort as months, not as text), yyyy-mm in CSV."""

    @classmethod
    def of(cls, period: dt.date | None) -> Month | None:
        return cls(period.year, period.month, 1) if period else None


@dataclass
class Table:
    """A table as exported: a title (sheet name), Vietnamese headers and raw values."""

    title: str
    headers: list[str]
    rows: list[list]


def cards_table(title: str, cards: list[Card]) -> Table:
    return Table(
        title,
        [
            _("Mã chỉ tiêu"),
            _("Tên chỉ tiêu"),
            _("Đơn vị tính"),
            _("Thời hạn"),
            _("Mục tiêu"),
            _("Thực hiện"),
            _("Tỷ lệ đạt (%)"),
            _("Trạng thái"),
            _("Dự báo tại thời hạn"),
            _("Tháng dự kiến đạt"),
            _("Nguồn"),
            _("Tạm tính"),
        ],
        [
            [
                c.indicator.code,
                c.indicator.name_vi,
                c.indicator.unit,
                c.target.deadline if c.target else None,
                c.target_number,
                c.actual,
                c.row.share_reached * HUNDRED
                if c.row and c.row.share_reached is not None
                else None,
                c.status_label,
                c.row.projected_value if c.row else None,
                Month.of(c.row.reached_in) if c.row else None,
                c.sources,
                _("có") if c.provisional else "",
            ]
            for c in cards
        ],
    )


def results_tables(results: list[ResultGroup]) -> list[Table]:
    """One table per year of ended targets: the final verdict and the value it rests on."""
    return [
        Table(
            group.title,
            [
                _("Mã chỉ tiêu"),
                _("Tên chỉ tiêu"),
                _("Đơn vị tính"),
                _("Thời hạn"),
                _("Mục tiêu"),
                _("Giá trị xét kết quả"),
                _("Kết quả"),
                _("Tạm tính"),
            ],
            [
                [
                    c.indicator.code,
                    c.indicator.name_vi,
                    c.indicator.unit,
                    c.target.deadline,
                    c.target_number,
                    c.row.judged_value if c.row else None,
                    c.status_label,
                    _("có") if c.provisional else "",
                ]
                for c in group.cards
            ],
        )
        for group in results
    ]


def heat_export(title: str, table: HeatTable) -> Table:
    headers = [_("Mã đơn vị"), _("Đơn vị")]
    for col in table.columns:
        headers += [f"{col.label} — {_('thực hiện')}", f"{col.label} — {_('trạng thái')}"]
    rows = []
    for r in table.rows:
        line = [r.division.code, r.division.name]
        for cell in r.cells:
            line += [cell.row.actual if cell.row else None, cell.status_label]
        rows.append(line)
    return Table(title, headers, rows)


def indicator_export(title: str, page: IndicatorPage) -> Table:
    return Table(
        title,
        [
            _("Kỳ"),
            _("Thực hiện"),
            _("Tử số"),
            _("Mẫu số"),
            _("Mục tiêu"),
            _("Tỷ lệ đạt (%)"),
            _("Trạng thái"),
            _("Dự báo tại thời hạn"),
            _("Kỳ có số liệu"),
            _("Nguồn"),
            _("Tạm tính"),
        ],
        [
            [
                Month.of(m.row.period),
                m.row.actual,
                m.row.numerator,
                m.row.denominator,
                m.row.target_value,
                m.row.share_reached * HUNDRED if m.row.share_reached is not None else None,
                m.status_label,
                m.row.projected_value,
                Month.of(m.row.data_period),
                sources_label(m.row.sources),
                _("có") if m.row.shown_provisional else "",
            ]
            for m in page.months
        ],
    )


def _cell_for_excel(value):
    if isinstance(value, Decimal):
        return float(round(value, 4))
    return value


def _cell_for_csv(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, Month):
        return f"{value:%Y-%m}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return neutralise_formula(str(value))


def tables_xlsx(tables: list[Table]) -> bytes:
    """One sheet per table; numbers stay numbers, dates dd/mm/yyyy, months mm/yyyy; printed
    landscape, one page wide, headers repeated, long names wrapped (not cut)."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title, book.sheetnames))
        sheet.append([str(h) for h in table.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append([_cell_for_excel(v) for v in row])
        _format_cells(sheet, table)
        _print_layout(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WIDEST_COLUMN = 45


def _format_cells(sheet, table: Table) -> None:
    months = {i for row in table.rows for i, v in enumerate(row) if isinstance(v, Month)}
    widths = [max(10, len(str(h)) + 2) for h in table.headers]
    for col in sheet.iter_cols(min_row=2):
        for cell in col:
            if isinstance(cell.value, dt.date | dt.datetime):
                cell.number_format = "MM/YYYY" if cell.column - 1 in months else "DD/MM/YYYY"
            elif isinstance(cell.value, str):
                # openpyxl makes any text starting with "=" a formula: keep it text.
                cell.data_type = "s"
                widths[cell.column - 1] = max(widths[cell.column - 1], len(cell.value) + 2)
                if len(cell.value) > WIDEST_COLUMN:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(WIDEST_COLUMN, width)


def _print_layout(sheet) -> None:
    """What a printed page or a PDF of the sheet looks like: A4 landscape, all columns on one
    page width (rows flow onto as many pages as they need), the header row on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.freeze_panes = "A2"


def _sheet_name(title: str, taken: list[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "Sheet"
    name, n = base, 2
    while name in taken:
        name, n = f"{base[:26]} {n}", n + 1
    return name


def table_csv(table: Table) -> str:
    """CSV with a BOM (Excel opens UTF-8 correctly) and dot decimals (machine-readable)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([str(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_cell_for_csv(v) for v in row])
    return out.getvalue()
