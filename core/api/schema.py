"""OpenAPI post-processing: every operation documents the one error shape it can return."""

from __future__ import annotations

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details (localised `title` and `detail`).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "detail"],
}
ERRORS = {
    "400": "Bad filter or payload",
    "401": "Missing, invalid, expired or revoked token",
    "403": "Outside the client's scope or role",
    "404": "Not found",
    "406": "Unsupported format",
    "409": "Stale version or locked report",
    "429": "Too many requests",
}


def add_problem_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                if code == "409" and method == "get":
                    continue
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": ref},
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                )
    return result
