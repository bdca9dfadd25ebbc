"""What auth-svc knows about businesses, people and QuickBooks connections: pure values."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from clientsynq.common.clock import Clock as Clock

PLANS = ("basic", "pro", "enterprise")
TEAM_PLANS = ("pro", "enterprise")  # Basic is a one-person business
USER_ROLES = ("owner", "admin", "member")
INVITABLE_ROLES = ("owner", "admin", "member")  # only an owner makes another owner
CONNECT_ROLES = ("owner", "admin")  # the help page: admin access is required to connect
API_KEY_SCOPES = ("customers:read", "invoices:read", "payments:read", "invoices:write",
                  "payments:write", "webhooks:manage")
DEFAULT_API_KEY_SCOPES = ("customers:read", "invoices:read", "payments:read")
NEAR_END_MIN_GAP_SECONDS = 3600


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    name: str
    plan: str
    created_at: datetime

    @property
    def has_team(self) -> bool:
        return self.plan in TEAM_PLANS


@dataclass(frozen=True)
class User:
    user_id: str
    tenant_id: str
    email: str
    role: str
    created_at: datetime
    password_hash: str = field(repr=False)


@dataclass(frozen=True)
class SessionSubject:
    """Who a refresh token was issued to: a business user or a portal client."""

    tenant_id: str
    subject: str
    kind: str  # "user" | "client"
    customer_id: str | None = None


class ConnectionStatus:
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    AUTHORIZATION_EXPIRED = "authorization_expired"
    NOT_CONNECTED = "not_connected"  # never connected: no document at all


@dataclass(frozen=True)
class TokenSet:
    """Plaintext tokens exist only in memory, between Intuit and the cipher."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_expires_at: datetime
    refresh_expires_at: datetime

    @classmethod
    def from_response(cls, response: dict[str, Any], now: datetime) -> TokenSet:
        """Intuit answers lifetimes in seconds; we keep instants so any replica can compare."""
        return cls(
            access_token=str(response["access_token"]),
            refresh_token=str(response["refresh_token"]),
            access_expires_at=now + timedelta(seconds=int(response.get("expires_in", 3600))),
            refresh_expires_at=now + timedelta(
                seconds=int(response.get("x_refresh_token_expires_in", 8_726_400))),
        )


@dataclass(frozen=True)
class Connection:
    """A business's QuickBooks connection as stored (tokens stay encrypted elsewhere)."""

    tenant_id: str
    realm_id: str | None
    status: str
    company_name: str | None
    connected_at: datetime | None
    changed_at: datetime | None
    last_refresh_at: datetime | None
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    token_version: int
    reason: str | None = None

    @classmethod
    def first(cls, tenant_id: str) -> Connection:
        """What a business's first version starts from (nothing connected yet): a change is
        always `replace(base or Connection.first(tenant), field=...)`, typed field by field."""
        return cls(tenant_id=tenant_id, realm_id=None, status=ConnectionStatus.NOT_CONNECTED,
                   company_name=None, connected_at=None, changed_at=None,
                   last_refresh_at=None, access_expires_at=None, refresh_expires_at=None,
                   token_version=0)

    @property
    def is_connected(self) -> bool:
        return self.status == ConnectionStatus.CONNECTED

    def access_is_fresh(self, now: datetime, margin_seconds: float) -> bool:
        """Fresh enough to hand out: more than ``margin`` left, so a sync never gets a dying one."""
        if self.access_expires_at is None:
            return False
        return self.access_expires_at - now > timedelta(seconds=margin_seconds)

    def access_is_usable(self, now: datetime, minimum_seconds: float = 30) -> bool:
        """Still valid for a short call: the fallback when Intuit cannot refresh right now."""
        return self.access_expires_at is not None and \
            self.access_expires_at - now > timedelta(seconds=minimum_seconds)

    def needs_idle_refresh(self, now: datetime, after_seconds: float,
                           expiry_margin_seconds: float) -> bool:
        """A quiet business must not lapse: QBO refresh tokens roll, unused ones die."""
        if not self.is_connected:
            return False
        last = self.last_refresh_at or self.connected_at
        if last is None:
            return True
        stale = now - last > timedelta(seconds=after_seconds)
        near_end = self.refresh_expires_at is None or \
            self.refresh_expires_at - now < timedelta(seconds=expiry_margin_seconds)
        # Near Intuit's 5-year cap a refresh no longer extends the token: do not hammer it.
        return stale or (near_end and now - last > timedelta(seconds=NEAR_END_MIN_GAP_SECONDS))


@dataclass(frozen=True)
class LoginThrottle:
    """Failed logins of one email (existing or not: the same rules, so no enumeration)."""

    failures: int
    locked_until: datetime | None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def seconds_left(self, now: datetime) -> int:
        if self.locked_until is None:
            return 0
        return max(1, int((self.locked_until - now).total_seconds()) + 1)
