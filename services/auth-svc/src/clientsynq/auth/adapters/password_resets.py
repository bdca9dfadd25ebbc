"""Password-reset links: a digest per link, one hour, used once (a unique insert, atomic on
FerretDB 1.x too)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from clientsynq.auth.adapters.mongo_sessions import record_first_use
from clientsynq.auth.domain.records import ResetRequest
from pymongo.database import Database


class PasswordResetStore:
    def __init__(self, db: Database[Any]) -> None:
        self._db = db
        self._resets = db["password_resets"]

    def add(self, digest: str, tenant_id: str, user_id: str, now: datetime,
            expires_at: datetime) -> None:
        self._resets.insert_one({"_id": digest, "tenant_id": tenant_id, "user_id": user_id,
                                 "created_at": now, "expires_at": expires_at})

    def use(self, tenant_id: str, digest: str, now: datetime) -> ResetRequest | None:
        doc = self._resets.find_one({"_id": digest, "tenant_id": tenant_id,
                                     "expires_at": {"$gt": now}})
        if doc is None or not record_first_use(self._db, "password_reset_uses", digest,
                                               tenant_id, now, doc["expires_at"]):
            return None
        return ResetRequest(tenant_id=doc["tenant_id"], user_id=doc["user_id"])
