"""Sync Now requests (base database): each is one inserted document carrying its
`sync.requested` event in an outbox, so the request is saved and sent, or neither."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from clientsynq.common.outbox import outbox_fields, outbox_indexes
from clientsynq.portal.adapters.mongo_common import doc_id
from clientsynq.portal.adapters.store import MongoReadStore
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

COLLECTION = "sync_requests"
INDEXES = [*outbox_indexes(),
           IndexModel([("tenant_id", ASCENDING), ("requested_at", DESCENDING)],
                      name="tenant_requested")]


class MongoSyncRequests:
    def __init__(self, store: MongoReadStore) -> None:
        self._store = store

    def _coll(self) -> Any:
        return self._store.base[COLLECTION]

    def latest(self, tenant_id: str) -> datetime | None:
        doc = self._coll().find_one({"tenant_id": tenant_id}, sort=[("requested_at", DESCENDING)])
        return None if doc is None else doc["requested_at"]

    def add(self, tenant_id: str, request_id: str, requested_at: datetime,
            envelope: Mapping[str, Any]) -> bool:
        """False if this request id exists already (a retried request)."""
        doc = {"_id": doc_id(tenant_id, request_id), "tenant_id": tenant_id,
               "request_id": request_id, "requested_at": requested_at,
               **outbox_fields([envelope])}
        try:
            self._coll().insert_one(doc)
        except DuplicateKeyError:
            return False
        return True
