"""Strict parsing of list filters: a bad filter is a 400 naming the parameter, never an
empty list or a 500."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")
MAX_CODES = 200


def codes(request, name: str) -> list[str]:
    """`?name=a,b` or `?name=a&name=b` → ['a', 'b'] (deduplicated, order kept)."""
    raw = request.query_params.getlist(name)
    items: list[str] = []
    for chunk in raw:
        items += [c.strip() for c in chunk.split(",") if c.strip()]
    if len(items) > MAX_CODES:
        raise ValidationError({name: [_("Tối đa %(n)s mã mỗi lần.") % {"n": MAX_CODES}]})
    for item in items:
        if len(item) > 40 or not re.fullmatch(r"[A-Za-z0-9_\-]+", item):
            raise ValidationError({name: [_("Mã không hợp lệ: %(code)s.") % {"code": item[:40]}]})
    return list(dict.fromkeys(items))


def require_known(name: str, wanted: list[str], found: set[str]) -> None:
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise ValidationError(
            {name: [_("Không có mã: %(codes)s.") % {"codes": ", ".join(unknown[:10])}]}
        )


def period(request, name: str) -> dt.date | None:
    """`YYYY-MM` → first day of that month."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    match = PERIOD_RE.match(raw)
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        raise ValidationError({name: [_("Kỳ phải có dạng YYYY-MM, ví dụ 2024-05.")]})
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def period_range(request) -> tuple[dt.date | None, dt.date | None]:
    start, end = period(request, "period_from"), period(request, "period_to")
    if start and end and start > end:
        raise ValidationError({"period_to": [_("period_to phải sau hoặc bằng period_from.")]})
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
    if not raw.isdigit() or int(raw) not in allowed:
        raise ValidationError(
            {
                name: [
                    _("Giá trị phải là một trong: %(v)s.")
                    % {"v": ", ".join(map(str, sorted(allowed)))}
                ]
            }
        )
    return int(raw)
