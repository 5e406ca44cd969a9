"""Member import from Excel/CSV: read with django-import-export's formats, save via the service.

The file is read by the one bounded reader (`core.uploads`) into plain rows (column names in
Vietnamese, as in the template), each row is turned into member_add keywords, and
`services.members_import` validates and saves all of them in one transaction: one bad row and
nothing is saved. The preview runs the same function with `dry_run=True`; the previewed file
waits in the upload preview store and is read again on confirmation, so the preview and the
real import cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from import_export import fields, resources

from core import uploads
from core.uploads import UploadError
from teams.models import Member, MemberBody, MemberRole

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
REQUIRED = ("full_name",)


class MemberResource(resources.ModelResource):
    """The template's columns (also used to export a team's members in the same shape)."""

    full_name = fields.Field(attribute="full_name", column_name="Họ và tên")
    role = fields.Field(attribute="get_role_display", column_name="Vai trò")
    body = fields.Field(attribute="get_body_display", column_name="Đơn vị, đoàn thể")
    phone = fields.Field(attribute="phone", column_name="Số điện thoại")
    joined_on = fields.Field(attribute="joined_on", column_name="Ngày tham gia")
    note = fields.Field(attribute="note", column_name="Ghi chú")

    class Meta:
        model = Member
        fields = ("full_name", "role", "body", "phone", "joined_on", "note")
        export_order = ("full_name", "role", "body", "phone", "joined_on", "note")


def _lookup(choices, value: str) -> str | None:
    wanted = value.strip().casefold()
    for code, label in choices:
        if wanted in (str(code).casefold(), str(label).casefold()):
            return code
    return None


def _to_date(value: Any) -> dt.date | str | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return text  # kept as text: reported as a row error


def _to_phone(value: Any) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # Excel drops the leading zero of numbers typed as numbers: 912345678 → 0912345678.
    if isinstance(value, int) and len(text) in (9, 10) and not text.startswith("0"):
        text = "0" + text
    return text


def read_rows(uploaded) -> list[dict[str, Any]]:
    """Raw rows of an uploaded .xlsx or .csv file, keyed by header. Raises UploadError."""
    table = uploads.read_table(uploaded, max_rows=max_rows(), expect=tuple(COLUMNS))
    header, *body = table.rows or [()]
    headers = [str(h or "").strip() for h in header]
    known = {k.casefold(): v for k, v in COLUMNS.items()}
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


def to_member_kwargs(raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Turn one raw row into member_add keywords, with errors for values that cannot be read."""
    errors: list[str] = []
    kwargs: dict[str, Any] = {"full_name": str(raw.get("full_name") or "").strip()}
    if not kwargs["full_name"]:
        errors.append(_("Thiếu họ và tên."))
    role_text = str(raw.get("role") or "").strip()
    role = _lookup(MemberRole.choices, role_text) if role_text else MemberRole.MEMBER
    if role is None:
        errors.append(
            _("Vai trò “%(value)s” không hợp lệ (Tổ trưởng, Tổ phó, Tổ viên).")
            % {"value": role_text}
        )
    kwargs["role"] = role or MemberRole.MEMBER
    body_text = str(raw.get("body") or "").strip()
    body = _lookup(MemberBody.choices, body_text) if body_text else MemberBody.OTHER
    if body is None:
        errors.append(
            _("Đơn vị, đoàn thể “%(value)s” không có trong danh sách.") % {"value": body_text}
        )
    kwargs["body"] = body or MemberBody.OTHER
    kwargs["phone"] = _to_phone(raw.get("phone"))
    joined = _to_date(raw.get("joined_on"))
    if isinstance(joined, str):
        errors.append(
            _("Ngày tham gia “%(value)s” không đúng dạng dd/mm/yyyy.") % {"value": joined}
        )
        joined = None
    kwargs["joined_on"] = joined
    kwargs["note"] = str(raw.get("note") or "").strip()
    return kwargs, errors
