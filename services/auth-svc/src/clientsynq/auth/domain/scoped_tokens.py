"""Opaque secrets that name their tenant, so even the lookup of a secret filters by tenant.

``<prefix>.<tenant_id>.<secret>``: the tenant id is not secret (it is in every URL), the
random part is, and only its sha256 digest is stored.
"""
from __future__ import annotations

import re

from clientsynq.auth.domain.digests import new_secret

_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def make_scoped_token(prefix: str, tenant_id: str, nbytes: int = 32) -> str:
    return f"{prefix}.{tenant_id}.{new_secret(nbytes)}"


def tenant_of(prefix: str, token: str) -> str | None:
    """The tenant a token claims, or None when it is not one of ours at all."""
    parts = token.split(".", 2)
    if len(parts) != 3 or parts[0] != prefix or not _ID_RE.fullmatch(parts[1]) or not parts[2]:
        return None
    return parts[1]
