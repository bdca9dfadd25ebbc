"""Tenants, users and the login throttle in auth-svc's own database."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from clientsynq.auth.adapters.attempt_counter import AttemptCounter
from clientsynq.auth.domain.errors import EmailAlreadyRegistered
from clientsynq.auth.domain.model import LoginThrottle, Tenant, User
from pymongo import DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError


class TenantStore:
    def __init__(self, db: Database[Any]) -> None:
        self._tenants = db["tenants"]

    def add(self, tenant: Tenant) -> None:
        self._tenants.insert_one({"_id": tenant.tenant_id, "tenant_id": tenant.tenant_id,
                                  "name": tenant.name, "plan": tenant.plan,
                                  "created_at": tenant.created_at})

    def get(self, tenant_id: str) -> Tenant | None:
        doc = self._tenants.find_one({"_id": tenant_id, "tenant_id": tenant_id})
        if doc is None:
            return None
        return Tenant(tenant_id=doc["tenant_id"], name=doc["name"], plan=doc["plan"],
                      created_at=doc["created_at"])

    def set_plan(self, tenant_id: str, plan: str) -> bool:
        result = self._tenants.update_one({"_id": tenant_id, "tenant_id": tenant_id},
                                          {"$set": {"plan": plan}})
        return result.matched_count == 1

    def delete(self, tenant_id: str) -> None:
        """Only to undo a half-done sign-up (no multi-document transactions)."""
        self._tenants.delete_one({"_id": tenant_id, "tenant_id": tenant_id})


class UserStore:
    """Emails are unique across ClientSynq: one login, one business."""

    def __init__(self, db: Database[Any]) -> None:
        self._users = db["users"]

    def add(self, user: User) -> None:
        try:
            self._users.insert_one({"_id": user.user_id, "tenant_id": user.tenant_id,
                                    "email": user.email, "role": user.role,
                                    "password_hash": user.password_hash,
                                    "created_at": user.created_at})
        except DuplicateKeyError:
            raise EmailAlreadyRegistered("An account with this email already exists.") from None

    def find_by_email(self, email: str) -> User | None:
        """The one lookup not filtered by tenant: at login the tenant is not known yet."""
        doc = self._users.find_one({"email": email})
        return None if doc is None else _user(doc)

    def get(self, tenant_id: str, user_id: str) -> User | None:
        doc = self._users.find_one({"_id": user_id, "tenant_id": tenant_id})
        return None if doc is None else _user(doc)

    def list(self, tenant_id: str) -> list[User]:
        return [_user(doc) for doc in self._users.find({"tenant_id": tenant_id}).sort("created_at")]

    def set_password_hash(self, tenant_id: str, user_id: str, password_hash: str) -> None:
        self._users.update_one({"_id": user_id, "tenant_id": tenant_id},
                               {"$set": {"password_hash": password_hash}})

    def count_with_role(self, tenant_id: str, role: str) -> int:
        return self._users.count_documents({"tenant_id": tenant_id, "role": role})

    def set_role(self, tenant_id: str, user_id: str, role: str) -> bool:
        """Callers hold the team lease: on FerretDB 1.x this update is read-then-write."""
        result = self._users.update_one({"_id": user_id, "tenant_id": tenant_id},
                                        {"$set": {"role": role}})
        return result.matched_count == 1

    def remove(self, tenant_id: str, user_id: str) -> bool:
        """Deleted, not flagged: login then treats the email as unknown, and the person can
        be invited again later."""
        return self._users.delete_one({"_id": user_id, "tenant_id": tenant_id}).deleted_count == 1


def _user(doc: dict[str, Any]) -> User:
    return User(user_id=doc["_id"], tenant_id=doc["tenant_id"], email=doc["email"],
                role=doc["role"], created_at=doc["created_at"],
                password_hash=doc["password_hash"])


class LoginThrottleStore:
    """Failed logins per email digest and address, and attempts per client address,
    pre-authentication (so without a tenant). Every fact is an inserted document: counts
    are queries, and a login's failure slot is a unique ``_id``, so concurrent attempts are
    neither lost nor over-admitted even where updates are read-then-write (FerretDB 1.x)."""

    def __init__(self, db: Database[Any]) -> None:
        self._failures = db["login_failures"]
        self._locks = db["login_locks"]
        self._attempts = AttemptCounter(db["login_attempts"], db["login_attempt_heads"])

    def get(self, key: str, now: datetime) -> LoginThrottle:
        lock = self._locks.find_one({"key": key}, sort=[("until", DESCENDING)])
        until = None if lock is None else _aware(lock["until"])
        return LoginThrottle(failures=0, locked_until=until if until and until > now else None)

    def claim_attempt(self, key: str, now: datetime, max_failures: int,
                      lock_seconds: float) -> int | None:
        """Claim this attempt's slot *before* the password is checked: how many attempts
        are left after it (0: a failure now locks), or None when all ``max_failures`` are
        taken. Slots are numbered per window of ``lock_seconds`` (``_id`` key|window|n, a
        unique insert, atomic everywhere), so under any concurrency at most
        ``max_failures`` attempts get one; the previous window's slots of the last
        ``lock_seconds`` still count, so a window's edge gives no extra guesses."""
        window = timedelta(seconds=lock_seconds)
        epoch = int(now.timestamp() // lock_seconds)
        allowed = max_failures - self._failures.count_documents(
            {"key": key, "epoch": epoch - 1, "at": {"$gt": now - window}})
        n = self._failures.count_documents({"key": key, "epoch": epoch}) + 1
        while n <= allowed:
            try:
                self._failures.insert_one({"_id": f"{key}|{epoch}|{n}", "key": key,
                                           "epoch": epoch, "at": now,
                                           "expires_at": now + 2 * window})
            except DuplicateKeyError:
                n += 1
                continue
            return allowed - n
        return None

    def lock(self, key: str, now: datetime, lock_seconds: float) -> LoginThrottle:
        window = timedelta(seconds=lock_seconds)
        self._locks.insert_one({"key": key, "until": now + window,
                                "expires_at": now + 2 * window})
        return LoginThrottle(failures=0, locked_until=now + window)

    def clear(self, key: str) -> None:
        self._failures.delete_many({"key": key})

    def count_attempt(self, key: str, now: datetime, window_seconds: int = 60) -> int:
        """Attempts in the last ``window_seconds``, this one included (read by `_id` only:
        adapters/attempt_counter.py)."""
        return self._attempts.count(key, now, window_seconds)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
