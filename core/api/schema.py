"""The OpenAPI schema as the API behaves: shared parameter shapes (codes, periods, pages) and
the post-processing hook (the one error shape on every operation, an ASCII title for
generated clients, links between operations for stateful testing)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter

from core.api.pagination import CURSOR_PATTERN, MAX_PAGE_SIZE, PAGE_SIZE
from core.api.params import CODE_PATTERN, PERIOD_PATTERN

# Generated clients take their package name from the title: ASCII, so the package is
# `ca_mau_cds_portal_api_client`; the Vietnamese name stays in the description.
TITLE = "Ca Mau CDS Portal API"
DESCRIPTION_PREFIX = "Cổng CĐS Cà Mau (Cà Mau digital transformation portal). "
PACKAGE_NAME = "ca_mau_cds_portal_api_client"

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details (localised `title` and `detail`). `errors` lists "
    "each field's problem; an entry carries no `detail` when it would repeat the top-level one.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "detail": {"type": "string"}},
                "required": ["field"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}
ERRORS = {
    "400": "The request does not match this schema",
    "401": "Missing, invalid, expired or revoked token",
    "403": "Outside the client's scope or role",
    "404": "Not found",
    "406": "Unsupported format",
    "409": "Stale version or locked report",
    "415": "Unsupported body type (JSON only)",
    "422": "Matches the schema, but names an unknown code or breaks a rule of the data",
    "429": "Too many requests",
}
WRITE_ONLY_ERRORS = {"409", "415"}
READ_ONLY_ERRORS: set[str] = set()


def code_param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {"type": "string", "pattern": r"^[A-Za-z0-9_\-]{1,40}$", "maxLength": 40},
        description=description,
    )


def codes_param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {"type": "string", "pattern": CODE_PATTERN, "maxLength": 8200},
        description=description,
    )


def period_param(name: str) -> OpenApiParameter:
    return OpenApiParameter(
        name, str, description="Month as YYYY-MM (2000-2099), e.g. 2024-01", pattern=PERIOD_PATTERN
    )


PAGE_PARAMS = [
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        description=f"Rows per page (default {PAGE_SIZE}, at most {MAX_PAGE_SIZE})",
    ),
    OpenApiParameter(
        "cursor",
        str,
        description="Cursor from `next`/`previous` (`n<id>` after, `p<id>` before a row)",
        pattern=CURSOR_PATTERN,
    ),
    OpenApiParameter("format", str, enum=["json", "csv"]),
]


def links_to_values_list() -> dict:
    """Links of a figure write's answer: read the written figure back, and update it at the
    version the answer gives (schemathesis follows them in its stateful phase)."""
    first = "$response.body#/results/0"
    return {
        "x-links": {
            "ReadWrittenFigure": {
                "operationId": "v1_values_list",
                "parameters": {
                    "indicator": f"{first}/indicator",
                    "division": f"{first}/division",
                    "period_from": f"{first}/period",
                    "period_to": f"{first}/period",
                    "status": "all",
                },
            },
            "UpdateWrittenFigure": {
                "operationId": "v1_values_partial_update",
                "requestBody": [
                    {
                        "indicator": f"{first}/indicator",
                        "division": f"{first}/division",
                        "period": f"{first}/period",
                        "value": 1,
                        "version": f"{first}/version",
                    }
                ],
            },
        }
    }


def _error_responses(operation: dict, method: str) -> None:
    responses = operation.setdefault("responses", {})
    ref = {"$ref": "#/components/schemas/Problem"}
    for code, description in ERRORS.items():
        if method == "get" and code in WRITE_ONLY_ERRORS:
            continue
        if method != "get" and code in READ_ONLY_ERRORS:
            continue
        responses.setdefault(
            code,
            {"description": description, "content": {"application/problem+json": {"schema": ref}}},
        )


def body_items(min_items: int, max_items: int) -> dict:
    """Operation extension: bounds of an array body (drf-spectacular leaves them out)."""
    return {"x-body-items": {"minItems": min_items, "maxItems": max_items}}


def _body_items(operation: dict) -> None:
    bounds = operation.pop("x-body-items", None)
    if not bounds:
        return
    for media in operation.get("requestBody", {}).get("content", {}).values():
        if media.get("schema", {}).get("type") == "array":
            media["schema"].update(bounds)


def _links(operation: dict) -> None:
    links = operation.pop("x-links", None)
    if not links:
        return
    for code in ("200", "201"):
        if code in operation.get("responses", {}):
            operation["responses"][code]["links"] = links


def add_problem_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: errors, bounds, links and the title."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    info = result.setdefault("info", {})
    info["title"] = TITLE
    info["x-package-name"] = PACKAGE_NAME
    description = info.get("description", "")
    if not description.startswith(DESCRIPTION_PREFIX):
        info["description"] = DESCRIPTION_PREFIX + description
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            _error_responses(operation, method)
            _links(operation)
            _body_items(operation)
    return result
