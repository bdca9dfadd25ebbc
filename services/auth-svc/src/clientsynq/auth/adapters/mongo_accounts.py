"""Tenants, users and the login throttle in auth-svc's own database."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from clientsynq.auth.domain.errors import EmailAlreadyRegistered
from clientsynq.auth.domain.model import LoginThrottle, Tenant, User
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


def _user(doc: dict[str, Any]) -> User:
    return User(user_id=doc["_id"], tenant_id=doc["tenant_id"], email=doc["email"],
                role=doc["role"], created_at=doc["created_at"],
                password_hash=doc["password_hash"])


class LoginThrottleStore:
    """Counters keyed by an email digest or a client address; pre-authentication, so they
    carry no tenant. Failures older than the lock window are forgotten."""

    def __init__(self, db: Database[Any]) -> None:
        self._throttle = db["login_throttle"]

    def get(self, key: str) -> LoginThrottle:
        doc = self._throttle.find_one({"_id": key}) or {}
        return LoginThrottle(failures=int(doc.get("failures", 0)),
                             locked_until=doc.get("locked_until"))

    def record_failure(self, key: str, now: datetime, max_failures: int,
                       lock_seconds: float) -> LoginThrottle:
        window = timedelta(seconds=lock_seconds)
        doc = self._throttle.find_one_and_update(
            {"_id": key, "window_start": {"$gt": now - window}},
            {"$inc": {"failures": 1}, "$set": {"expires_at": now + 2 * window}},
            return_document=True)
        if doc is None:  # first failure of a new window
            self._throttle.update_one(
                {"_id": key}, {"$set": {"failures": 1, "window_start": now, "locked_until": None,
                                        "expires_at": now + 2 * window}}, upsert=True)
            doc = {"failures": 1}
        if int(doc["failures"]) >= max_failures:
            self._throttle.update_one({"_id": key}, {"$set": {
                "failures": 0, "window_start": now, "locked_until": now + window,
                "expires_at": now + 2 * window}})
            return LoginThrottle(failures=0, locked_until=now + window)
        return LoginThrottle(failures=int(doc["failures"]), locked_until=None)

    def clear(self, key: str) -> None:
        self._throttle.delete_one({"_id": key})

    def count_attempt(self, key: str, now: datetime, window_seconds: int = 60) -> int:
        """Attempts in the current fixed window (one document per window, expiring)."""
        bucket = int(now.timestamp()) // window_seconds
        doc = self._throttle.find_one_and_update(
            {"_id": f"{key}:{bucket}"},
            {"$inc": {"attempts": 1},
             "$set": {"expires_at": now + timedelta(seconds=2 * window_seconds)}},
            upsert=True, return_document=True)
        return int(doc["attempts"])
