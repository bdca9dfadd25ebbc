"""Every token pair Intuit hands out, written (sealed) the moment it arrives.

Intuit rotates the refresh token on refresh and the old value dies. If the process crashes
or the connection write fails between Intuit's answer and saving the new version, the only
copy of the new refresh token would be lost and the business would have to Reconnect. So
the pair first goes here, by one insert, and only then becomes a connection version; a
later refresh (or an ``invalid_grant``) adopts a pair that never made it into a version.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from clientsynq.auth.domain.records import JournaledPair, SealedTokens
from pymongo import DESCENDING
from pymongo.database import Database

KEPT_FOR = timedelta(days=2)  # long enough for any recovery; the worker purges the rest


class TokenJournal:
    def __init__(self, db: Database[Any]) -> None:
        self._entries = db["token_journal"]

    def record(self, tenant_id: str, realm_id: str, base_version: int, tokens: SealedTokens,
               access_expires_at: datetime, refresh_expires_at: datetime,
               now: datetime) -> str:
        entry_id = uuid.uuid4().hex
        self._entries.insert_one({
            "_id": entry_id, "tenant_id": tenant_id, "realm_id": realm_id,
            "base_version": base_version, "tokens": {"access": tokens.access,
                                                     "refresh": tokens.refresh,
                                                     "key_id": tokens.key_id},
            "access_expires_at": access_expires_at, "refresh_expires_at": refresh_expires_at,
            "at": now, "expires_at": now + KEPT_FOR})
        return entry_id

    def unsaved(self, tenant_id: str, realm_id: str, version: int) -> JournaledPair | None:
        """The newest pair Intuit gave for the version we hold that never became a version."""
        doc = self._entries.find_one({"tenant_id": tenant_id, "realm_id": realm_id,
                                      "base_version": {"$gte": version}},
                                     sort=[("at", DESCENDING)])
        if doc is None:
            return None
        raw = doc["tokens"]
        return JournaledPair(entry_id=str(doc["_id"]), realm_id=doc["realm_id"],
                             base_version=int(doc["base_version"]),
                             tokens=SealedTokens(raw["access"], raw["refresh"], raw["key_id"]),
                             access_expires_at=doc["access_expires_at"],
                             refresh_expires_at=doc["refresh_expires_at"])

    def forget(self, tenant_id: str, entry_id: str) -> None:
        """Once the pair is a saved version (a leftover is harmless: its base is older)."""
        self._entries.delete_one({"_id": entry_id, "tenant_id": tenant_id})
