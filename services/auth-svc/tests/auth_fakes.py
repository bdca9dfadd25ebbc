"""In-memory fakes of auth-svc's own ports (``clientsynq.auth.services.ports``), for unit
tests that explore use-case logic without MongoDB. Each fake passes the same contract tests
as its adapter (``tests/contract/``), so the two cannot drift apart."""
from __future__ import annotations

import builtins
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from clientsynq.auth.domain.errors import EmailAlreadyRegistered
from clientsynq.auth.domain.model import (
    NEAR_END_MIN_GAP_SECONDS,
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


@dataclass
class _Version:
    connection: Connection
    tokens: SealedTokens | None
    revocation: Revocation | None
    revoked: bool = False

    @property
    def is_pending_revocation(self) -> bool:
        return self.revocation is not None and not self.revoked

    def stored(self) -> StoredConnection:
        return StoredConnection(self.connection, self.tokens,
                                self.revocation if self.is_pending_revocation else None)



class FakeConnections:
    """``Connections`` in memory, with the adapter's rules: every change is version N+1 of
    the base its writer read (of two writers that read N, one wins); a version inherits all
    but tokens, events and revocation; a superseded version goes once its revocation is
    done. No relay here: the events each version carried are kept, in order, in ``outbox``
    for a unit test to read."""

    def __init__(self) -> None:
        self._versions: dict[str, dict[int, _Version]] = {}
        self.outbox: list[Mapping[str, Any]] = []
        self._lock = threading.Lock()

    def get(self, tenant_id: str) -> StoredConnection | None:
        latest = self._latest(tenant_id)
        return None if latest is None else latest.stored()

    def append(self, base: Connection | None, change: Connection, tokens: SealedTokens | None,
               events: Sequence[Mapping[str, Any]] = (),
               revoke: tuple[str, str] | None = None) -> bool:
        tenant_id = change.tenant_id
        number = (base.token_version if base is not None else 0) + 1
        connection = replace(change, token_version=number)
        revocation = None if revoke is None else Revocation(
            f"{tenant_id}#{number}", realm_id=revoke[0], token=revoke[1])
        envelopes = [{**event, "id": event["id"]} for event in events]  # ids, as the outbox
        with self._lock:
            versions = self._versions.setdefault(tenant_id, {})
            if number in versions:
                return False
            versions[number] = _Version(connection, tokens, revocation)
            self.outbox.extend(envelopes)
            self._purge_superseded(tenant_id)
        return True

    def mark_revoked(self, revocation: Revocation, now: datetime) -> None:
        for version in self._all():
            if version.revocation is not None and version.revocation.doc_id == revocation.doc_id:
                version.revoked = True

    def skip_revocations_for_realm(self, tenant_id: str, realm_id: str, now: datetime) -> None:
        for version in self._versions.get(tenant_id, {}).values():
            if version.is_pending_revocation and version.revocation is not None \
                    and version.revocation.realm_id == realm_id:
                version.revoked = True

    def find_by_realm(self, realm_id: str) -> list[StoredConnection]:
        latest = (self.get(tenant_id) for tenant_id in sorted(self._versions))
        return [s for s in latest if s is not None and s.connection.realm_id == realm_id]

    def due_for_idle_refresh(self, now: datetime, after_seconds: float,
                             expiry_margin_seconds: float, limit: int = 100) -> list[Connection]:
        latest = (self._latest(tenant_id) for tenant_id in sorted(self._versions))
        return [v.connection for v in latest if v is not None and _is_due(
            v.connection, now, after_seconds, expiry_margin_seconds)
            and v.connection.needs_idle_refresh(now, after_seconds, expiry_margin_seconds)][:limit]

    def pending_revocations(self, limit: int = 100) -> list[StoredConnection]:
        return [v.stored() for v in self._all() if v.is_pending_revocation][:limit]

    def purge_all_superseded(self) -> None:
        with self._lock:
            for tenant_id in self._versions:
                self._purge_superseded(tenant_id)

    def _latest(self, tenant_id: str) -> _Version | None:
        versions = self._versions.get(tenant_id)
        return versions[max(versions)] if versions else None

    def _all(self) -> builtins.list[_Version]:
        return [v for versions in list(self._versions.values()) for v in versions.values()]

    def _purge_superseded(self, tenant_id: str) -> None:
        versions = self._versions[tenant_id]
        newest = max(versions)
        for number in [n for n, v in versions.items()
                       if n < newest and not v.is_pending_revocation]:
            del versions[number]


def _is_due(c: Connection, now: datetime, after_seconds: float, margin_seconds: float) -> bool:
    """The adapter's query: connected, and not refreshed for ``after_seconds``, or its
    refresh token near its end and not refreshed in the last hour."""
    if not c.is_connected or c.last_refresh_at is None:
        return False
    stale = c.last_refresh_at < now - timedelta(seconds=after_seconds)
    near_end = c.refresh_expires_at is not None \
        and c.refresh_expires_at < now + timedelta(seconds=margin_seconds) \
        and c.last_refresh_at < now - timedelta(seconds=NEAR_END_MIN_GAP_SECONDS)
    return stale or near_end


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


class FakeRefreshTokens:
    """``RefreshTokens`` in memory: a use reports whether it is the token's first; a
    family, once revoked, stays revoked."""

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[SessionSubject, str, datetime]] = {}
        self._used: set[str] = set()
        self._revoked: dict[tuple[str, str], datetime] = {}
        self._lock = threading.Lock()

    def add(self, digest: str, subject: SessionSubject, family_id: str, now: datetime,
            expires_at: datetime) -> None:
        self._tokens[digest] = (subject, family_id, expires_at)

    def use(self, tenant_id: str, digest: str, now: datetime) -> StoredRefresh | None:
        found = self._tokens.get(digest)
        if found is None or found[0].tenant_id != tenant_id:
            return None
        with self._lock:
            first = digest not in self._used
            self._used.add(digest)
        subject, family_id, expires_at = found
        return StoredRefresh(subject=subject, family_id=family_id, expires_at=expires_at,
                             first_use=first, revoked=self.is_revoked(tenant_id, family_id))

    def revoke_family(self, tenant_id: str, family_id: str, now: datetime,
                      expires_at: datetime) -> None:
        self._revoked.setdefault((tenant_id, family_id), now)

    def is_revoked(self, tenant_id: str, family_id: str) -> bool:
        return (tenant_id, family_id) in self._revoked

    def is_ended(self, tenant_id: str, session_id: str) -> bool:
        return self.is_revoked(tenant_id, session_id)

    def ended_since(self, since: datetime, limit: int) -> list[tuple[str, datetime]]:
        ended = sorted(((family, at) for (_, family), at in self._revoked.items()
                        if at > since), key=lambda pair: pair[1])
        return ended[:limit]

    def families_of(self, tenant_id: str, subject: str) -> set[str]:
        return {family for who, family, _ in self._tokens.values()
                if (who.tenant_id, who.subject) == (tenant_id, subject)}

    def family_of(self, tenant_id: str, digest: str) -> str | None:
        found = self._tokens.get(digest)
        return None if found is None or found[0].tenant_id != tenant_id else found[1]


