"""Idempotency-Key records (base database): the first request with a key reserves it by an
insert (atomic on FerretDB as on MongoDB), then stores its answer once."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.api.ports import StoredResponse
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

COLLECTION = "idempotency_keys"
KEEP = timedelta(hours=24)
# A reservation older than this without an answer belongs to a request that died: a retry
# may run again rather than wait for an answer that will never come.
STALE = timedelta(minutes=2)
INDEXES = [IndexModel([("created_at", ASCENDING)], name="expire",
                      expireAfterSeconds=int(KEEP.total_seconds()))]


class MongoIdempotency:
    def __init__(self, store: MongoReadStore) -> None:
        self._store = store

    def _coll(self) -> Any:
        return self._store.base[COLLECTION]

    @staticmethod
    def _id(key: str) -> str:
        """Hashed: the key is the caller's text and may be long; the hash is fixed-size."""
        return hashlib.sha256(key.encode()).hexdigest()

    def begin(self, key: str, fingerprint: str, now: datetime) -> StoredResponse | None:
        doc_id = self._id(key)
        try:
            self._coll().insert_one({"_id": doc_id, "fingerprint": fingerprint,
                                     "status": None, "created_at": now})
            return None
        except DuplicateKeyError:
            pass
        doc = self._coll().find_one({"_id": doc_id})
        if doc is None:  # expired between the two calls
            return self.begin(key, fingerprint, now)
        if doc["status"] is None and now - doc["created_at"] > STALE:
            self._coll().delete_one({"_id": doc_id, "status": None})
            return self.begin(key, fingerprint, now)
        return StoredResponse(fingerprint=doc["fingerprint"], status=doc["status"],
                              body=doc.get("body", ""), headers=doc.get("headers") or {},
                              started_at=doc["created_at"])

    def finish(self, key: str, response: StoredResponse) -> None:
        self._coll().update_one({"_id": self._id(key)}, {"$set": {
            "status": response.status, "body": response.body, "headers": response.headers}})

    def abandon(self, key: str) -> None:
        self._coll().delete_one({"_id": self._id(key), "status": None})
