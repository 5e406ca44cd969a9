from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response


class StableCursorPagination(CursorPagination):
    """Cursor pages, stable under inserts; page size capped; next/prev also in `Link`."""

    page_size = 500
    page_size_query_param = "page_size"
    max_page_size = 5000
    ordering = "id"

    def get_page_size(self, request):
        """A huge page_size is clamped to the maximum; a non-number or < 1 is a 400."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"page_size": [_("page_size phải là số nguyên dương.")]})
        return min(int(raw), self.max_page_size)

    def get_paginated_response(self, data):
        links = []
        if (nxt := self.get_next_link()) is not None:
            links.append(f'<{nxt}>; rel="next"')
        if (prev := self.get_previous_link()) is not None:
            links.append(f'<{prev}>; rel="prev"')
        headers = {"Link": ", ".join(links)} if links else None
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data},
            headers=headers,
        )
