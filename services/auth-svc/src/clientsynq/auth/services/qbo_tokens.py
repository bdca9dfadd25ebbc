"""Token custody for sync-svc: hand out an access token, refreshing it when it is due.

QBO rotates the refresh token on refresh and the old value dies, so two replicas
refreshing the same realm at once break the connection for good. One refresh per realm
runs at a time (a Mongo lease shared by every replica); the others wait and then re-read
what the holder stored, recognising it by the connection's ``token_version``.
"""
from __future__ import annotations

import hmac
import logging
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from clientsynq.auth.domain.errors import (
    AuthorizationExpired,
    NotConnected,
    QboRefused,
    QboUnavailable,
)
from clientsynq.auth.domain.model import ConnectionStatus, TokenSet
from clientsynq.auth.domain.records import SealedTokens, StoredConnection
from clientsynq.auth.services import audit
from clientsynq.auth.services.accounts import get_tenant
from clientsynq.auth.services.leases import HeldLease, waiting_lease
from clientsynq.auth.services.qbo_events import connection_changed, open_token, seal
from clientsynq.common import retry
from pymongo.errors import PyMongoError

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccessGrant:
    access_token: str = field(repr=False)
    realm_id: str
    expires_at: datetime
    plan: str


def get_access_token(deps: Deps, tenant_id: str) -> AccessGrant:
    tenant = get_tenant(deps, tenant_id)
    stored = connected(deps, tenant_id)
    if not stored.connection.access_is_fresh(deps.clock(),
                                             deps.settings.refresh.access_margin_seconds):
        stored = _refresh_or_fall_back(deps, stored)
    return _grant(deps, stored, tenant.plan)


def refresh_rejected_token(deps: Deps, tenant_id: str, rejected_access_token: str) -> AccessGrant:
    """QBO answered 401 to this token: refresh only if it is still the one we hold, so
    twenty threads reporting the same token cause one refresh, not twenty."""
    tenant = get_tenant(deps, tenant_id)
    stored = connected(deps, tenant_id)
    current = open_token(deps, stored, "access")
    if hmac.compare_digest(current.encode(), rejected_access_token.encode()):
        stored = refresh_now(deps, stored)
    elif not stored.connection.access_is_fresh(deps.clock(),
                                               deps.settings.refresh.access_margin_seconds):
        stored = _refresh_or_fall_back(deps, stored)
    return _grant(deps, stored, tenant.plan)


def connected(deps: Deps, tenant_id: str) -> StoredConnection:
    stored = deps.stores.connections.get(tenant_id)
    if stored is None or stored.connection.status in (ConnectionStatus.DISCONNECTED,
                                                      ConnectionStatus.NOT_CONNECTED):
        raise NotConnected("This business has not connected QuickBooks (or disconnected it).")
    if stored.connection.status == ConnectionStatus.AUTHORIZATION_EXPIRED:
        raise AuthorizationExpired("QuickBooks authorization expired: an admin must Reconnect "
                                   "in Settings → QuickBooks.")
    if stored.tokens is None:
        raise NotConnected("This business has no QuickBooks tokens.")
    return stored


def refresh_now(deps: Deps, stored: StoredConnection) -> StoredConnection:
    """Refresh unless someone else already did since ``stored`` was read."""
    seen = stored.connection.token_version
    tenant_id = stored.connection.tenant_id
    with realm_lease(deps, stored.connection.realm_id or tenant_id) as held:
        latest = connected(deps, tenant_id)
        if latest.connection.token_version != seen:
            return latest  # the previous holder refreshed: use what it stored
        return _refresh_holding_lease(deps, latest, held)


def realm_lease(deps: Deps, realm_id: str) -> AbstractContextManager[HeldLease]:
    """Wait (bounded) for the per-realm lease; QboUnavailable if the holder takes too long.
    Held, it is renewed in the background, so a slow Intuit answer cannot outlive it."""
    policy = deps.settings.refresh
    return waiting_lease(deps, f"qbo-refresh:{realm_id}", policy.lease_seconds,
                         policy.wait_for_holder_seconds, lambda: QboUnavailable(
                             "Another refresh of this QuickBooks connection is taking too "
                             "long; try again shortly."))


