"""Revoking grants at Intuit, with a durable retry: a pending revocation is written with the
state change, tried at once, and retried by the worker until Intuit confirms."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from clientsynq.auth.domain.errors import QboUnavailable
from clientsynq.auth.services import audit
from clientsynq.common.crypto import DecryptionError

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

log = logging.getLogger(__name__)


def revoke_pending(deps: Deps, tenant_id: str, entry: Mapping[str, str]) -> bool:
    """True once Intuit confirmed (or the token cannot be opened any more: nothing to send)."""
    try:
        token = deps.cipher.open(tenant_id, entry["realm_id"], "refresh", entry["token"])
        deps.qbo.revoke(token)
    except DecryptionError:
        log.error("qbo.revocation_undecryptable", extra={"tenant_id": tenant_id})
    except QboUnavailable:
        log.warning("qbo.revocation_deferred", extra={"tenant_id": tenant_id,
                                                      "realm_id": entry["realm_id"]})
        audit.record(deps, tenant_id, "qbo.revoke_failed", None, realm_id=entry["realm_id"])
        return False
    deps.stores.connections.drop_pending_revocation(tenant_id, entry["id"])
    return True


def revoke_quietly(deps: Deps, refresh_token: str) -> None:
    """Best effort, for a grant we never stored (a connect that failed half-way)."""
    try:
        deps.qbo.revoke(refresh_token)
    except QboUnavailable:
        log.warning("qbo.revocation_skipped")


def retry_pending_revocations(deps: Deps) -> int:
    """The worker's sweep over revocations Intuit has not confirmed yet."""
    done = 0
    for stored in deps.stores.connections.with_pending_revocations():
        for entry in stored.pending_revocations:
            done += revoke_pending(deps, stored.connection.tenant_id, entry)
    return done
