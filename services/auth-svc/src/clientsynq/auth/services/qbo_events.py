"""``connection.changed`` envelopes and the sealing of token pairs: shared by every QBO flow."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from clientsynq.auth.domain.model import TokenSet
from clientsynq.auth.domain.records import SealedTokens, StoredConnection
from clientsynq.common.events import CONNECTION_CHANGED, new_event

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

SOURCE = "/clientsynq/auth-svc"


def connection_changed(tenant_id: str, realm_id: str, status: str, company_name: str | None,
                       at: datetime, reason: str | None = None) -> dict[str, Any]:
    """Tokens never travel on Kafka: the event says what changed, not with what."""
    return new_event(CONNECTION_CHANGED, tenant_id=tenant_id, realm_id=realm_id, source=SOURCE,
                     subject=realm_id,
                     data={"status": status, "realm_id": realm_id, "company_name": company_name,
                           "changed_at": at, "reason": reason})


def seal(deps: Deps, tenant_id: str, realm_id: str, tokens: TokenSet) -> SealedTokens:
    cipher = deps.cipher
    return SealedTokens(access=cipher.seal(tenant_id, realm_id, "access", tokens.access_token),
                        refresh=cipher.seal(tenant_id, realm_id, "refresh",
                                            tokens.refresh_token),
                        key_id=cipher.active_key_id)


def open_token(deps: Deps, stored: StoredConnection, kind: str) -> str:
    """``kind`` is "access" or "refresh"; raises DecryptionError if the ring lost the key."""
    connection = stored.connection
    if stored.tokens is None or connection.realm_id is None:
        raise ValueError("the connection holds no tokens")
    sealed = stored.tokens.access if kind == "access" else stored.tokens.refresh
    return deps.cipher.open(connection.tenant_id, connection.realm_id, kind, sealed)


def pending_revocation(stored: StoredConnection) -> tuple[str, str] | None:
    """(realm, sealed refresh token): kept only until Intuit confirms the revocation."""
    connection = stored.connection
    if stored.tokens is None or connection.realm_id is None:
        return None
    return connection.realm_id, stored.tokens.refresh
