"""Digests and random secrets for high-entropy tokens (refresh tokens, links, API keys,
OAuth states): pure functions the use cases need, kept on the inside."""
from __future__ import annotations

import hashlib
import hmac
import secrets


def secret_digest(secret: str) -> str:
    """For high-entropy random secrets (refresh tokens, links, API keys): sha256 is enough,
    and unlike argon2 it lets us look the secret up by its digest."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def digests_match(stored: str, secret: str) -> bool:
    return hmac.compare_digest(stored, secret_digest(secret))


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
