"""Liveness and readiness probes for the load balancer and docker-compose."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers: nothing else is checked."""
    return JsonResponse({"status": "ok"})


def check_database() -> str | None:
    """Return None when the database answers a query, else the reason."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        return f"database: {exc.__class__.__name__}: {exc}"
    return None


def check_broker() -> str | None:
    """Return None when no broker is configured or it answers a ping, else the reason."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"broker: {exc.__class__.__name__}: {exc}"
    return None


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and the broker, if configured) answer; 503 with reasons if not."""
    problems = [p for p in (check_database(), check_broker()) if p]
    if problems:
        return JsonResponse({"status": "unavailable", "reasons": problems}, status=503)
    return JsonResponse({"status": "ok"})
