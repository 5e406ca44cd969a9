"""One JSON error shape for the whole API (RFC 9457 problem details, localised)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.dispatch import Signal
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

# Sent for every API answer 403; `divisions.audit` records it (core imports no app).
api_denied = Signal()

TITLES = {
    400: _("Yêu cầu không hợp lệ"),
    401: _("Chưa xác thực"),
    403: _("Không có quyền"),
    404: _("Không tìm thấy"),
    405: _("Phương thức không được hỗ trợ"),
    406: _("Định dạng không được hỗ trợ"),
    409: _("Xung đột dữ liệu"),
    415: _("Kiểu nội dung không được hỗ trợ"),
    429: _("Quá nhiều yêu cầu"),
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Dữ liệu đã bị thay đổi hoặc đang bị khoá.")
    default_code = "conflict"


def _flatten(detail) -> tuple[str, dict]:
    if isinstance(detail, dict):
        fields = {
            k: [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in detail.items()
        }
        first = next(iter(fields.values()), [""])
        return (first[0] if first else ""), fields
    if isinstance(detail, list):
        return (str(detail[0]) if detail else ""), {}
    return str(detail), {}


def problem_exception_handler(exc, context):
    """Turn every API error into {type, title, status, detail, errors}."""
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
    detail, fields = _flatten(response.data)
    body = {
        "type": f"https://cds.camau.gov.vn/problems/{getattr(exc, 'default_code', 'error')}",
        "title": str(TITLES.get(response.status_code, _("Lỗi"))),
        "status": response.status_code,
        "detail": detail,
    }
    if fields:
        body["errors"] = fields
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After")}
    return Response(body, status=response.status_code, headers=headers)
