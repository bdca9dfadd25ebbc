"""The records auth-svc's use cases read and write (connections and their sealed tokens,
OAuth states, invitations, client identities, API keys, audit entries, pending sign-ups):
plain dataclasses on the inside, so services and views depend on them and not on the
adapters that store them."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from clientsynq.auth.domain.model import Connection, SessionSubject


@dataclass(frozen=True)
class SealedTokens:
    access: str = field(repr=False)
    refresh: str = field(repr=False)
    key_id: str


@dataclass(frozen=True)
class Revocation:
    """A grant to revoke at Intuit, kept (sealed) until Intuit confirms."""

    doc_id: str
    realm_id: str
    token: str = field(repr=False)


@dataclass(frozen=True)
class StoredConnection:
    connection: Connection
    tokens: SealedTokens | None
    revocation: Revocation | None = None


@dataclass(frozen=True)
class OAuthState:
    tenant_id: str
    user_id: str
    expires_at: datetime


@dataclass(frozen=True)
class Invitation:
    """``kind`` is "client" (customer_id set), "client_link" (a returning client's sign-in
    link, customer_id set) or "member" (role set)."""

    invitation_id: str
    tenant_id: str
    kind: str
    email: str
    created_at: datetime
    expires_at: datetime
    created_by: str
    customer_id: str | None = None
    role: str | None = None
    redeemed_at: datetime | None = None
    cancelled_at: datetime | None = None

    def status(self, now: datetime) -> str:
        if self.cancelled_at is not None:
            return "cancelled"
        if self.redeemed_at is not None:
            return "redeemed"
        return "expired" if self.expires_at <= now else "pending"


@dataclass(frozen=True)
class ClientIdentity:
    """A customer's access to the portal; revoked access is refused at every refresh."""

    tenant_id: str
    customer_id: str
    email: str
    created_at: datetime
    last_login_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    tenant_id: str
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    created_by: str
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class AuditEntry:
    tenant_id: str
    action: str
    at: datetime
    actor: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class PendingSignUp:
    business_name: str
    email: str
    password_hash: str = field(repr=False)


@dataclass(frozen=True)
class ResetRequest:
    """A password-reset link's owner, once the link is used."""

    tenant_id: str
    user_id: str


@dataclass(frozen=True)
class StoredRefresh:
    """A refresh token as stored: whose, which sign-in (family), and whether this use is
    its first and its family still alive (a second use is a replay)."""

    subject: SessionSubject
    family_id: str
    expires_at: datetime
    first_use: bool
    revoked: bool


@dataclass(frozen=True)
class JournaledPair:
    """A token pair Intuit handed out, journaled (sealed) before it became a version."""

    entry_id: str
    realm_id: str
    base_version: int
    tokens: SealedTokens
    access_expires_at: datetime
    refresh_expires_at: datetime
