"""Sign-ups waiting for their email to be confirmed: the digest of the emailed token, the
business name, the email and the (already hashed) password; used once, for a day."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from clientsynq.auth.adapters.mongo_sessions import record_first_use
from clientsynq.auth.domain.records import PendingSignUp
from pymongo.database import Database

PENDING_TENANT = "signup"  # no business exists yet; the single-use record needs a scope


class SignUpRequestStore:
    def __init__(self, db: Database[Any]) -> None:
        self._db = db
        self._requests = db["signup_requests"]

    def add(self, digest: str, pending: PendingSignUp, now: datetime,
            expires_at: datetime) -> None:
        self._requests.insert_one({"_id": digest, "business_name": pending.business_name,
                                   "email": pending.email,
                                   "password_hash": pending.password_hash,
                                   "created_at": now, "expires_at": expires_at})

    def use(self, digest: str, now: datetime) -> PendingSignUp | None:
        doc = self._requests.find_one({"_id": digest, "expires_at": {"$gt": now}})
        if doc is None or not record_first_use(self._db, "signup_request_uses", digest,
                                               PENDING_TENANT, now, doc["expires_at"]):
            return None
        return PendingSignUp(business_name=doc["business_name"], email=doc["email"],
                             password_hash=doc["password_hash"])
