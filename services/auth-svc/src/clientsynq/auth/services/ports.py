"""The ports auth-svc's use cases depend on, defined on the inside: ``bootstrap.py`` alone
knows the adapters behind them (MongoDB stores, Intuit's OAuth endpoints), and a test may
put an in-memory fake of ours in their place (``tests/auth_fakes.py``, held to the same contract
tests as the adapter)."""
from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from clientsynq.auth.domain.model import (
    Connection,
    LoginThrottle,
    SessionSubject,
    Tenant,
    User,
)
from clientsynq.auth.domain.records import (
    ApiKey,
    AuditEntry,
    ClientIdentity,
    Invitation,
    JournaledPair,
    OAuthState,
    PendingSignUp,
    ResetRequest,
    Revocation,
    SealedTokens,
    StoredConnection,
    StoredRefresh,
)

OPERATOR = "operator"  # the service name the operator's credential authenticates as


class OAuthStates(Protocol):
    """The ``state`` of each Connect to QuickBooks, stored as a digest, single use."""

    def add(self, digest: str, state: OAuthState, now: datetime) -> None: ...

    def consume(self, tenant_id: str, user_id: str, digest: str, now: datetime) -> bool:
        """True once, unexpired, and only for the user and business that started it."""


class Connections(Protocol):
    """Each business's QuickBooks connection as append-only versions (the outbox rides in
    the version that caused it)."""

    def get(self, tenant_id: str) -> StoredConnection | None: ...

    def append(self, base: Connection | None, change: Connection, tokens: SealedTokens | None,
               events: Sequence[Mapping[str, Any]] = (),
               revoke: tuple[str, str] | None = None) -> bool:
        """Store `change` (every field of the new version; its `token_version` is ignored)
        as the version after ``base``; False when another writer appended it first."""

    def mark_revoked(self, revocation: Revocation, now: datetime) -> None: ...

    def skip_revocations_for_realm(self, tenant_id: str, realm_id: str,
                                   now: datetime) -> None: ...

    def find_by_realm(self, realm_id: str) -> list[StoredConnection]: ...

    def due_for_idle_refresh(self, now: datetime, after_seconds: float,
                             expiry_margin_seconds: float,
                             limit: int = 100) -> list[Connection]: ...

    def pending_revocations(self, limit: int = 100) -> list[StoredConnection]: ...

    def purge_all_superseded(self) -> None: ...


class QboOAuth(Protocol):
    """Intuit's OAuth 2.0 endpoints and the one company read the connection needs."""

    def authorize_url(self, state: str) -> str: ...

    def exchange_code(self, code: str) -> dict[str, Any]: ...

    def refresh(self, refresh_token: str) -> dict[str, Any]: ...

    def revoke(self, token: str) -> None: ...

    def company_name(self, realm_id: str, access_token: str) -> str | None: ...


class Tenants(Protocol):
    """Businesses and their plan."""

    def add(self, tenant: Tenant) -> None: ...

    def get(self, tenant_id: str) -> Tenant | None: ...

    def set_plan(self, tenant_id: str, plan: str) -> bool: ...

    def delete(self, tenant_id: str) -> None: ...


class Users(Protocol):
    """Team members; an email is unique across ClientSynq (``add`` raises
    ``EmailAlreadyRegistered``)."""

    def add(self, user: User) -> None: ...

    def find_by_email(self, email: str) -> User | None: ...

    def get(self, tenant_id: str, user_id: str) -> User | None: ...

    def list(self, tenant_id: str) -> list[User]: ...

    def set_password_hash(self, tenant_id: str, user_id: str, password_hash: str) -> None: ...

    def count_with_role(self, tenant_id: str, role: str) -> int: ...

    def set_role(self, tenant_id: str, user_id: str, role: str) -> bool: ...

    def remove(self, tenant_id: str, user_id: str) -> bool: ...


class ApiKeys(Protocol):
    """Enterprise API keys, stored as digests."""

    def add(self, key: ApiKey, digest: str) -> None: ...

    def list(self, tenant_id: str) -> list[ApiKey]: ...

    def revoke(self, tenant_id: str, key_id: str, now: datetime) -> bool: ...

    def revoke_created_by(self, tenant_id: str, user_id: str, now: datetime) -> int: ...

    def exists(self, tenant_id: str, key_id: str) -> bool: ...

    def active_digest(self, tenant_id: str, key_id: str) -> tuple[ApiKey, str] | None: ...


class AuditEvents(Protocol):
    """The per-business audit log: append-only, newest first."""

    def record(self, entry: AuditEntry) -> None: ...

    def list(self, tenant_id: str, limit: int, action: str | None = None
             ) -> list[AuditEntry]: ...


