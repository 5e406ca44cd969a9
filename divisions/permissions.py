from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from divisions.models import ApiToken


class TokenWriteAllowed(BasePermission):
    """Read-only tokens may only read; session users are governed by divisions.access."""

    message = _("Mã truy cập này chỉ được đọc dữ liệu.")

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if request.method in SAFE_METHODS or not isinstance(token, ApiToken):
            return True
        return not token.read_only
