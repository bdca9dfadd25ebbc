"""Refresh tokens (digests, rotated, revocable) and single-use OAuth states.

"Used once" must hold even on FerretDB 1.x, whose filtered updates are read-then-write:
a use is therefore recorded by *inserting* a document keyed by the secret's digest, and
only one of two concurrent inserts succeeds. Revocation is monotonic (an insert too).
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from clientsynq.auth.domain.model import SessionSubject
from clientsynq.auth.domain.records import OAuthState, StoredRefresh
from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError


def record_first_use(db: Database[Any], collection: str, key: str, tenant_id: str,
                     now: datetime, expires_at: datetime) -> bool:
    """True for the first use of ``key`` only (a unique insert: atomic everywhere)."""
    try:
        db[collection].insert_one({"_id": key, "tenant_id": tenant_id, "used_at": now,
                                   "expires_at": expires_at})
    except DuplicateKeyError:
        return False
    return True


class RefreshTokenStore:
    """One document per refresh token; a family links each token to the ones it became."""

    def __init__(self, db: Database[Any]) -> None:
        self._db = db
        self._tokens = db["refresh_tokens"]
        self._revoked = db["revoked_session_families"]

    def add(self, digest: str, subject: SessionSubject, family_id: str, now: datetime,
            expires_at: datetime) -> None:
        self._tokens.insert_one({
            "_id": digest, "tenant_id": subject.tenant_id, "subject": subject.subject,
            "kind": subject.kind, "customer_id": subject.customer_id, "family_id": family_id,
            "created_at": now, "expires_at": expires_at})

    def use(self, tenant_id: str, digest: str, now: datetime) -> StoredRefresh | None:
        doc = self._tokens.find_one({"_id": digest, "tenant_id": tenant_id})
        if doc is None:
            return None
        first = record_first_use(self._db, "refresh_token_uses", digest, tenant_id, now,
                                 doc["expires_at"])
        subject = SessionSubject(tenant_id=doc["tenant_id"], subject=doc["subject"],
                                 kind=doc["kind"], customer_id=doc.get("customer_id"))
        return StoredRefresh(subject=subject, family_id=doc["family_id"],
                             expires_at=doc["expires_at"], first_use=first,
                             revoked=self.is_revoked(tenant_id, doc["family_id"]))

    def revoke_family(self, tenant_id: str, family_id: str, now: datetime,
                      expires_at: datetime) -> None:
        try:
            self._revoked.insert_one({"_id": f"{tenant_id}:{family_id}", "tenant_id": tenant_id,
                                      "family_id": family_id, "revoked_at": now,
                                      "expires_at": expires_at})
        except DuplicateKeyError:
            return  # already revoked

    def is_revoked(self, tenant_id: str, family_id: str) -> bool:
        return self._revoked.count_documents({"_id": f"{tenant_id}:{family_id}",
                                              "tenant_id": tenant_id}) > 0

    def is_ended(self, tenant_id: str, session_id: str) -> bool:
        """``clientsynq.common.auth.SessionCheck`` for auth-svc's own routes: exact, per
        request (one lookup by _id), where other services poll a list."""
        return self.is_revoked(tenant_id, session_id)

    def ended_since(self, since: datetime, limit: int) -> list[tuple[str, datetime]]:
        """(session id, ended at), oldest first: the feed other services poll. Across every
        business by nature; it names only random ids."""
        cursor = self._revoked.find({"revoked_at": {"$gt": since}, "family_id": {"$exists":
                                     True}}, {"family_id": 1, "revoked_at": 1})
        return [(str(d["family_id"]), _aware(d["revoked_at"]))
                for d in cursor.sort("revoked_at", ASCENDING).limit(limit)]

    def families_of(self, tenant_id: str, subject: str) -> set[str]:
        """Every sign-in of ``subject`` still on record (expired tokens are swept later)."""
        cursor = self._tokens.find({"tenant_id": tenant_id, "subject": subject},
                                   {"family_id": 1})
        return {str(doc["family_id"]) for doc in cursor}

    def family_of(self, tenant_id: str, digest: str) -> str | None:
        doc = self._tokens.find_one({"_id": digest, "tenant_id": tenant_id}, {"family_id": 1})
        return None if doc is None else str(doc["family_id"])


class OAuthStateStore:
    def __init__(self, db: Database[Any]) -> None:
        self._db = db
        self._states = db["oauth_states"]

    def add(self, digest: str, state: OAuthState, now: datetime) -> None:
        self._states.insert_one({"_id": digest, "tenant_id": state.tenant_id,
                                 "user_id": state.user_id, "created_at": now,
                                 "expires_at": state.expires_at})

    def consume(self, tenant_id: str, user_id: str, digest: str, now: datetime) -> bool:
        """Single use, unexpired, and only by the user and business that started it."""
        doc = self._states.find_one({"_id": digest, "tenant_id": tenant_id, "user_id": user_id,
                                     "expires_at": {"$gt": now}})
        if doc is None:
            return False
        return record_first_use(self._db, "oauth_state_uses", digest, tenant_id, now,
                                doc["expires_at"])


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
