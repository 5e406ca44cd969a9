"""API token issue and verification. Secrets are shown once and stored as SHA-256 hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from divisions.models import ApiToken

TOKEN_PREFIX = "cds"
# last_used_at is written at most this often per token, so reads do not become writes.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_issue(
    *, user, name: str, read_only: bool = True, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the plaintext key (shown only once)."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = f"{TOKEN_PREFIX}_{prefix}_{secret}"
    token = ApiToken(
        user=user,
        name=name,
        prefix=prefix,
        key_hash=_hash(key),
        read_only=read_only,
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    """Revoke a token now; requests with it get 401 from then on."""
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


def api_token_verify(key: str) -> ApiToken | None:
    """The usable token for `key`, or None (unknown, malformed, expired or revoked)."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.usable().select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(key)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
