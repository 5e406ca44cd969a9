"""Cursor pages for every list endpoint: `{next, previous, results}`, next/prev also in `Link`.

The cursor is short and readable rather than DRF's base64 query string, so the schema can state
exactly which cursors exist (`CURSOR_PATTERN`): `n<id>` continues after the row `<id>`, `p<id>`
goes back before it, an optional `-<k>` skips k rows of equal position. Any cursor matching
the pattern is a valid page (perhaps empty); anything else is a 400, never page one.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from core.api.params import ascii_int

CURSOR_PATTERN = r"^[np]([0-9]{1,18})?(-[0-9]{1,3})?$"
_CURSOR_RE = re.compile(r"^(?P<way>[np])(?P<position>[0-9]{1,18})?(?:-(?P<offset>[0-9]{1,3}))?$")
PAGE_SIZE = 500
MAX_PAGE_SIZE = 5000


class StableCursorPagination(CursorPagination):
    """Cursor pages ordered by id, stable under inserts; page size 1–5000."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "id"

    def get_page_size(self, request):
        """A page_size outside 1–5000 (or not ASCII digits) is a 400, as the schema says."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = ascii_int(raw)
        if size is None or not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    "page_size": [
                        _("page_size phải là số nguyên từ 1 đến %(max)s.")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    def decode_cursor(self, request):
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None
        match = _CURSOR_RE.fullmatch(raw)
        if match is None:
            raise ValidationError(
                {"cursor": [_("Con trỏ trang không hợp lệ: hãy dùng liên kết next/previous.")]}
            )
        return Cursor(
            offset=int(match["offset"] or 0),
            reverse=match["way"] == "p",
            position=match["position"],
        )

    def encode_cursor(self, cursor):
        token = ("p" if cursor.reverse else "n") + (cursor.position or "")
        if cursor.offset:
            token += f"-{cursor.offset}"
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def get_paginated_response(self, data):
        nxt, prev = self.get_next_link(), self.get_previous_link()
        links = [f'<{url}>; rel="{rel}"' for url, rel in ((nxt, "next"), (prev, "prev")) if url]
        headers = {"Link": ", ".join(links)} if links else None
        return Response({"next": nxt, "previous": prev, "results": data}, headers=headers)


def paginate(request, view, rows_qs) -> tuple[StableCursorPagination, list]:
    """One page of a queryset (or of `.values()`) ordered by id."""
    paginator = StableCursorPagination()
    return paginator, paginator.paginate_queryset(rows_qs, request, view=view)
