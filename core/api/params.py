"""Strict parsing of list filters: a filter the schema refuses is a 400 naming the parameter; a
well-formed one naming a code that does not exist is a 422; never an empty list or a 500.

Digits are ASCII only (`level=٣` or `page_size=５` are refused): Python's `isdigit` and `int`
accept every script's digits, the schema does not.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from core.api.errors import Unprocessable

# Months of 2000–2099: what the schema's pattern says (a wider year would reach year 0).
PERIOD_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"
PERIOD_RE = re.compile(PERIOD_PATTERN)
CODE_PATTERN = r"^[A-Za-z0-9_\-]{1,40}(,[A-Za-z0-9_\-]{1,40})*$"
CODES_RE = re.compile(CODE_PATTERN)
ASCII_INT_RE = re.compile(r"^[0-9]{1,9}$")
MAX_CODES = 200


def ascii_int(raw: str) -> int | None:
    """`raw` as an int when it is 1–9 ASCII digits, else None."""
    return int(raw) if ASCII_INT_RE.fullmatch(raw) else None


def codes(request, name: str) -> list[str]:
    """`?name=a,b` or `?name=a&name=b` → ['a', 'b'] (deduplicated, order kept). An empty value,
    an empty item or a character outside `[A-Za-z0-9_-]` is a 400, as the schema's pattern."""
    items: list[str] = []
    for chunk in request.query_params.getlist(name):
        if not CODES_RE.fullmatch(chunk):
            raise ValidationError({name: [_("Mã không hợp lệ: %(code)s.") % {"code": chunk[:40]}]})
        items += chunk.split(",")
    if len(items) > MAX_CODES:
        raise ValidationError({name: [_("Tối đa %(n)s mã mỗi lần.") % {"n": MAX_CODES}]})
    return list(dict.fromkeys(items))


def require_known(name: str, wanted: list[str], found: set[str]) -> None:
    """Well-formed codes that name nothing: 422 (the schema cannot list every code)."""
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise Unprocessable(
            {name: [_("Không có mã: %(codes)s.") % {"codes": ", ".join(unknown[:10])}]}
        )


def period(request, name: str) -> dt.date | None:
    """`YYYY-MM` → first day of that month."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    return parse_period(raw, name)


def parse_period(raw: str, name: str) -> dt.date:
    """`YYYY-MM` of 2000–2099 → first day of that month; anything else a 400 naming `name`."""
    if not isinstance(raw, str) or not PERIOD_RE.fullmatch(raw):
        raise ValidationError({name: [_("Kỳ phải có dạng YYYY-MM (2000–2099), ví dụ 2024-05.")]})
    return dt.date(int(raw[:4]), int(raw[5:7]), 1)


def period_range(request) -> tuple[dt.date | None, dt.date | None]:
    start, end = period(request, "period_from"), period(request, "period_to")
    if start and end and start > end:
        raise Unprocessable({"period_to": [_("period_to phải sau hoặc bằng period_from.")]})
    return start, end


def choice(request, name: str, allowed: set[str]) -> str | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw not in allowed:
        raise ValidationError(
            {name: [_("Giá trị phải là một trong: %(v)s.") % {"v": ", ".join(sorted(allowed))}]}
        )
    return raw


def integer(request, name: str, allowed: set[int]) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if ascii_int(raw) not in allowed:
        raise ValidationError(
            {
                name: [
                    _("Giá trị phải là một trong: %(v)s.")
                    % {"v": ", ".join(map(str, sorted(allowed)))}
                ]
            }
        )
    return int(raw)
