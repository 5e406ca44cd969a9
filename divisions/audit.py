"""Security audit trail: who logged in, who failed, who was denied what."""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from core.api.errors import api_denied
from divisions.models import AuditEvent


def client_ip(request) -> str | None:
    """The client address as django-axes resolves it (honours the proxy settings)."""
    if request is None:
        return None
    try:
        return get_client_ip_address(request)
    except Exception:  # a malformed header must never break a login
        return request.META.get("REMOTE_ADDR")


def audit_record(*, kind: str, request=None, user=None, username: str = "") -> None:
    """Write one audit row; never raises into the request that triggered it."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        ip_address=client_ip(request),
        method=(getattr(request, "method", None) or "")[:10],
        path=(request.get_full_path() if request else "")[:500],
    )


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    audit_record(kind=AuditEvent.Kind.LOGIN, request=request, user=user)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    audit_record(kind=AuditEvent.Kind.LOGOUT, request=request, user=user)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        kind=AuditEvent.Kind.LOGIN_FAILED, request=request, username=credentials.get("username", "")
    )


def audit_denied(request) -> None:
    """Record a 403 (called by the portal's 403 handler and the API's error handler)."""
    user = getattr(request, "user", None)
    audit_record(kind=AuditEvent.Kind.DENIED, request=request, user=user)


@receiver(api_denied)
def _api_denied(sender, request, **kwargs) -> None:
    audit_denied(request)
