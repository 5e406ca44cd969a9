"""GET /api/v1/: the API's front door, listing its collections, the schema and the docs, so the
address the README gives answers with where to go next (not a 404)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

COLLECTIONS = (
    "divisions",
    "indicators",
    "targets",
    "programmes",
    "values",
    "attainment",
    "reports",
    "teams",
    "activities",
)


@require_GET
def api_root(request: HttpRequest) -> JsonResponse:
    def link(name: str) -> str:
        return request.build_absolute_uri(reverse(f"api:{name}"))

    return JsonResponse(
        {
            "title": _("API của Cổng chuyển đổi số tỉnh Cà Mau"),
            "collections": {name: link(name) for name in COLLECTIONS},
            "schema": link("schema"),
            "docs": link("docs"),
        },
        json_dumps_params={"ensure_ascii": False},
    )