def _refresh_holding_lease(deps: Deps, stored: StoredConnection,
                           held: HeldLease) -> StoredConnection:
    recovered = adopt_unsaved_pair(deps, stored)
    if recovered is not None:
        return recovered  # Intuit already rotated for this version: its answer was kept
    connection = stored.connection
    if not held.is_ours():  # never call Intuit without the lease: two calls break the grant
        raise QboUnavailable("The refresh lease was lost; try again shortly.")
    try:
        response = deps.qbo.refresh(open_token(deps, stored, "refresh"))
    except QboRefused as err:
        if err.error != "invalid_grant":
            log.error("qbo.refresh_refused", extra={"tenant_id": connection.tenant_id,
                                                    "error": err.error})
            audit.record(deps, connection.tenant_id, "qbo.refresh_failed", None, error=err.error)
            raise QboUnavailable("QuickBooks refused our app's credentials.") from None
        return _after_invalid_grant(deps, stored)
    except QboUnavailable:
        audit.record(deps, connection.tenant_id, "qbo.refresh_failed", None, error="unavailable")
        raise
    tokens = TokenSet.from_response(response, deps.clock())
    sealed = seal(deps, connection.tenant_id, connection.realm_id or "", tokens)
    entry_id = _journal(deps, stored, sealed, tokens)  # first: the only copy is in memory
    if not held.is_ours():
        log.warning("qbo.refresh_lease_lost", extra={"tenant_id": connection.tenant_id})
    return _save_refreshed(deps, stored, sealed, tokens.access_expires_at,
                           tokens.refresh_expires_at, entry_id)


def _after_invalid_grant(deps: Deps, stored: StoredConnection) -> StoredConnection:
    """Before declaring the grant gone: a newer pair saved (or journaled) meanwhile wins."""
    latest = connected(deps, stored.connection.tenant_id)
    if latest.connection.token_version != stored.connection.token_version:
        return latest
    recovered = adopt_unsaved_pair(deps, latest)
    if recovered is not None:
        return recovered
    expire(deps, stored, "invalid_grant")
    raise AuthorizationExpired("QuickBooks authorization expired: an admin must Reconnect "
                               "in Settings → QuickBooks.")


def _journal(deps: Deps, stored: StoredConnection, sealed: SealedTokens,
             tokens: TokenSet) -> str | None:
    connection = stored.connection
    try:
        return retry.mongo_policy()(
            deps.stores.token_journal.record, connection.tenant_id, connection.realm_id or "",
            connection.token_version, sealed, tokens.access_expires_at,
            tokens.refresh_expires_at, deps.clock())
    except PyMongoError:  # the version write below is the other chance to keep it
        log.error("qbo.refresh_journal_failed", extra={"tenant_id": connection.tenant_id})
        return None


def adopt_unsaved_pair(deps: Deps, stored: StoredConnection) -> StoredConnection | None:
    """A pair Intuit gave for the version we hold, journaled but never saved (a crash or a
    failed write): save it now instead of calling Intuit with a refresh token it rotated."""
    connection = stored.connection
    pair = deps.stores.token_journal.unsaved(connection.tenant_id, connection.realm_id or "",
                                             connection.token_version)
    if pair is None:
        return None
    log.warning("qbo.refresh_recovered", extra={"tenant_id": connection.tenant_id})
    return _save_refreshed(deps, stored, pair.tokens, pair.access_expires_at,
                           pair.refresh_expires_at, pair.entry_id)