class SignUpRequests(Protocol):
    """Sign-ups waiting for the emailed link: used once, before they expire."""

    def add(self, digest: str, pending: PendingSignUp, now: datetime,
            expires_at: datetime) -> None: ...

    def use(self, digest: str, now: datetime) -> PendingSignUp | None: ...


class PasswordResets(Protocol):
    """Password-reset links: used once, by their business, before they expire."""

    def add(self, digest: str, tenant_id: str, user_id: str, now: datetime,
            expires_at: datetime) -> None: ...

    def use(self, tenant_id: str, digest: str, now: datetime) -> ResetRequest | None: ...


class DisconnectCheckBudget(Protocol):
    """At most one Intuit check per realm per interval (the forgeable Disconnect URL)."""

    def may_check(self, realm_id: str, now: datetime) -> bool: ...


class RefreshTokens(Protocol):
    """Refresh tokens (digests) grouped in families, one per sign-in; a family's
    revocation ends the session everywhere (the ended-sessions feed)."""

    def add(self, digest: str, subject: SessionSubject, family_id: str, now: datetime,
            expires_at: datetime) -> None: ...

    def use(self, tenant_id: str, digest: str, now: datetime) -> StoredRefresh | None: ...

    def revoke_family(self, tenant_id: str, family_id: str, now: datetime,
                      expires_at: datetime) -> None: ...

    def is_revoked(self, tenant_id: str, family_id: str) -> bool: ...

    def is_ended(self, tenant_id: str, session_id: str) -> bool: ...

    def ended_since(self, since: datetime, limit: int) -> list[tuple[str, datetime]]: ...

    def families_of(self, tenant_id: str, subject: str) -> set[str]: ...

    def family_of(self, tenant_id: str, digest: str) -> str | None: ...


class Invitations(Protocol):
    """Single-use invitation and sign-in links (digests) and the portal's client
    identities, one per customer of a business."""

    def add(self, invitation: Invitation, digest: str) -> None: ...

    def remove(self, tenant_id: str, invitation_id: str) -> None: ...

    def redeem(self, tenant_id: str, digest: str, kind: str, now: datetime
               ) -> Invitation | None: ...

    def cancel(self, tenant_id: str, invitation_id: str, now: datetime) -> bool: ...

    def exists(self, tenant_id: str, kind: str, invitation_id: str) -> bool: ...

    def pending_created_by(self, tenant_id: str, user_id: str, now: datetime
                           ) -> builtins.list[Invitation]: ...

    def list(self, tenant_id: str, kind: str, limit: int = 200) -> builtins.list[Invitation]: ...

    def remember_client(self, tenant_id: str, customer_id: str, email: str,
                        now: datetime) -> None: ...

    def client_signed_in(self, tenant_id: str, customer_id: str, now: datetime) -> None: ...

    def clients(self, tenant_id: str, limit: int = 500) -> builtins.list[ClientIdentity]: ...

    def revoke_client(self, tenant_id: str, customer_id: str, now: datetime) -> bool: ...

    def is_client_active(self, tenant_id: str, customer_id: str) -> bool: ...

    def active_clients_by_email(self, email: str, limit: int = 20
                                ) -> builtins.list[ClientIdentity]: ...

    def client_link_signed_in(self, tenant_id: str, customer_id: str, now: datetime
                              ) -> None: ...

    def pending_for_customer(self, tenant_id: str, customer_id: str, now: datetime
                             ) -> builtins.list[Invitation]: ...


class TokenJournals(Protocol):
    """Every pair Intuit hands out, journaled before it becomes a connection version."""

    def record(self, tenant_id: str, realm_id: str, base_version: int, tokens: SealedTokens,
               access_expires_at: datetime, refresh_expires_at: datetime,
               now: datetime) -> str: ...

    def unsaved(self, tenant_id: str, realm_id: str, version: int) -> JournaledPair | None: ...

    def forget(self, tenant_id: str, entry_id: str) -> None: ...


class LoginThrottles(Protocol):
    """Failed-login slots and locks per email+address key, and attempts per key per
    minute: every fact an insert, so none is lost under concurrency."""

    def get(self, key: str, now: datetime) -> LoginThrottle: ...

    def claim_attempt(self, key: str, now: datetime, max_failures: int,
                      lock_seconds: float) -> int | None: ...

    def lock(self, key: str, now: datetime, lock_seconds: float) -> LoginThrottle: ...

    def clear(self, key: str) -> None: ...

    def count_attempt(self, key: str, now: datetime, window_seconds: int = 60) -> int: ...
