"""Revoking grants at Intuit, with a durable retry: a pending revocation is written with the
state change, tried at once, and retried by the worker until Intuit confirms."""
from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from clientsynq.auth.domain.errors import QboUnavailable
from clientsynq.auth.domain.records import Revocation
from clientsynq.auth.services import audit
from clientsynq.common.crypto import DecryptionError
from clientsynq.common.metrics import counter

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

log = logging.getLogger(__name__)
UNDECRYPTABLE = counter("clientsynq_auth_revocations_undecryptable_total",
                        "Pending QBO revocations whose token cannot be decrypted (key missing "
                        "from TOKEN_ENCRYPTION_KEYS): alert on any increase")


def revoke_pending(deps: Deps, tenant_id: str, revocation: Revocation) -> bool:
    """True once Intuit confirmed; False keeps it pending for the worker's next round."""
    try:
        token = deps.cipher.open(tenant_id, revocation.realm_id, "refresh", revocation.token)
        deps.qbo.revoke(token)
    except DecryptionError:
        # The key that sealed it left the ring: an operator must put it back, or the grant
        # stays alive at Intuit. Kept pending (retried each round), alarmed, audited.
        log.error("qbo.revocation_undecryptable", extra={"tenant_id": tenant_id,
                                                         "realm_id": revocation.realm_id})
        UNDECRYPTABLE.inc()
        audit.record(deps, tenant_id, "qbo.revoke_failed", None, realm_id=revocation.realm_id,
                     reason="undecryptable")
        return False
    except QboUnavailable:
        log.warning("qbo.revocation_deferred", extra={"tenant_id": tenant_id,
                                                      "realm_id": revocation.realm_id})
        audit.record(deps, tenant_id, "qbo.revoke_failed", None, realm_id=revocation.realm_id)
        return False
    deps.stores.connections.mark_revoked(revocation, deps.clock())
    return True


def revoke_latest(deps: Deps, tenant_id: str) -> None:
    """Right after a version carrying a revocation was written: try it now."""
    stored = deps.stores.connections.get(tenant_id)
    if stored is not None and stored.revocation is not None:
        revoke_pending(deps, tenant_id, stored.revocation)


def revoke_quietly(deps: Deps, refresh_token: str) -> None:
    """Best effort, for a grant we never stored (a connect that failed half-way)."""
    try:
        deps.qbo.revoke(refresh_token)
    except QboUnavailable:
        log.warning("qbo.revocation_skipped")


def retry_pending_revocations(deps: Deps, stop: threading.Event | None = None) -> int:
    """The worker's sweep over revocations Intuit has not confirmed yet (until `stop` is
    set: the worker is stopping)."""
    done = 0
    for stored in deps.stores.connections.pending_revocations():
        if stop is not None and stop.is_set():
            break
        if stored.revocation is not None:
            done += revoke_pending(deps, stored.connection.tenant_id, stored.revocation)
    return done
