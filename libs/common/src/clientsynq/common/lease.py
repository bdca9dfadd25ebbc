"""A lease: at most one holder at a time across every replica, expiring if the holder dies.

Used for "one refresh per realm" (QBO rotates refresh tokens: two concurrent refreshes
break the connection) and "one sync per realm". Each acquisition increments a fencing
number, so a holder can tell whether it still holds the lease it started with.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from pymongo import ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError


class LeaseUnavailable(RuntimeError):
    """Someone else holds the lease."""


@dataclass
class Lease:
    collection: Collection[Any]
    name: str
    holder: str
    ttl_seconds: float = 30.0
    fence: int | None = None

    def acquire(self) -> bool:
        """Take the lease if it is free, expired, or already ours (then it is extended)."""
        now = datetime.now(timezone.utc)
        try:
            doc = self.collection.find_one_and_update(
                {"_id": self.name, "$or": [{"expires_at": {"$lt": now}}, {"holder": self.holder}]},
                {"$set": {"holder": self.holder,
                          "expires_at": now + timedelta(seconds=self.ttl_seconds),
                          "acquired_at": now},
                 "$inc": {"fence": 1}},
                upsert=True, return_document=ReturnDocument.AFTER)
        except DuplicateKeyError:
            return False  # the document exists, unexpired, with another holder
        self.fence = int(doc["fence"])
        return True

    def renew(self) -> bool:
        """Extend a lease we hold; False means it was lost (expired and taken)."""
        now = datetime.now(timezone.utc)
        result = self.collection.update_one(
            {"_id": self.name, "holder": self.holder, "fence": self.fence},
            {"$set": {"expires_at": now + timedelta(seconds=self.ttl_seconds)}})
        return result.matched_count == 1

    def release(self) -> None:
        self.collection.delete_one({"_id": self.name, "holder": self.holder, "fence": self.fence})
        self.fence = None

    def __enter__(self) -> Lease:
        if not self.acquire():
            raise LeaseUnavailable(self.name)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
