"""Disconnect (from ClientSynq or from QuickBooks) and the connection status the portal shows.

Disconnecting deletes the tokens and stops syncing; the realm, the company name and every
synced record stay, so Reconnect loses nothing.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from clientsynq.auth.domain.errors import (
    AuthorizationExpired,
    NotConnected,
    QboRefused,
    QboUnavailable,
)
from clientsynq.auth.domain.model import ConnectionStatus
from clientsynq.auth.domain.records import StoredConnection
from clientsynq.auth.services import audit
from clientsynq.auth.services.authority import acting_member
from clientsynq.auth.services.qbo_events import connection_changed, open_token, pending_revocation
from clientsynq.auth.services.qbo_revocation import revoke_latest
from clientsynq.auth.services.qbo_tokens import connected, realm_lease
from clientsynq.common.auth import Principal

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

log = logging.getLogger(__name__)
_ENDABLE = (ConnectionStatus.CONNECTED, ConnectionStatus.AUTHORIZATION_EXPIRED)


@dataclass(frozen=True)
class ConnectionView:
    status: str
    realm_id: str | None
    company_name: str | None
    connected_at: datetime | None
    last_refresh_at: datetime | None
    authorization_expires_at: datetime | None
    changed_at: datetime | None
    reason: str | None

    @property
    def is_connected(self) -> bool:
        return self.status == ConnectionStatus.CONNECTED


def connection_status(deps: Deps, tenant_id: str) -> ConnectionView:
    stored = deps.stores.connections.get(tenant_id)
    if stored is None:
        return ConnectionView(ConnectionStatus.NOT_CONNECTED, None, None, None, None, None, None,
                              None)
    c = stored.connection
    live = c.is_connected
    return ConnectionView(status=c.status, realm_id=c.realm_id, company_name=c.company_name,
                          connected_at=c.connected_at,
                          last_refresh_at=c.last_refresh_at if live else None,
                          authorization_expires_at=c.refresh_expires_at if live else None,
                          changed_at=c.changed_at, reason=c.reason)


def disconnect_by_user(deps: Deps, principal: Principal) -> ConnectionView:
    """Settings → QuickBooks → Disconnect, by an owner or admin as the database says now."""
    acting_member(deps, principal)
    return disconnect(deps, principal.tenant_id, principal.subject)


def disconnect(deps: Deps, tenant_id: str, actor: str | None,
               reason: str = "disconnected_by_user") -> ConnectionView:
    """Revoke at Intuit, delete the tokens, tell everyone; an expired connection can be
    disconnected too (it just has nothing left to revoke)."""
    stored = deps.stores.connections.get(tenant_id)
    if stored is None or stored.connection.status not in _ENDABLE:
        raise NotConnected("QuickBooks is not connected.")
    with realm_lease(deps, stored.connection.realm_id or tenant_id):  # no refresh mid-way
        _end(deps, tenant_id, reason)
    audit.record(deps, tenant_id, "qbo.disconnected", actor, realm_id=stored.connection.realm_id,
                 reason=reason)
    return connection_status(deps, tenant_id)


def _end(deps: Deps, tenant_id: str, reason: str) -> None:
    stored = deps.stores.connections.get(tenant_id)
    if stored is None:
        raise NotConnected("QuickBooks is not connected.")
    c = stored.connection
    now = deps.clock()
    revoke = pending_revocation(stored)
    event = connection_changed(tenant_id, c.realm_id or "", ConnectionStatus.DISCONNECTED,
                               c.company_name, now, reason)
    change = replace(c, status=ConnectionStatus.DISCONNECTED, reason=reason, changed_at=now,
                     access_expires_at=None)
    if not deps.stores.connections.append(c, change, None, [event], revoke):
        raise QboUnavailable("The connection changed meanwhile; try again.")
    if revoke is not None:
        revoke_latest(deps, tenant_id)


def intuit_disconnected(deps: Deps, realm_id: str) -> bool:
    """Intuit's Disconnect URL is a plain browser GET anyone could forge, so we first ask
    Intuit whether the grant is really gone, at most once per realm every few minutes (a
    flood of forged calls must not burn the realm's API quota), never refreshing on this
    path, and acting only on a definite 401. True when no business is connected to the
    realm any more (what the page then says)."""
    live = [s for s in deps.stores.connections.find_by_realm(realm_id)
            if s.connection.status in _ENDABLE]
    if live and deps.stores.disconnect_checks.may_check(realm_id, deps.clock()):
        for stored in live:
            tenant_id = stored.connection.tenant_id
            if _grant_is_alive(deps, tenant_id):
                log.info("qbo.disconnect_callback_ignored", extra={"tenant_id": tenant_id})
                continue
            disconnect(deps, tenant_id, None, reason="disconnected_in_quickbooks")
    return not any(s.connection.is_connected for s in
                   deps.stores.connections.find_by_realm(realm_id))


def _grant_is_alive(deps: Deps, tenant_id: str) -> bool:
    """False only on Intuit's definite 401 to a token that should work; anything else
    (403, unreachable, a token we would have to refresh first) keeps the connection: a
    real disconnect still shows up at the next refresh as invalid_grant."""
    try:
        stored: StoredConnection = connected(deps, tenant_id)
        if not stored.connection.access_is_usable(deps.clock()):
            return True
        deps.qbo.company_name(stored.connection.realm_id or "", open_token(deps, stored, "access"))
    except QboRefused as err:
        return err.error != "unauthorized"
    except AuthorizationExpired:
        return False
    except (QboUnavailable, NotConnected):
        return True
    return True