class FakeInvitations:
    """``Invitations`` in memory: a link's single use is taken once, by a redemption or a
    cancellation; client identities are one per customer of a business."""

    def __init__(self) -> None:
        self._invitations: dict[str, tuple[Invitation, str]] = {}
        self._taken: set[str] = set()
        self._clients: dict[tuple[str, str], ClientIdentity] = {}
        self._lock = threading.Lock()

    def add(self, invitation: Invitation, digest: str) -> None:
        self._invitations[invitation.invitation_id] = (invitation, digest)

    def remove(self, tenant_id: str, invitation_id: str) -> None:
        if self._get(tenant_id, invitation_id) is not None:
            del self._invitations[invitation_id]

    def redeem(self, tenant_id: str, digest: str, kind: str, now: datetime
               ) -> Invitation | None:
        found = next((i for i, d in self._invitations.values()
                      if (i.tenant_id, d, i.kind) == (tenant_id, digest, kind)
                      and i.expires_at > now), None)
        if found is None or found.redeemed_at is not None or found.cancelled_at is not None:
            return None
        with self._lock:
            if found.invitation_id in self._taken:
                return None
            self._taken.add(found.invitation_id)
        return self._update(found, redeemed_at=now)

    def cancel(self, tenant_id: str, invitation_id: str, now: datetime) -> bool:
        with self._lock:
            if invitation_id in self._taken:
                return False
            self._taken.add(invitation_id)
        found = self._get(tenant_id, invitation_id)
        if found is not None:
            self._update(found, cancelled_at=now)
        return True

    def exists(self, tenant_id: str, kind: str, invitation_id: str) -> bool:
        found = self._get(tenant_id, invitation_id)
        return found is not None and found.kind == kind

    def pending_created_by(self, tenant_id: str, user_id: str, now: datetime
                           ) -> builtins.list[Invitation]:
        return [i for i in self._pending(tenant_id, now) if i.created_by == user_id]

    def list(self, tenant_id: str, kind: str, limit: int = 200) -> builtins.list[Invitation]:
        found = [i for i, _ in self._invitations.values()
                 if (i.tenant_id, i.kind) == (tenant_id, kind)]
        return sorted(found, key=lambda i: i.created_at, reverse=True)[:limit]

    def remember_client(self, tenant_id: str, customer_id: str, email: str,
                        now: datetime) -> None:
        known = self._clients.get((tenant_id, customer_id))
        self._clients[(tenant_id, customer_id)] = (
            ClientIdentity(tenant_id, customer_id, email, now, None, None) if known is None
            else replace(known, email=email))

    def client_signed_in(self, tenant_id: str, customer_id: str, now: datetime) -> None:
        self._set_client(tenant_id, customer_id, last_login_at=now, revoked_at=None)

    def clients(self, tenant_id: str, limit: int = 500) -> builtins.list[ClientIdentity]:
        found = [c for c in self._clients.values() if c.tenant_id == tenant_id]
        return sorted(found, key=lambda c: c.created_at, reverse=True)[:limit]

    def revoke_client(self, tenant_id: str, customer_id: str, now: datetime) -> bool:
        return self._set_client(tenant_id, customer_id, revoked_at=now)

    def is_client_active(self, tenant_id: str, customer_id: str) -> bool:
        found = self._clients.get((tenant_id, customer_id))
        return found is not None and found.revoked_at is None

    def active_clients_by_email(self, email: str, limit: int = 20
                                ) -> builtins.list[ClientIdentity]:
        return [c for c in self._clients.values()
                if c.email == email and c.revoked_at is None][:limit]

    def client_link_signed_in(self, tenant_id: str, customer_id: str, now: datetime
                              ) -> None:
        self._set_client(tenant_id, customer_id, last_login_at=now)

    def pending_for_customer(self, tenant_id: str, customer_id: str, now: datetime
                             ) -> builtins.list[Invitation]:
        return [i for i in self._pending(tenant_id, now)
                if i.kind in ("client", "client_link") and i.customer_id == customer_id]

    def _get(self, tenant_id: str, invitation_id: str) -> Invitation | None:
        found = self._invitations.get(invitation_id)
        return found[0] if found is not None and found[0].tenant_id == tenant_id else None

    def _update(self, invitation: Invitation, **changes: datetime) -> Invitation:
        changed = replace(invitation, **changes)
        self._invitations[invitation.invitation_id] = (
            changed, self._invitations[invitation.invitation_id][1])
        return changed

    def _pending(self, tenant_id: str, now: datetime) -> builtins.list[Invitation]:
        return [i for i, _ in self._invitations.values() if i.tenant_id == tenant_id
                and i.redeemed_at is None and i.cancelled_at is None and i.expires_at > now]

    def _set_client(self, tenant_id: str, customer_id: str, **changes: datetime | None
                    ) -> bool:
        known = self._clients.get((tenant_id, customer_id))
        if known is None:
            return False
        self._clients[(tenant_id, customer_id)] = replace(known, **changes)
        return True