def _save_refreshed(deps: Deps, stored: StoredConnection, sealed: SealedTokens,
                    access_expires_at: datetime, refresh_expires_at: datetime,
                    entry_id: str | None) -> StoredConnection:
    """The newest refresh token is the only one Intuit honours: write it through a Mongo
    step-down rather than lose it (and if even that fails, the journal still holds it)."""
    connection = stored.connection
    try:
        saved = retry.mongo_policy()(
            deps.stores.connections.append, connection,
            replace(connection, access_expires_at=access_expires_at,
                    refresh_expires_at=refresh_expires_at, last_refresh_at=deps.clock()),
            sealed)
    except PyMongoError:
        log.error("qbo.refresh_save_failed", extra={"tenant_id": connection.tenant_id})
        raise QboUnavailable("The refreshed QuickBooks token could not be saved yet; it is "
                             "kept and will be used at the next request.") from None
    if saved and entry_id is not None:
        deps.stores.token_journal.forget(connection.tenant_id, entry_id)
    if not saved:  # a reconnect replaced the grant meanwhile: its tokens win
        log.warning("qbo.refresh_superseded", extra={"tenant_id": connection.tenant_id})
    log.info("qbo.token_refreshed", extra={"tenant_id": connection.tenant_id,
                                           "realm_id": connection.realm_id})
    return connected(deps, connection.tenant_id)


def expire(deps: Deps, stored: StoredConnection, reason: str) -> None:
    """Intuit no longer honours the grant: tokens deleted, everyone told, Reconnect needed."""
    connection = stored.connection
    now = deps.clock()
    realm_id = connection.realm_id or ""
    event = connection_changed(connection.tenant_id, realm_id,
                               ConnectionStatus.AUTHORIZATION_EXPIRED, connection.company_name,
                               now, reason)
    ended = deps.stores.connections.append(
        connection, replace(connection, status=ConnectionStatus.AUTHORIZATION_EXPIRED,
                            reason=reason, changed_at=now, access_expires_at=None),
        None, [event])
    if ended:
        log.warning("qbo.authorization_expired", extra={"tenant_id": connection.tenant_id,
                                                        "realm_id": realm_id})
        audit.record(deps, connection.tenant_id, "qbo.refresh_failed", None, error=reason)
        audit.record(deps, connection.tenant_id, "qbo.authorization_expired", None,
                     realm_id=realm_id)


def _refresh_or_fall_back(deps: Deps, stored: StoredConnection) -> StoredConnection:
    """If Intuit is unreachable but the current token still works a while, hand it out."""
    try:
        return refresh_now(deps, stored)
    except QboUnavailable:
        if stored.connection.access_is_usable(deps.clock()):
            log.warning("qbo.refresh_deferred", extra={"tenant_id": stored.connection.tenant_id})
            return stored
        raise


def _grant(deps: Deps, stored: StoredConnection, plan: str) -> AccessGrant:
    connection = stored.connection
    if connection.access_expires_at is None or connection.realm_id is None:
        raise NotConnected("This business has no QuickBooks tokens.")
    return AccessGrant(access_token=open_token(deps, stored, "access"),
                       realm_id=connection.realm_id, expires_at=connection.access_expires_at,
                       plan=plan)


def refresh_idle_connections(deps: Deps, limit: int = 100,
                             stop: threading.Event | None = None) -> int:
    """The worker's sweep: refresh quiet connections well before the rolling expiry
    (until `stop` is set: the worker is stopping)."""
    policy = deps.settings.refresh
    due = deps.stores.connections.due_for_idle_refresh(
        deps.clock(), policy.idle_refresh_after_seconds, policy.refresh_expiry_margin_seconds,
        limit)
    refreshed = 0
    for connection in due:
        if stop is not None and stop.is_set():
            break
        try:
            stored = connected(deps, connection.tenant_id)
            if stored.connection.needs_idle_refresh(deps.clock(), policy.idle_refresh_after_seconds,
                                                    policy.refresh_expiry_margin_seconds):
                refresh_now(deps, stored)
                refreshed += 1
        except (NotConnected, AuthorizationExpired):
            continue  # recorded and announced already
        except QboUnavailable:
            log.warning("qbo.idle_refresh_deferred", extra={"tenant_id": connection.tenant_id})
    return refreshed
