"""One error shape for the whole API: RFC 9457 problem details, localised, always
`application/problem+json` (also for a CSV request, a 404 of the URL resolver and a 500).

`{type, title, status, detail, errors?}`: `detail` says what went wrong in one sentence;
`errors` lists each field's problem as `{field, detail}` (a parameter name, or
`rows.<i>.<field>` for the write body) and never repeats `detail` as an entry of its own.
400 means the request does not match the schema; 422 means it matches but names a code that
does not exist or breaks a rule of the data the schema cannot state (`Unprocessable`).
"""

from __future__ import annotations

import functools
import json

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.dispatch import Signal
from django.http import Http404, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

# Sent for every API answer 403; `divisions.audit` records it (core imports no app).
api_denied = Signal()

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://cds.camau.gov.vn/problems/"
API_PREFIX = "/api/"

TITLES = {
    400: _("Yêu cầu không hợp lệ"),
    401: _("Chưa xác thực"),
    403: _("Không có quyền"),
    404: _("Không tìm thấy"),
    405: _("Phương thức không được hỗ trợ"),
    406: _("Định dạng không được hỗ trợ"),
    409: _("Xung đột dữ liệu"),
    415: _("Kiểu nội dung không được hỗ trợ"),
    422: _("Dữ liệu không xử lý được"),
    429: _("Quá nhiều yêu cầu"),
    500: _("Lỗi máy chủ"),
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Dữ liệu đã bị thay đổi hoặc đang bị khoá.")
    default_code = "conflict"


class Unprocessable(exceptions.ValidationError):
    """The request matches the schema, but a code it names does not exist or the data breaks
    a rule the schema cannot state (e.g. a figure's checks): 422, same body as a 400."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"


def _flatten(detail) -> tuple[str, list[dict]]:
    """DRF's error detail → (one-sentence detail, [{field, detail}, …])."""
    if isinstance(detail, dict) and set(detail) == {"detail"}:
        detail = detail["detail"]
    if isinstance(detail, dict):
        errors = [
            {"field": str(field), "detail": str(message)}
            for field, messages in detail.items()
            for message in (messages if isinstance(messages, list) else [messages])
        ]
        if len(errors) == 1:
            return errors[0]["detail"], [{"field": errors[0]["field"]}]
        summary = gettext("Yêu cầu có %(n)s lỗi, liệt kê trong errors.") % {"n": len(errors)}
        return summary, errors
    if isinstance(detail, list):
        return "; ".join(str(x) for x in detail), []
    return str(detail), []


def problem_response(
    status_code: int, detail: str, *, code: str = "error", errors=None, headers: dict | None = None
) -> HttpResponse:
    """The problem document as a plain Django response (no content negotiation: an error is
    JSON even when the client asked for CSV)."""
    body = {
        "type": PROBLEM_BASE + code,
        "title": str(TITLES.get(status_code, _("Lỗi"))),
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status_code,
        content_type=PROBLEM_MEDIA_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def problem_exception_handler(exc, context):
    """Turn every API error into a problem document."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == 403 and context.get("request") is not None:
        api_denied.send(sender=problem_exception_handler, request=context["request"])
    detail, errors = _flatten(response.data)
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After")}
    return problem_response(
        response.status_code,
        detail,
        code=getattr(exc, "default_code", "error"),
        errors=errors,
        headers=headers,
    )


def api_aware(page_handler, status_code: int):
    """An error handler of the URL conf that answers API addresses with a problem document
    and everything else with `page_handler`'s HTML page."""

    @functools.wraps(page_handler)
    def handler(request, *args, **kwargs):
        if request.path.startswith(API_PREFIX):
            detail = {
                403: _("Bạn không có quyền thực hiện thao tác này."),
                404: _("Không có tài nguyên ở địa chỉ này."),
                500: _("Máy chủ gặp lỗi; yêu cầu chưa được thực hiện. Hãy thử lại sau."),
            }[status_code]
            return problem_response(status_code, gettext(str(detail)))
        return page_handler(request, *args, **kwargs)

    return handler
