"""In-memory fakes of auth-svc's own ports (``clientsynq.auth.services.ports``), for unit
tests that explore use-case logic without MongoDB. Each fake passes the same contract tests
as its adapter (``tests/contract/``), so the two cannot drift apart."""
from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from clientsynq.auth.domain.errors import EmailAlreadyRegistered
from clientsynq.auth.domain.model import Tenant, User
from clientsynq.auth.domain.records import (
    ApiKey,
    AuditEntry,
    OAuthState,
    PendingSignUp,
    ResetRequest,
)


class FakeOAuthStates:
    """``OAuthStates`` in memory: single use, unexpired, for its user and business only."""

    def __init__(self) -> None:
        self._states: dict[str, OAuthState] = {}
        self._used: set[str] = set()
        self._lock = threading.Lock()

    def add(self, digest: str, state: OAuthState, now: datetime) -> None:
        with self._lock:
            self._states[digest] = state

    def consume(self, tenant_id: str, user_id: str, digest: str, now: datetime) -> bool:
        with self._lock:
            state = self._states.get(digest)
            if state is None or (state.tenant_id, state.user_id) != (tenant_id, user_id) \
                    or state.expires_at <= now or digest in self._used:
                return False
            self._used.add(digest)
            return True


class FakeTenants:
    """``Tenants`` in memory."""

    def __init__(self) -> None:
        self._tenants: dict[str, Tenant] = {}

    def add(self, tenant: Tenant) -> None:
        self._tenants[tenant.tenant_id] = tenant

    def get(self, tenant_id: str) -> Tenant | None:
        return self._tenants.get(tenant_id)

    def set_plan(self, tenant_id: str, plan: str) -> bool:
        tenant = self._tenants.get(tenant_id)
        if tenant is None:
            return False
        self._tenants[tenant_id] = replace(tenant, plan=plan)
        return True

    def delete(self, tenant_id: str) -> None:
        self._tenants.pop(tenant_id, None)


class FakeUsers:
    """``Users`` in memory: one email, one login, across every business."""

    def __init__(self) -> None:
        self._users: dict[str, User] = {}
        self._lock = threading.Lock()

    def add(self, user: User) -> None:
        with self._lock:
            if any(u.email == user.email for u in self._users.values()):
                raise EmailAlreadyRegistered("An account with this email already exists.")
            self._users[user.user_id] = user

    def find_by_email(self, email: str) -> User | None:
        return next((u for u in self._users.values() if u.email == email), None)

    def get(self, tenant_id: str, user_id: str) -> User | None:
        user = self._users.get(user_id)
        return user if user is not None and user.tenant_id == tenant_id else None

    def list(self, tenant_id: str) -> list[User]:
        return sorted((u for u in self._users.values() if u.tenant_id == tenant_id),
                      key=lambda u: u.created_at)

    def set_password_hash(self, tenant_id: str, user_id: str, password_hash: str) -> None:
        user = self.get(tenant_id, user_id)
        if user is not None:
            self._users[user_id] = replace(user, password_hash=password_hash)

    def count_with_role(self, tenant_id: str, role: str) -> int:
        return sum(1 for u in self.list(tenant_id) if u.role == role)

    def set_role(self, tenant_id: str, user_id: str, role: str) -> bool:
        user = self.get(tenant_id, user_id)
        if user is None:
            return False
        self._users[user_id] = replace(user, role=role)
        return True

    def remove(self, tenant_id: str, user_id: str) -> bool:
        return self.get(tenant_id, user_id) is not None and \
            self._users.pop(user_id, None) is not None


class FakeApiKeys:
    """``ApiKeys`` in memory: digests only, newest first, revocation once."""

    def __init__(self) -> None:
        self._keys: dict[str, tuple[ApiKey, str]] = {}

    def add(self, key: ApiKey, digest: str) -> None:
        self._keys[key.key_id] = (replace(key, revoked_at=None), digest)

    def list(self, tenant_id: str) -> list[ApiKey]:
        return sorted((k for k, _ in self._keys.values() if k.tenant_id == tenant_id),
                      key=lambda k: k.created_at, reverse=True)

    def revoke(self, tenant_id: str, key_id: str, now: datetime) -> bool:
        found = self.active_digest(tenant_id, key_id)
        if found is None:
            return False
        self._keys[key_id] = (replace(found[0], revoked_at=now), found[1])
        return True

    def revoke_created_by(self, tenant_id: str, user_id: str, now: datetime) -> int:
        mine = [k.key_id for k in self.list(tenant_id)
                if k.created_by == user_id and k.revoked_at is None]
        return sum(self.revoke(tenant_id, key_id, now) for key_id in mine)

    def exists(self, tenant_id: str, key_id: str) -> bool:
        found = self._keys.get(key_id)
        return found is not None and found[0].tenant_id == tenant_id

    def active_digest(self, tenant_id: str, key_id: str) -> tuple[ApiKey, str] | None:
        found = self._keys.get(key_id)
        if found is None or found[0].tenant_id != tenant_id or found[0].revoked_at is not None:
            return None
        return found


class FakeAuditEvents:
    """``AuditEvents`` in memory: append-only, newest first."""

    def __init__(self) -> None:
        self._entries: list[AuditEntry] = []

    def record(self, entry: AuditEntry) -> None:
        self._entries.append(entry)

    def list(self, tenant_id: str, limit: int, action: str | None = None
             ) -> list[AuditEntry]:
        found = [e for e in self._entries if e.tenant_id == tenant_id
                 and (action is None or e.action == action)]
        return sorted(found, key=lambda e: e.at, reverse=True)[:limit]


class FakeSignUpRequests:
    """``SignUpRequests`` in memory: used once, before they expire."""

    def __init__(self) -> None:
        self._requests: dict[str, tuple[PendingSignUp, datetime]] = {}
        self._used: set[str] = set()
        self._lock = threading.Lock()

    def add(self, digest: str, pending: PendingSignUp, now: datetime,
            expires_at: datetime) -> None:
        self._requests[digest] = (pending, expires_at)

    def use(self, digest: str, now: datetime) -> PendingSignUp | None:
        with self._lock:
            found = self._requests.get(digest)
            if found is None or found[1] <= now or digest in self._used:
                return None
            self._used.add(digest)
            return found[0]


class FakePasswordResets:
    """``PasswordResets`` in memory: used once, by their business, before they expire."""

    def __init__(self) -> None:
        self._resets: dict[str, tuple[ResetRequest, datetime]] = {}
        self._used: set[str] = set()
        self._lock = threading.Lock()

    def add(self, digest: str, tenant_id: str, user_id: str, now: datetime,
            expires_at: datetime) -> None:
        self._resets[digest] = (ResetRequest(tenant_id, user_id), expires_at)

    def use(self, tenant_id: str, digest: str, now: datetime) -> ResetRequest | None:
        with self._lock:
            found = self._resets.get(digest)
            if found is None or found[0].tenant_id != tenant_id or found[1] <= now \
                    or digest in self._used:
                return None
            self._used.add(digest)
            return found[0]


class FakeDisconnectChecks:
    """``DisconnectCheckBudget`` in memory: one check per realm per interval bucket."""

    def __init__(self, interval_seconds: int = 300) -> None:
        self._interval = interval_seconds
        self._taken: set[tuple[str, int]] = set()
        self._lock = threading.Lock()

    def may_check(self, realm_id: str, now: datetime) -> bool:
        bucket = (realm_id, int(now.timestamp()) // self._interval)
        with self._lock:
            if bucket in self._taken:
                return False
            self._taken.add(bucket)
            return True
