"""Member import from Excel/CSV and its template: read, corrected where safe, saved via the service.

The file is read by the one bounded reader (`core.uploads`) into plain rows (column names in
Vietnamese, as in the template; the old English names are still read), each row is turned into member_add keywords, and
`services.members_import` validates and saves all of them in one transaction: one bad row and
nothing is saved. The preview runs the same function with `dry_run=True`; the previewed file
waits in the upload preview store and is read again on confirmation, so the preview and the
real import cannot disagree.

Files that went through LibreOffice or Excel lose what a spreadsheet thinks is a number: a
phone's leading 0 is put back when that makes a valid Vietnamese number, and dd/mm/yy dates
are read as 20yy; both are said in the preview.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from core import uploads
from core.uploads import UploadError
from teams.models import (
    MemberBody,
    MemberRole,
    format_phone,
    normalize_phone,
    validate_vn_phone,
)

PREVIEW_KIND = "members"

# Column header → member_add keyword; headers are matched without case or surrounding spaces.
COLUMNS = {
    "Họ và tên": "full_name",
    "Vai trò": "role",
    "Đơn vị, đoàn thể": "body",
    "Số điện thoại": "phone",
    "Ngày tham gia": "joined_on",
    "Ghi chú": "note",
}
# Files made before the headers were Vietnamese (and other systems' exports) keep working.
ENGLISH_COLUMNS = {key: key for key in COLUMNS.values()}
REQUIRED = ("full_name",)
SHEET_TITLE = "Thành viên tổ"
LISTS_TITLE = "Danh mục"


def template_workbook(members=()) -> bytes:
    """The import template (or a team's members in the same shape) as .xlsx: Vietnamese
    sheet and headers, the phone column as text so a typed 0912… keeps its 0, dates shown
    dd/mm/yyyy, a list to pick the role and body from. `members` are
    `selectors.MemberRow`s: their phone is already shown or masked for the reader."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    sheet.append(list(COLUMNS))
    for row in members:
        member = row.member
        sheet.append(
            [
                member.full_name,
                str(member.get_role_display()),
                str(member.get_body_display()),
                row.phone,
                member.joined_on,
                member.note,
            ]
        )
    for width, letter in zip((28, 12, 28, 16, 14, 30), "ABCDEF", strict=True):
        sheet.column_dimensions[letter].width = width
    last = max(sheet.max_row, 200)
    for row in range(2, last + 1):
        sheet[f"D{row}"].number_format = "@"
        sheet[f"E{row}"].number_format = "DD/MM/YYYY"
    # The pick lists live on a second sheet (the import reads the first one only): a label
    # such as "Trưởng ấp, khóm" has a comma and cannot sit in an inline list.
    lists = book.create_sheet(LISTS_TITLE)
    for column, (letter, choices) in enumerate(
        (("B", MemberRole.labels), ("C", MemberBody.labels)), start=1
    ):
        for row, label in enumerate(choices, start=1):
            lists.cell(row=row, column=column, value=str(label))
        source = f"'{LISTS_TITLE}'!${lists.cell(1, column).column_letter}$1:"
        source += f"${lists.cell(1, column).column_letter}${len(choices)}"
        listed = DataValidation(type="list", formula1=source, allow_blank=True)
        listed.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(listed)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _lookup(choices, value: str) -> str | None:
    wanted = value.strip().casefold()
    for code, label in choices:
        if wanted in (str(code).casefold(), str(label).casefold()):
            return code
    return None


# LibreOffice's Vietnamese default short date: 15/03/25. Two-digit years are 2000+yy (the
# registry starts in 2022); a date that lands in the future is refused by the service.
_SHORT_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2})$")


def _to_date(value: Any) -> dt.date | str | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if short := _SHORT_DATE.match(text):
        day, month, year = (int(part) for part in short.groups())
        try:
            return dt.date(2000 + year, month, day)
        except ValueError:
            return text
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return text  # kept as text: reported as a row error


def _to_phone(value: Any) -> tuple[str, str]:
    """The phone as text, and a note when its lost leading 0 was put back.

    Spreadsheets read a phone typed as a number (or a CSV opened and saved again) as a
    number and drop the 0: 912345678. Put it back only when the result is a valid
    Vietnamese number, and say so; anything else is left for the phone rule to refuse.
    """
    if value in (None, ""):
        return "", ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    digits = normalize_phone(text)
    if digits.isdigit() and not digits.startswith("0") and len(digits) in (9, 10):
        restored = "0" + digits
        try:
            validate_vn_phone(restored)
        except ValidationError:
            return text, ""
        note = _("Số điện thoại “%(typed)s” thiếu số 0 ở đầu: đã thêm số 0 ở đầu thành %(phone)s.")
        return restored, note % {"typed": text, "phone": format_phone(restored)}
    return text, ""


