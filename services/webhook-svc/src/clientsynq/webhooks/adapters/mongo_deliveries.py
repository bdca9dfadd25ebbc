"""Deliveries in MongoDB: inserted by the fan-out (unique ids make a replayed fan-out
harmless), then updated only by the replica holding the endpoint's lease."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from clientsynq.common import retry
from clientsynq.webhooks.domain.deliveries import PENDING, Attempt, Delivery
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import BulkWriteError

DELIVERIES = "deliveries"
DUPLICATE_KEY = 11000


def delivery_indexes() -> dict[str, list[IndexModel]]:
    return {DELIVERIES: [
        IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)], name="due"),
        IndexModel([("endpoint_id", ASCENDING), ("status", ASCENDING),
                    ("next_attempt_at", ASCENDING)], name="endpoint_due"),
        IndexModel([("tenant_id", ASCENDING), ("endpoint_id", ASCENDING),
                    ("created_at", DESCENDING)], name="tenant_endpoint_created")]}


class MongoDeliveryStore:
    def __init__(self, db: Database[Any]) -> None:
        self._collection = db[DELIVERIES]

    def add_many(self, deliveries: Sequence[Delivery]) -> int:
        if not deliveries:
            return 0
        try:
            result = self._collection.insert_many([_doc(d) for d in deliveries], ordered=False)
        except BulkWriteError as err:
            others = [e for e in err.details["writeErrors"] if e["code"] != DUPLICATE_KEY]
            if others:
                raise
            return int(err.details["nInserted"])
        return len(result.inserted_ids)

    def record(self, delivery: Delivery) -> None:
        """Retried through transient write failures: an attempt that was sent but not
        recorded would be sent again."""
        retry.mongo_write_policy()(
            self._collection.update_one,
            {"_id": delivery.id, "tenant_id": delivery.tenant_id},
            {"$set": {"status": delivery.status, "next_attempt_at": delivery.next_attempt_at,
                      "attempts": [_attempt_doc(a) for a in delivery.attempts]}})

    def get(self, tenant_id: str, delivery_id: str) -> Delivery | None:
        doc = self._collection.find_one({"_id": delivery_id, "tenant_id": tenant_id})
        return _delivery(doc) if doc is not None else None

    def list(self, tenant_id: str, endpoint_id: str, limit: int) -> Sequence[Delivery]:
        docs = self._collection.find({"tenant_id": tenant_id, "endpoint_id": endpoint_id},
                                     sort=[("created_at", DESCENDING)], limit=limit)
        return [_delivery(doc) for doc in docs]

    def created_since(self, tenant_id: str, endpoint_id: str, since: datetime,
                      limit: int) -> Sequence[Delivery]:
        docs = self._collection.find({"tenant_id": tenant_id, "endpoint_id": endpoint_id,
                                      "created_at": {"$gte": since}},
                                     sort=[("created_at", ASCENDING)], limit=limit)
        return [_delivery(doc) for doc in docs]

    def due(self, endpoint_id: str, now: datetime, limit: int) -> Sequence[Delivery]:
        docs = self._collection.find({"endpoint_id": endpoint_id, "status": PENDING,
                                      "next_attempt_at": {"$lte": now}},
                                     sort=[("next_attempt_at", ASCENDING)], limit=limit)
        return [_delivery(doc) for doc in docs]

    def all_due(self, now: datetime, limit: int,
                skip_endpoints: Collection[str] = ()) -> Sequence[Delivery]:
        query: dict[str, Any] = {"status": PENDING, "next_attempt_at": {"$lte": now}}
        if skip_endpoints:
            query["endpoint_id"] = {"$nin": sorted(skip_endpoints)}
        docs = self._collection.find(query, sort=[("next_attempt_at", ASCENDING)], limit=limit)
        return [_delivery(doc) for doc in docs]

    def queue_stats(self, now: datetime) -> tuple[int, datetime | None]:
        due = {"status": PENDING, "next_attempt_at": {"$lte": now}}
        oldest = self._collection.find_one(due, sort=[("next_attempt_at", ASCENDING)])
        count = self._collection.count_documents(due)
        return count, oldest["next_attempt_at"] if oldest is not None else None


def _doc(d: Delivery) -> dict[str, Any]:
    return {"_id": d.id, "tenant_id": d.tenant_id, "endpoint_id": d.endpoint_id,
            "message_id": d.message_id, "event_type": d.event_type, "payload": d.payload,
            "created_at": d.created_at, "next_attempt_at": d.next_attempt_at,
            "status": d.status, "attempts": [_attempt_doc(a) for a in d.attempts]}


def _attempt_doc(a: Attempt) -> dict[str, Any]:
    return {"number": a.number, "at": a.at, "status": a.status, "latency_ms": a.latency_ms,
            "outcome": a.outcome, "excerpt": a.excerpt, "error": a.error}


def _delivery(doc: dict[str, Any]) -> Delivery:
    return Delivery(id=doc["_id"], tenant_id=doc["tenant_id"], endpoint_id=doc["endpoint_id"],
                    message_id=doc["message_id"], event_type=doc["event_type"],
                    payload=doc["payload"], created_at=doc["created_at"],
                    next_attempt_at=doc.get("next_attempt_at"), status=doc["status"],
                    attempts=tuple(Attempt(**a) for a in doc.get("attempts") or ()))
