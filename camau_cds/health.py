"""Liveness and readiness probes for the load balancer and docker-compose.

A probe never waits longer than `CDS_HEALTH_TIMEOUT_SECONDS` on one dependency: a frozen
broker or database (connections accepted, nothing answered) must give a quick 503, not hold
a web worker until gunicorn kills it. The liveness probe does no I/O at all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers: nothing else is checked (no database, no broker)."""
    return JsonResponse({"status": "ok"})


def _timeout() -> float:
    return float(settings.CDS_HEALTH_TIMEOUT_SECONDS)


def check_database() -> str | None:
    """Return None when the database answers a query, else the reason.

    On PostgreSQL a connection of its own, bounded on both sides: `connect_timeout` covers
    connecting and the start-up exchange, `statement_timeout` the query (a server stuck on
    locks or overloaded). The shared connection's settings would wait 5 s to connect."""
    try:
        if connection.vendor != "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
            return None
        seconds = _timeout()
        params = connection.get_connection_params()
        params["connect_timeout"] = max(1, int(seconds))  # libpq: whole seconds, at least 1
        params["options"] = f"-c statement_timeout={int(seconds * 1000)}"
        probe = connection.get_new_connection(params)
        try:
            with probe.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        finally:
            probe.close()
    except Exception as exc:  # any driver error means "not ready"
        return f"database: {exc.__class__.__name__}: {exc}"
    return None


def check_broker() -> str | None:
    """Return None when no broker is configured or it answers a ping in time, else the
    reason. A read timeout as well as a connect timeout: a frozen Redis accepts the
    connection (the kernel does) and then never answers."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    url = settings.CELERY_BROKER_URL
    seconds = _timeout()
    try:
        if url.startswith(("redis://", "rediss://")):
            import redis

            client = redis.Redis.from_url(
                url, socket_timeout=seconds, socket_connect_timeout=seconds, retry_on_timeout=False
            )
            try:
                client.ping()
            finally:
                client.close()
        else:
            from kombu import Connection

            options = {"socket_timeout": seconds, "socket_connect_timeout": seconds}
            with Connection(url, connect_timeout=seconds, transport_options=options) as conn:
                conn.ensure_connection(max_retries=0, timeout=seconds)
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
