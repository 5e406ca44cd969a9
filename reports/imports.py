"""Excel/CSV import and template of a district's monthly figures.

Reading: the file becomes a tablib Dataset; a django-import-export Resource (bulk mode, no
diff, codes resolved from one prefetched dict) turns rows into `FigureInput`s and reports
cell-level problems; then `data_values_upsert` validates and writes everything in one
transaction, exactly as the form does. Nothing is written row by row.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from dataclasses import dataclass, field

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export import fields, instance_loaders, resources, widgets
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from divisions.models import Division
from reports import periods, selectors
from reports.models import Channel, DataValue
from reports.models import Source as FigureSource
from reports.services import FigureErrors, FigureInput, UpsertResult, data_values_upsert

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
REQUIRED = frozenset(COLUMNS) - {"indicator_name", "division_name"}
HEADER_SEARCH_ROWS = 5


class ImportRefused(ValidationError):
    """The whole file is refused (format, size, columns, empty)."""


@dataclass
class CellError:
    row: int  # row number in the file as the user sees it (1-based, header included)
    column: str
    message: str


@dataclass
class ImportOutcome:
    total: int = 0
    errors: list[CellError] = field(default_factory=list)
    result: UpsertResult | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def note_text() -> str:
    return _(
        "Ghi chú: số thập phân dùng DẤU PHẨY (ví dụ 12,5); dấu chấm là dấu phân cách hàng "
        "nghìn (1.500 = một nghìn năm trăm). Chỉ tiêu tỷ lệ: nhập tử số (numerator) và mẫu số "
        "(denominator), để trống cột value. Không đổi tên hoặc xoá cột; giữ nguyên cột version."
    )


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _cell_text(value) -> object:
    if isinstance(value, str):
        return value.strip()
    return value


def check_size(upload) -> None:
    """Refuse a file over settings.IMPORT_MAX_UPLOAD_BYTES before reading it."""
    size = getattr(upload, "size", None)
    if size is not None and size > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise ImportRefused(
            _("Tệp quá lớn (%(size)s MB); giới hạn là %(max)s MB. Hãy chia nhỏ tệp.")
            % {
                "size": round(size / 1024 / 1024, 1),
                "max": round(settings.IMPORT_MAX_UPLOAD_BYTES / 1024 / 1024, 1),
            }
        )


def read_dataset(upload) -> tuple[tablib.Dataset, int]:
    """The upload as a Dataset plus the file row number of its header; refuses bad files."""
    name = (getattr(upload, "name", "") or "").lower()
    check_size(upload)
    data = upload.read()
    if not data:
        raise ImportRefused(_("Tệp rỗng; hãy chọn tệp mẫu đã điền số liệu."))
    if name.endswith(".xlsx"):
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any parse failure means "not an xlsx"
            raise ImportRefused(
                _("Không đọc được tệp Excel; hãy lưu tệp dưới dạng .xlsx từ mẫu tải về.")
            ) from exc
        ws = wb.worksheets[0]
        raw_rows = [tuple(_cell_text(v) for v in r) for r in ws.iter_rows(values_only=True)]
        wb.close()
    elif name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportRefused(_("Tệp CSV phải dùng bảng mã UTF-8.")) from exc
        raw_rows = [tuple(_cell_text(v) for v in r) for r in csv.reader(io.StringIO(text))]
    else:
        raise ImportRefused(
            _("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv); hãy dùng mẫu tải về từ trang báo cáo.")
        )

    header_at = None
    for n, row in enumerate(raw_rows[:HEADER_SEARCH_ROWS]):
        if row and "indicator_code" in [str(c or "").strip() for c in row]:
            header_at = n
            break
    if header_at is None:
        if not any(any(c not in (None, "") for c in r) for r in raw_rows):
            raise ImportRefused(_("Tệp rỗng; hãy chọn tệp mẫu đã điền số liệu."))
        raise ImportRefused(
            _("Không tìm thấy dòng tiêu đề (indicator_code, division_code, ...); hãy dùng mẫu.")
        )
    headers = [str(c or "").strip() for c in raw_rows[header_at]]
    while headers and headers[-1] == "":
        headers.pop()
    missing = [c for c in COLUMNS if c in REQUIRED and c not in headers]
    unknown = [h for h in headers if h and h not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("thiếu cột: %(cols)s") % {"cols": ", ".join(missing)})
        if unknown:
            parts.append(_("cột lạ: %(cols)s") % {"cols": ", ".join(unknown)})
        raise ImportRefused(
            _("Các cột của tệp không đúng mẫu (%(detail)s); hãy tải lại mẫu và không đổi tên cột.")
            % {"detail": "; ".join(parts)}
        )
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    row_numbers = []
    for n, row in enumerate(raw_rows[header_at + 1 :], start=header_at + 2):
        cells = list(row[:width]) + [None] * (width - len(row))
        if all(c in (None, "") for c in cells):
            continue
        dataset.append(cells)
        row_numbers.append(n)
    if not len(dataset):
        raise ImportRefused(_("Tệp không có dòng số liệu nào dưới dòng tiêu đề."))
    dataset.row_numbers = row_numbers  # file row of each data row, for messages
    return dataset, header_at + 1


# --------------------------------------------------------------------------------------------
# The Resource: rows → FigureInputs (no database writes of its own)
# --------------------------------------------------------------------------------------------


class _FigureRow:
    """What the Resource fills per row (in place of a model instance)."""

    def __init__(self) -> None:
        self.indicator_code = ""
        self.division_code = ""
        self.period = None
        self.value = None
        self.numerator = None
        self.denominator = None
        self.note = ""
        self.version = None
        self.row_number = 0

    def full_clean(self, **kwargs) -> None:  # import-export may ask; rules live in the service
        return None


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


class RawWidget(widgets.Widget):
    """Keep numbers as typed: the service reads '12,5' and '12.5' the same way everywhere."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            value = value.strip()
        return None if value in (None, "") else value


class VersionWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            number = float(str(value).replace(",", "."))
        except ValueError as exc:
            raise ValueError(_("cột version phải giữ nguyên số trong mẫu")) from exc
        if number < 0 or number != int(number):
            raise ValueError(_("cột version phải giữ nguyên số trong mẫu"))
        return int(number)


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return "" if value is None else str(value).strip()


class FigureResource(resources.Resource):
    """Parses the template's rows. Codes are checked against one prefetched dict each."""

    indicator_code = fields.Field(
        attribute="indicator_code", column_name="indicator_code", widget=TextWidget()
    )
    division_code = fields.Field(
        attribute="division_code", column_name="division_code", widget=TextWidget()
    )
    period = fields.Field(attribute="period", column_name="period", widget=PeriodWidget())
    value = fields.Field(attribute="value", column_name="value", widget=RawWidget())
    numerator = fields.Field(attribute="numerator", column_name="numerator", widget=RawWidget())
    denominator = fields.Field(
        attribute="denominator", column_name="denominator", widget=RawWidget()
    )
    note = fields.Field(attribute="note", column_name="note", widget=TextWidget())
    version = fields.Field(attribute="version", column_name="version", widget=VersionWidget())

    class Meta:
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        force_init_instance = True  # never look rows up one by one
        instance_loader_class = instance_loaders.BaseInstanceLoader
        import_id_fields = ()
        use_transactions = False
        store_instance = False
        report_skipped = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.figures: list[tuple[int, FigureInput]] = []
        self._counter = 0
        self.row_numbers: list[int] = []

    def before_import(self, dataset, **kwargs) -> None:
        self.row_numbers = list(getattr(dataset, "row_numbers", []))

    def init_instance(self, row=None):
        return _FigureRow()

    def after_init_instance(self, instance, new, row, **kwargs) -> None:
        n = kwargs.get("row_number", 0)
        instance.row_number = self.row_numbers[n - 1] if n - 1 < len(self.row_numbers) else n

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Collect the batch as FigureInputs; the service writes them all at the end."""
        for inst in self.create_instances:
            self.figures.append(
                (
                    inst.row_number,
                    FigureInput(
                        indicator_code=inst.indicator_code,
                        division_code=inst.division_code,
                        period=inst.period,
                        value=inst.value,
                        numerator=inst.numerator,
                        denominator=inst.denominator,
                        note=inst.note,
                        expected_version=inst.version,
                    ),
                )
            )
        self.create_instances.clear()

    def bulk_update(self, *args, **kwargs) -> None:  # every row is "new" to the Resource
        self.update_instances.clear()

    def bulk_delete(self, *args, **kwargs) -> None:
        self.delete_instances.clear()


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


def figures_import(
    *, user, upload, unit: Division, period: dt.date, dry_run: bool
) -> ImportOutcome:
    """Read the upload and apply it through `data_values_upsert` (rolled back when dry_run).

    Raises ImportRefused for a file that cannot be used at all.
    """
    dataset, _header_row = read_dataset(upload)
    resource = FigureResource()
    # The Resource only parses (its bulk_create collects FigureInputs and writes nothing), so
    # no dry-run transaction: import-export would wrap every batch in savepoints for nothing.
    parsed = resource.import_data(dataset, dry_run=False, use_transactions=False)
    outcome = ImportOutcome(total=len(dataset))
    for invalid in parsed.invalid_rows:
        file_row = dataset.row_numbers[invalid.number - 1]
        for col, msgs in invalid.error_dict.items():
            for msg in msgs:
                text = str(msg)
                outcome.errors.append(
                    CellError(
                        file_row,
                        col,
                        _("Dòng %(n)s, cột %(col)s: %(msg)s")
                        % {"n": file_row, "col": col, "msg": text},
                    )
                )
    for number, errors in parsed.row_errors():
        file_row = dataset.row_numbers[number - 1]
        for err in errors:
            outcome.errors.append(CellError(file_row, "", str(err.error)))
    rows = [f for _n, f in resource.figures]
    row_numbers = [n for n, _f in resource.figures]
    # `data_values_upsert` is atomic by itself; an enclosing transaction is needed only to
    # undo what it wrote for a preview or for a file with unreadable cells.
    undo = dry_run or bool(outcome.errors)
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
            else:
                outcome.result = result
    except FigureErrors as exc:
        for err in exc.row_errors:
            file_row = row_numbers[err.index] if err.index < len(row_numbers) else 0
            outcome.errors.append(
                CellError(
                    file_row,
                    COLUMN_OF_FIELD.get(err.field, err.field),
                    _("Dòng %(n)s, cột %(col)s: %(msg)s")
                    % {
                        "n": file_row,
                        "col": COLUMN_OF_FIELD.get(err.field, err.field),
                        "msg": err.message,
                    },
                )
            )
    outcome.errors.sort(key=lambda e: (e.row, e.column))
    if dry_run and not outcome.errors:
        outcome.result = result
    return outcome


# --------------------------------------------------------------------------------------------
# Template
# --------------------------------------------------------------------------------------------


def template_workbook(*, unit: Division, period: dt.date) -> bytes:
    """The month's template: one row per division × indicator, prefilled with current figures."""
    grid = selectors.entry_grid(district=unit, period=period)
    wb = Workbook()
    ws = wb.active
    ws.title = "So lieu"
    ws.append([note_text()])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws["A1"].font = Font(italic=True, color="9C0006")
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[1].height = 48
    ws.append(list(COLUMNS))
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    slug = f"{period:%Y-%m}"
    for row in grid.rows:
        for cell in row.cells:
            if cell is None:
                continue
            dv: DataValue | None = cell.value
            ws.append(
                [
                    cell.indicator.code,
                    cell.indicator.name_vi,
                    row.division.code,
                    row.division.name,
                    slug,
                    _num(dv.value) if dv and not cell.is_ratio else None,
                    _num(dv.numerator) if dv and cell.is_ratio else None,
                    _num(dv.denominator) if dv and cell.is_ratio else None,
                    dv.note if dv else "",
                    cell.version,
                ]
            )
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