def read_rows(uploaded) -> list[dict[str, Any]]:
    """Raw rows of an uploaded .xlsx or .csv file, keyed by header. Raises UploadError."""
    expect = (*COLUMNS, *ENGLISH_COLUMNS)
    table = uploads.read_table(uploaded, max_rows=max_rows(), expect=expect)
    header, *body = table.rows or [()]
    headers = [str(h or "").strip() for h in header]
    known = {k.casefold(): v for k, v in {**COLUMNS, **ENGLISH_COLUMNS}.items()}
    mapping = {i: known[h.casefold()] for i, h in enumerate(headers) if h.casefold() in known}
    missing = [k for k, v in COLUMNS.items() if v in REQUIRED and v not in mapping.values()]
    if missing:
        raise UploadError(
            _("Thiếu cột bắt buộc: %(columns)s. Hãy dùng tệp mẫu.")
            % {"columns": ", ".join(missing)}
        )
    rows = []
    for raw in body:
        if all(v in (None, "") for v in raw):
            continue
        rows.append({key: raw[i] if i < len(raw) else None for i, key in mapping.items()})
    if not rows:
        raise UploadError(_("Tệp không có dòng dữ liệu nào."))
    if len(rows) > max_rows():
        raise UploadError(
            _("Tệp có hơn %(max)s dòng; mỗi lần nhập tối đa %(max)s dòng. Hãy chia nhỏ tệp.")
            % {"max": max_rows()}
        )
    return rows


def max_rows() -> int:
    """Members one file may add (a team has a few dozen)."""
    return settings.IMPORT_MAX_MEMBER_ROWS


@dataclass
class ParsedRow:
    """One file row read: member_add keywords, what could not be read, what was corrected."""

    kwargs: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Keywords that hold the model's default only because the cell could not be read: the
    # preview leaves them empty rather than show a choice nobody made.
    unread: set[str] = field(default_factory=set)


def _choice(raw: dict, key: str, choices, missing: str | None, wrong: str) -> tuple[str, str]:
    """(code, error) of a role/body cell; a blank cell is `missing`'s error, or the default."""
    text = str(raw.get(key) or "").strip()
    if not text:
        return (MemberRole.MEMBER, "") if missing is None else ("", missing)
    code = _lookup(choices, text)
    return (code, "") if code else ("", wrong % {"value": text})


def to_member_kwargs(raw: dict[str, Any]) -> ParsedRow:
    """Turn one raw row into member_add keywords, with errors for values that cannot be read
    and notes for values corrected on the way (a phone's lost 0, a two-digit year)."""
    row = ParsedRow({"full_name": str(raw.get("full_name") or "").strip()})
    if not row.kwargs["full_name"]:
        row.errors.append(_("Thiếu họ và tên."))
    role, error = _choice(
        raw,
        "role",
        MemberRole.choices,
        None,  # a blank role is an ordinary member: most rows are
        _("Vai trò “%(value)s” không hợp lệ (Tổ trưởng, Tổ phó, Tổ viên)."),
    )
    body, body_error = _choice(
        raw,
        "body",
        MemberBody.choices,
        _("Thiếu đơn vị, đoàn thể (%(choices)s).")
        % {"choices": ", ".join(str(label) for label in MemberBody.labels)},
        _("Đơn vị, đoàn thể “%(value)s” không có trong danh sách."),
    )
    row.errors += [e for e in (error, body_error) if e]
    row.kwargs["role"] = role or MemberRole.MEMBER
    row.kwargs["body"] = body or MemberBody.OTHER
    row.unread |= {"role"} if error else set()
    row.unread |= {"body"} if body_error else set()
    row.kwargs["phone"], note = _to_phone(raw.get("phone"))
    row.notes += [note] if note else []
    joined = _to_date(raw.get("joined_on"))
    if isinstance(joined, dt.date) and _SHORT_DATE.match(str(raw.get("joined_on")).strip()):
        row.notes.append(
            _("Ngày “%(typed)s” có năm hai chữ số: đã đọc là %(day)s.")
            % {"typed": str(raw["joined_on"]).strip(), "day": joined.strftime("%d/%m/%Y")}
        )
    if isinstance(joined, str):
        row.errors.append(
            _("Ngày tham gia “%(value)s” không đúng dạng dd/mm/yyyy (hoặc dd/mm/yy).")
            % {"value": joined}
        )
        joined = None
    row.kwargs["joined_on"] = joined
    row.kwargs["note"] = str(raw.get("note") or "").strip()
    return row


def joined_on_default_note(team) -> str:
    """Said on a row without a joining date: the service counts the member from the team's
    decision (a team's first list), which the officer should see before confirming."""
    return _("Không có ngày tham gia: tính từ ngày quyết định thành lập tổ %(day)s.") % {
        "day": team.decision_date.strftime("%d/%m/%Y")
    }


def preview_labels(row: ParsedRow) -> dict[str, str]:
    """The role and body of a row as people read them, not their codes; empty where the cell
    could not be read (its error says why)."""
    kwargs = row.kwargs
    return {
        "role": "" if "role" in row.unread else MemberRole(kwargs["role"]).label,
        "body": "" if "body" in row.unread else MemberBody(kwargs["body"]).label,
        "phone": format_phone(normalize_phone(kwargs["phone"])),
    }
