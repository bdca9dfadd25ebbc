"""Refresh tokens (stored as digests, rotated, revocable) and single-use OAuth states."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clientsynq.auth.domain.model import SessionSubject
from pymongo import ReturnDocument
from pymongo.database import Database


@dataclass(frozen=True)
class StoredRefresh:
    subject: SessionSubject
    family_id: str
    expires_at: datetime
    was_used: bool


class RefreshTokenStore:
    """One document per refresh token; a family links each token to the ones it became."""

    def __init__(self, db: Database[Any]) -> None:
        self._tokens = db["refresh_tokens"]

    def add(self, digest: str, subject: SessionSubject, family_id: str, now: datetime,
            expires_at: datetime) -> None:
        self._tokens.insert_one({
            "_id": digest, "tenant_id": subject.tenant_id, "subject": subject.subject,
            "kind": subject.kind, "customer_id": subject.customer_id, "family_id": family_id,
            "created_at": now, "expires_at": expires_at, "used_at": None, "revoked_at": None})

    def use(self, tenant_id: str, digest: str, now: datetime) -> StoredRefresh | None:
        """Atomically mark the token used; ``was_used`` tells a replay from a first use."""
        doc = self._tokens.find_one_and_update(
            {"_id": digest, "tenant_id": tenant_id, "revoked_at": None},
            {"$set": {"used_at": now}}, return_document=ReturnDocument.BEFORE)
        if doc is None:
            return None
        subject = SessionSubject(tenant_id=doc["tenant_id"], subject=doc["subject"],
                                 kind=doc["kind"], customer_id=doc.get("customer_id"))
        return StoredRefresh(subject=subject, family_id=doc["family_id"],
                             expires_at=doc["expires_at"], was_used=doc["used_at"] is not None)

    def revoke_family(self, tenant_id: str, family_id: str, now: datetime) -> None:
        self._tokens.update_many({"tenant_id": tenant_id, "family_id": family_id,
                                  "revoked_at": None}, {"$set": {"revoked_at": now}})

    def family_of(self, tenant_id: str, digest: str) -> str | None:
        doc = self._tokens.find_one({"_id": digest, "tenant_id": tenant_id}, {"family_id": 1})
        return None if doc is None else str(doc["family_id"])


@dataclass(frozen=True)
class OAuthState:
    tenant_id: str
    user_id: str
    expires_at: datetime


class OAuthStateStore:
    def __init__(self, db: Database[Any]) -> None:
        self._states = db["oauth_states"]

    def add(self, digest: str, state: OAuthState, now: datetime) -> None:
        self._states.insert_one({"_id": digest, "tenant_id": state.tenant_id,
                                 "user_id": state.user_id, "created_at": now,
                                 "expires_at": state.expires_at, "used_at": None})

    def consume(self, tenant_id: str, user_id: str, digest: str, now: datetime) -> bool:
        """Single use, unexpired, and only by the user and business that started it."""
        result = self._states.update_one(
            {"_id": digest, "tenant_id": tenant_id, "user_id": user_id, "used_at": None,
             "expires_at": {"$gt": now}},
            {"$set": {"used_at": now}})
        return result.modified_count == 1
