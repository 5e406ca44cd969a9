"""Lean list responses: rows straight from `.values()`, paginated by cursor, no serializer.

DRF's ModelSerializer lists were ~4× slower than a bare JsonResponse here (DESIGN.md); the
serializers in the API modules only document the row shape for the OpenAPI schema.
"""

from __future__ import annotations

from collections.abc import Callable

from rest_framework.response import Response

from core.api.pagination import StableCursorPagination


def paginated_rows(
    request, view, qs, fields: tuple[str, ...], shape: Callable[[dict], dict] | None = None
) -> Response:
    """One page of `qs.values(*fields)` ordered by id, each row passed through `shape`."""
    paginator = StableCursorPagination()
    page = paginator.paginate_queryset(qs.values(*fields), request, view=view)
    rows = [shape(r) for r in page] if shape else list(page)
    return paginator.get_paginated_response(rows)