class FakeTokenJournal:
    """``TokenJournals`` in memory: the newest unsaved pair for the version held or later."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[str, datetime, JournaledPair]] = {}

    def record(self, tenant_id: str, realm_id: str, base_version: int, tokens: SealedTokens,
               access_expires_at: datetime, refresh_expires_at: datetime,
               now: datetime) -> str:
        entry_id = uuid.uuid4().hex
        self._entries[entry_id] = (tenant_id, now, JournaledPair(
            entry_id, realm_id, base_version, tokens, access_expires_at, refresh_expires_at))
        return entry_id

    def unsaved(self, tenant_id: str, realm_id: str, version: int) -> JournaledPair | None:
        found = [(at, pair) for tenant, at, pair in self._entries.values()
                 if tenant == tenant_id and pair.realm_id == realm_id
                 and pair.base_version >= version]
        return max(found, key=lambda entry: entry[0])[1] if found else None

    def forget(self, tenant_id: str, entry_id: str) -> None:
        found = self._entries.get(entry_id)
        if found is not None and found[0] == tenant_id:
            del self._entries[entry_id]


class FakeLoginThrottles:
    """``LoginThrottles`` in memory, with the adapter's rules: numbered failure slots per
    window of ``lock_seconds`` (the previous window's recent ones still count), locks that
    expire, attempts counted over a sliding minute."""

    def __init__(self) -> None:
        self._slots: dict[str, tuple[str, int, datetime]] = {}
        self._locks: list[tuple[str, datetime]] = []
        self._attempts: list[tuple[str, datetime]] = []
        self._lock = threading.Lock()

    def get(self, key: str, now: datetime) -> LoginThrottle:
        until = max((u for k, u in self._locks if k == key), default=None)
        return LoginThrottle(failures=0, locked_until=until if until and until > now else None)

    def claim_attempt(self, key: str, now: datetime, max_failures: int,
                      lock_seconds: float) -> int | None:
        epoch = int(now.timestamp() // lock_seconds)
        since = now - timedelta(seconds=lock_seconds)
        with self._lock:
            slots = [(e, at) for k, e, at in self._slots.values() if k == key]
            allowed = max_failures - sum(1 for e, at in slots if e == epoch - 1 and at > since)
            n = sum(1 for e, _ in slots if e == epoch) + 1
            if n > allowed:
                return None
            self._slots[f"{key}|{epoch}|{n}"] = (key, epoch, now)
            return allowed - n

    def lock(self, key: str, now: datetime, lock_seconds: float) -> LoginThrottle:
        until = now + timedelta(seconds=lock_seconds)
        self._locks.append((key, until))
        return LoginThrottle(failures=0, locked_until=until)

    def clear(self, key: str) -> None:
        with self._lock:
            self._slots = {i: slot for i, slot in self._slots.items() if slot[0] != key}

    def count_attempt(self, key: str, now: datetime, window_seconds: int = 60) -> int:
        since = now - timedelta(seconds=window_seconds)
        with self._lock:
            self._attempts.append((key, now))
            return sum(1 for k, at in self._attempts if k == key and at > since)
