"""The client's address behind a known number of trusted reverse proxies.

django-axes resolves addresses through django-ipware when it is installed; it is not, so axes
fell back to REMOTE_ADDR, which behind the reverse proxy is the proxy itself: every client
shared one address and five failures from anyone locked the account for everyone. This
resolver is what axes (and the audit log, through axes) uses instead.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or with N trusted proxies the N-th X-Forwarded-For entry from the right.

    Each proxy appends the address it received the request from, so entries further left were
    written by the client and cannot be trusted (a client cannot escape its lock by sending
    its own X-Forwarded-For). A malformed entry falls back to REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.AXES_IPWARE_PROXY_COUNT or 0
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
