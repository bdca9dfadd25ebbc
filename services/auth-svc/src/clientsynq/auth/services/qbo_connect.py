"""Connect to QuickBooks: the authorize URL with a single-use state, then the callback.

The state is bound to the user and business that started the flow (stored as a digest,
10 minutes, used once), so a callback URL replayed, forged or opened in another person's
session is refused before any code reaches Intuit.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from clientsynq.auth.domain.digests import new_secret, secret_digest
from clientsynq.auth.domain.errors import InvalidOAuthState, QboRefused, QboUnavailable
from clientsynq.auth.domain.model import Connection, ConnectionStatus, TokenSet
from clientsynq.auth.domain.records import OAuthState, StoredConnection
from clientsynq.auth.services import audit
from clientsynq.auth.services.authority import acting_member
from clientsynq.auth.services.qbo_events import connection_changed, pending_revocation, seal
from clientsynq.auth.services.qbo_revocation import revoke_latest, revoke_quietly
from clientsynq.common.auth import Principal

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

log = logging.getLogger(__name__)
SWITCH_GAP = timedelta(milliseconds=1)
MAX_WRITE_ATTEMPTS = 5
REALM_ID = re.compile(r"[0-9]{1,32}")  # Intuit's company ids are digits (ASCII only)


@dataclass(frozen=True)
class ConnectStart:
    authorize_url: str
    expires_at: datetime


@dataclass(frozen=True)
class CallbackParams:
    state: str
    code: str | None
    realm_id: str | None
    error: str | None


def start_connect(deps: Deps, principal: Principal) -> ConnectStart:
    acting_member(deps, principal)  # owner or admin now, not 15 minutes ago
    now = deps.clock()
    state = new_secret(32)
    expires_at = now + timedelta(seconds=deps.settings.oauth_state_ttl_seconds)
    deps.stores.oauth_states.add(secret_digest(state), OAuthState(
        tenant_id=principal.tenant_id, user_id=principal.subject, expires_at=expires_at), now)
    return ConnectStart(authorize_url=deps.qbo.authorize_url(state), expires_at=expires_at)


def complete_connect(deps: Deps, principal: Principal, params: CallbackParams) -> Connection:
    """Raises InvalidOAuthState, QboRefused or QboUnavailable; all end on Connection Failed."""
    tenant_id = principal.tenant_id
    acting_member(deps, principal)
    if not deps.stores.oauth_states.consume(tenant_id, principal.subject,
                                            secret_digest(params.state), deps.clock()):
        raise InvalidOAuthState("This connection attempt is not valid any more (it was used, "
                                "expired, or started by someone else).")
    try:
        return _exchange_and_save(deps, principal, params)
    except (QboRefused, QboUnavailable) as err:
        audit.record(deps, tenant_id, "qbo.connect_failed", principal.subject, error=err.slug,
                     reason=err.extensions.get("error"))
        raise


def _exchange_and_save(deps: Deps, principal: Principal, params: CallbackParams) -> Connection:
    if params.error is not None:
        raise QboRefused(params.error, _denial_text(params.error))
    if not params.code or not params.realm_id:
        raise QboRefused("invalid_request", "QuickBooks did not return an authorization code.")
    if not REALM_ID.fullmatch(params.realm_id):
        raise QboRefused("invalid_request", "QuickBooks returned an invalid company id.")
    _check_company_is_free(deps, principal.tenant_id, params.realm_id)
    tokens = TokenSet.from_response(deps.qbo.exchange_code(params.code), deps.clock())
    try:
        company_name = deps.qbo.company_name(params.realm_id, tokens.access_token)
    except (QboRefused, QboUnavailable):
        revoke_quietly(deps, tokens.refresh_token)  # leave no half-connected grant behind
        raise
    return _save_connection(deps, principal, params.realm_id, company_name, tokens)


def _save_connection(deps: Deps, principal: Principal, realm_id: str, company_name: str | None,
                     tokens: TokenSet) -> Connection:
    """Reconnect keeps the realm (nothing lost); a different company replaces the old one,
    which is disconnected and revoked as the help page promises. A new grant always wins:
    if a refresh wrote a version meanwhile, we decide again on top of it."""
    tenant_id = principal.tenant_id
    sealed = seal(deps, tenant_id, realm_id, tokens)
    previous = deps.stores.connections.get(tenant_id)
    if previous is not None:  # a first connection has no earlier grant to spare
        deps.stores.connections.skip_revocations_for_realm(tenant_id, realm_id, deps.clock())
    for attempt in range(MAX_WRITE_ATTEMPTS):
        if attempt or previous is not None:  # read again: the revocations were spared
            previous = deps.stores.connections.get(tenant_id)
        now = deps.clock()
        switch = _is_switch(previous, realm_id)
        events, revoke = _switch_events(previous, realm_id, now) if switch else ([], None)
        events.append(connection_changed(tenant_id, realm_id, ConnectionStatus.CONNECTED,
                                         company_name, now))
        base = previous.connection if previous else None
        change = replace(base or Connection.first(tenant_id), realm_id=realm_id,
                         status=ConnectionStatus.CONNECTED, company_name=company_name,
                         connected_at=now, changed_at=now, last_refresh_at=now, reason=None,
                         access_expires_at=tokens.access_expires_at,
                         refresh_expires_at=tokens.refresh_expires_at)
        if deps.stores.connections.append(base, change, sealed, events, revoke):
            break
    else:
        revoke_quietly(deps, tokens.refresh_token)
        raise QboUnavailable("The connection changed while it was being saved; try again.")
    if revoke is not None:
        revoke_latest(deps, tenant_id)
    audit.record(deps, tenant_id, "qbo.connected", principal.subject, realm_id=realm_id,
                 switched_from=previous.connection.realm_id if switch and previous else None)
    return _current(deps, tenant_id)


def _check_company_is_free(deps: Deps, tenant_id: str, realm_id: str) -> None:
    """One QuickBooks company, one business: Intuit shares one grant per app and company,
    so a second business connecting it would be cut off when the first disconnects (and
    the other way round). Checked before the code is exchanged: nothing reaches Intuit."""
    for stored in deps.stores.connections.find_by_realm(realm_id):
        if stored.connection.tenant_id != tenant_id and stored.connection.is_connected:
            raise QboRefused("company_in_use", "This QuickBooks company is already connected "
                             "to another ClientSynq business. Disconnect it there first "
                             "(Settings → QuickBooks → Disconnect), then connect it here.")


def _switch_events(previous: StoredConnection | None, realm_id: str,
                   now: datetime) -> tuple[list[dict[str, Any]], tuple[str, str] | None]:
    if previous is None:
        return [], None
    old = previous.connection
    # The old company ends a moment before the new one begins: readers keep the newest change
    # per business, and a shared timestamp (BSON dates hold milliseconds) would be a tie.
    ended = now - SWITCH_GAP
    event = connection_changed(old.tenant_id, old.realm_id or "", ConnectionStatus.DISCONNECTED,
                               old.company_name, ended, "switched_company")
    return [event], pending_revocation(previous)


def _current(deps: Deps, tenant_id: str) -> Connection:
    stored = deps.stores.connections.get(tenant_id)
    if stored is None:
        raise QboUnavailable("The connection could not be saved.")
    return stored.connection


def _is_switch(previous: StoredConnection | None, realm_id: str) -> bool:
    """Only a live connection to another company needs disconnecting; an expired or
    disconnected one holds no tokens, and the same realm is a plain Reconnect."""
    return previous is not None and previous.tokens is not None and \
        previous.connection.realm_id not in (None, realm_id)


def _denial_text(error: str) -> str:
    if error == "access_denied":
        return "You cancelled the authorization in QuickBooks, so nothing was connected."
    return f"QuickBooks answered {error}."
