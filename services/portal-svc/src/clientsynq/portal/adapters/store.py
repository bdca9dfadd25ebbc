"""Where the read models live, and how a rebuilt set of them is swapped in.

The projections write into a *generation* database. A rebuild fills a fresh generation
from Kafka and then flips one pointer document; readers and the live worker follow the
pointer within `ttl_seconds`. State that events do not carry (commands asked through the
API, idempotency keys, sync requests, invitations) stays in the base database.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from pymongo import MongoClient
from pymongo.database import Database

POINTER_COLLECTION = "readmodel_pointer"
POINTER_ID = "active"


class MongoReadStore:
    def __init__(self, client: MongoClient[dict[str, Any]], base_database: str, *,
                 ttl_seconds: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._base_name = base_database
        self._ttl = ttl_seconds
        self._clock = clock
        self._cached: tuple[float, str] | None = None
        self._lock = threading.Lock()

    @property
    def base(self) -> Database[dict[str, Any]]:
        return self._client[self._base_name]

    def active_name(self) -> str:
        with self._lock:
            now = self._clock()
            if self._cached is None or now - self._cached[0] >= self._ttl:
                doc = self.base[POINTER_COLLECTION].find_one({"_id": POINTER_ID})
                name = doc["database"] if doc else self._base_name
                self._cached = (now, name)
            return self._cached[1]

    def db(self) -> Database[dict[str, Any]]:
        """The generation the read models are read from and projected into now."""
        return self._client[self.active_name()]

    def collection(self, name: str) -> Any:
        return self.db()[name]

    def point_to(self, database: str) -> None:
        """Swap a rebuilt generation in (one single-document write)."""
        self.base[POINTER_COLLECTION].update_one(
            {"_id": POINTER_ID}, {"$set": {"database": database}}, upsert=True)
        with self._lock:
            self._cached = None

    def generation(self, database: str) -> MongoReadStore:
        """A store pinned to one generation (the rebuild writes there before the swap)."""
        pinned = MongoReadStore(self._client, self._base_name)
        pinned._cached = (float("inf"), database)
        pinned._ttl = float("inf")
        return pinned
