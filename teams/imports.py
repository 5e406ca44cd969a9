"""Member import from Excel/CSV: read with django-import-export's formats, save via the service.

The file is read into plain rows (column names in Vietnamese, as in the template), each row is
turned into member_add keywords, and `services.members_import` validates and saves all of them
in one transaction: one bad row and nothing is saved. The preview runs the same function with
`dry_run=True`, so the preview and the real import cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.formats.base_formats import CSV, XLSX

from teams.models import Member, MemberBody, MemberRole

MAX_ROWS = 200
MAX_BYTES = 2 * 1024 * 1024
SIGNING_SALT = "teams.member-import"

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


class ImportFileError(ValueError):
    """The file cannot be read at all (wrong type, no header, too big)."""


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
    """Raw rows of an uploaded .xlsx or .csv file, keyed by header. Raises ImportFileError."""
    name = (uploaded.name or "").lower()
    if uploaded.size and uploaded.size > MAX_BYTES:
        raise ImportFileError(_("Tệp quá lớn (tối đa 2 MB)."))
    content = uploaded.read()
    try:
        if name.endswith(".xlsx"):
            dataset = XLSX().create_dataset(content)
        elif name.endswith(".csv"):
            dataset = CSV().create_dataset(content.decode("utf-8-sig"))
        else:
            raise ImportFileError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl/tablib raise many kinds for a damaged file
        raise ImportFileError(_("Không đọc được tệp: %(error)s") % {"error": exc}) from exc
    headers = [str(h or "").strip() for h in (dataset.headers or [])]
    known = {k.casefold(): v for k, v in COLUMNS.items()}
    mapping = {i: known[h.casefold()] for i, h in enumerate(headers) if h.casefold() in known}
    missing = [k for k, v in COLUMNS.items() if v in REQUIRED and v not in mapping.values()]
    if missing:
        raise ImportFileError(
            _("Thiếu cột bắt buộc: %(columns)s. Hãy dùng tệp mẫu.")
            % {"columns": ", ".join(missing)}
        )
    rows = []
    for raw in dataset:
        if all(v in (None, "") for v in raw):
            continue
        rows.append({key: raw[i] for i, key in mapping.items()})
    if not rows:
        raise ImportFileError(_("Tệp không có dòng dữ liệu nào."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("Tệp có quá %(n)s dòng.") % {"n": MAX_ROWS})
    return rows


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


def sign_rows(team_id: int, rows: list[dict[str, Any]]) -> str:
    """The parsed rows, signed, carried from the preview to the confirmation."""
    payload = [
        {**r, "joined_on": r["joined_on"].isoformat() if r.get("joined_on") else None} for r in rows
    ]
    return signing.dumps({"team": team_id, "rows": payload}, salt=SIGNING_SALT, compress=True)


def unsign_rows(team_id: int, token: str) -> list[dict[str, Any]]:
    data = signing.loads(token, salt=SIGNING_SALT, max_age=3600)
    if data.get("team") != team_id:
        raise signing.BadSignature("team mismatch")
    return [
        {**r, "joined_on": dt.date.fromisoformat(r["joined_on"]) if r.get("joined_on") else None}
        for r in data["rows"]
    ]
