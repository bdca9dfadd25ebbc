"""Deliveries in MongoDB, insert-only (see `domain/queue.py` for why).

Four collections: `deliveries` (written once by fan-out, resend, replay, test), the small
`delivery_queue` (only what is pending: the dispatcher's one read per round scans just
that, which matters on FerretDB where only `{_id: <string>}` filters are pushed down),
`delivery_claims` and `delivery_attempts` (one per attempt, `_id` `<delivery>#<n>`). The
hot path is inserts and `_id`-keyed deletes, batched per dispatch round.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from clientsynq.common import retry
from clientsynq.webhooks.domain.deliveries import Attempt, Delivery
from clientsynq.webhooks.domain.queue import Claim, Due, Outcome, queue_key, with_outcomes
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.collection import Collection as MongoCollection
from pymongo.database import Database
from pymongo.errors import BulkWriteError

DELIVERIES, QUEUE = "deliveries", "delivery_queue"
CLAIMS, ATTEMPTS = "delivery_claims", "delivery_attempts"
DUPLICATE_KEY = 11000
MAX_ATTEMPT_DOCS = 100  # a bound on one read loop; attempts are at most the schedule's 8


def delivery_indexes() -> dict[str, list[IndexModel]]:
    return {
        DELIVERIES: [IndexModel([("tenant_id", ASCENDING), ("endpoint_id", ASCENDING),
                                 ("created_at", DESCENDING)], name="tenant_endpoint_created")],
        QUEUE: [IndexModel([("due_at", ASCENDING)], name="queue_due"),
                IndexModel([("endpoint_id", ASCENDING), ("due_at", ASCENDING)],
                           name="queue_endpoint_due")],
        ATTEMPTS: [IndexModel([("delivery_id", ASCENDING)], name="attempts_delivery")]}


class MongoDeliveryStore:
    def __init__(self, db: Database[Any]) -> None:
        self._deliveries = db[DELIVERIES]
        self._queue = db[QUEUE]
        self._claims = db[CLAIMS]
        self._attempts = db[ATTEMPTS]

    def add_many(self, deliveries: Sequence[Delivery]) -> int:
        """Deliveries first, then their queue entries (both skip existing ids): a crash in
        between is repaired when the event is consumed again."""
        new = _insert_new(self._deliveries, [_delivery_doc(d) for d in deliveries])
        _insert_new(self._queue, [_queue_doc(Due(d, 1, 0, d.next_attempt_at or d.created_at))
                                  for d in deliveries])
        return len(new)

    def get(self, tenant_id: str, delivery_id: str) -> Delivery | None:
        doc = self._deliveries.find_one({"_id": delivery_id})
        if doc is None or doc["tenant_id"] != tenant_id:
            return None
        delivery, outcomes = _delivery(doc), list[Outcome]()
        while len(outcomes) < MAX_ATTEMPT_DOCS:  # by `_id`: the one filter FerretDB indexes
            found = self._attempts.find_one({"_id": queue_key(delivery.id, len(outcomes) + 1)})
            if found is None:
                break
            outcomes.append(_outcome(found, Due(delivery, found["number"],
                                                found["sent_before"], delivery.created_at)))
        return with_outcomes(delivery, outcomes)

    def list(self, tenant_id: str, endpoint_id: str, limit: int) -> Sequence[Delivery]:
        docs = self._deliveries.find({"tenant_id": tenant_id, "endpoint_id": endpoint_id},
                                     sort=[("created_at", DESCENDING)], limit=limit)
        return self._with_attempts([_delivery(doc) for doc in docs])

    def created_since(self, tenant_id: str, endpoint_id: str, since: datetime,
                      limit: int) -> Sequence[Delivery]:
        docs = self._deliveries.find({"tenant_id": tenant_id, "endpoint_id": endpoint_id,
                                      "created_at": {"$gte": since}},
                                     sort=[("created_at", ASCENDING)], limit=limit)
        return [_delivery(doc) for doc in docs]

    def due(self, endpoint_id: str, now: datetime, limit: int) -> Sequence[Due]:
        docs = self._queue.find({"endpoint_id": endpoint_id, "due_at": {"$lte": now}},
                                sort=[("due_at", ASCENDING)], limit=limit)
        return [_due(doc) for doc in docs]

    def all_due(self, now: datetime, limit: int,
                skip_endpoints: Collection[str] = ()) -> Sequence[Due]:
        query: dict[str, Any] = {"due_at": {"$lte": now}}
        if skip_endpoints:
            query["endpoint_id"] = {"$nin": sorted(skip_endpoints)}
        docs = self._queue.find(query, sort=[("due_at", ASCENDING)], limit=limit)
        return [_due(doc) for doc in docs]

    def claim(self, dues: Sequence[Due], claim: Claim) -> set[str]:
        return _insert_new(self._claims, [
            {"_id": due.key, "delivery_id": due.delivery.id, "holder": claim.holder,
             "claimed_at": claim.claimed_at, "send_by": claim.send_by,
             "abandon_at": claim.abandon_at} for due in dues])

    def claim_of(self, key: str) -> Claim | None:
        doc = self._claims.find_one({"_id": key})
        if doc is None:
            return None
        return Claim(doc["holder"], _aware(doc["claimed_at"]), _aware(doc["send_by"]),
                     _aware(doc["abandon_at"]))

    def finish(self, outcomes: Sequence[Outcome]) -> set[str]:
        """Outcomes, then next entries, then deletes: a crash between leaves the entry,
        whose next reader finds the outcome recorded and completes the step."""
        if not outcomes:
            return set()
        recorded = _insert_new(self._attempts, [_outcome_doc(o) for o in outcomes])
        settled = [o if o.due.key in recorded else self._recorded(o) for o in outcomes]
        _insert_new(self._queue, [_queue_doc(n) for n in (o.next for o in settled) if n])
        retry.mongo_write_policy()(self._queue.delete_many,
                                   {"_id": {"$in": [o.due.key for o in outcomes]}})
        return recorded

    def queue_stats(self, now: datetime) -> tuple[int, datetime | None]:
        due = {"due_at": {"$lte": now}}
        oldest = self._queue.find_one(due, sort=[("due_at", ASCENDING)])
        count = self._queue.count_documents(due)
        return count, oldest["due_at"] if oldest is not None else None

    def _recorded(self, given: Outcome) -> Outcome:
        doc = self._attempts.find_one({"_id": given.due.key})
        return _outcome(doc, given.due) if doc is not None else given

    def _with_attempts(self, deliveries: Sequence[Delivery]) -> Sequence[Delivery]:
        if not deliveries:
            return []
        by_id: dict[str, list[Outcome]] = {d.id: [] for d in deliveries}
        known = {d.id: d for d in deliveries}
        for doc in self._attempts.find({"delivery_id": {"$in": list(by_id)}}):
            due = Due(known[doc["delivery_id"]], doc["number"], doc["sent_before"],
                      known[doc["delivery_id"]].created_at)
            by_id[doc["delivery_id"]].append(_outcome(doc, due))
        return [with_outcomes(d, by_id[d.id]) for d in deliveries]


def _insert_new(collection: MongoCollection[Any], docs: list[dict[str, Any]]) -> set[str]:
    """Insert, skipping ids that exist; returns the ids this call inserted. Retried
    through transient failures (a retried insert that had landed reads as taken: safe)."""
    if not docs:
        return set()
    try:
        retry.mongo_write_policy()(collection.insert_many, docs, ordered=False)
    except BulkWriteError as err:
        errors = err.details["writeErrors"]
        if any(e["code"] != DUPLICATE_KEY for e in errors):
            raise
        taken = {e["index"] for e in errors}
        return {str(doc["_id"]) for i, doc in enumerate(docs) if i not in taken}
    return {str(doc["_id"]) for doc in docs}


def _delivery_doc(d: Delivery) -> dict[str, Any]:
    return {"_id": d.id, "tenant_id": d.tenant_id, "endpoint_id": d.endpoint_id,
            "message_id": d.message_id, "event_type": d.event_type, "payload": d.payload,
            "created_at": d.created_at, "next_attempt_at": d.next_attempt_at}


def _queue_doc(due: Due) -> dict[str, Any]:
    """Everything a send needs, so the dispatcher never reads `deliveries`."""
    return {**_delivery_doc(due.delivery), "_id": due.key, "delivery_id": due.delivery.id,
            "number": due.number, "sent_before": due.sent_before, "due_at": due.due_at}


def _outcome_doc(o: Outcome) -> dict[str, Any]:
    a = o.attempt
    attempt = None if a is None else {
        "at": a.at, "status": a.status, "latency_ms": a.latency_ms, "outcome": a.outcome,
        "excerpt": a.excerpt, "error": a.error}
    return {"_id": o.due.key, "delivery_id": o.due.delivery.id,
            "tenant_id": o.due.delivery.tenant_id, "number": o.due.number,
            "sent_before": o.due.sent_before, "status": o.status,
            "next_attempt_at": o.next_attempt_at, "attempt": attempt}


def _outcome(doc: dict[str, Any], due: Due) -> Outcome:
    a = doc.get("attempt")
    attempt = None if a is None else Attempt(number=doc["number"], **a)
    return Outcome(due, attempt, doc["status"], doc.get("next_attempt_at"))


def _delivery(doc: dict[str, Any]) -> Delivery:
    return Delivery(id=doc["_id"], tenant_id=doc["tenant_id"], endpoint_id=doc["endpoint_id"],
                    message_id=doc["message_id"], event_type=doc["event_type"],
                    payload=doc["payload"], created_at=doc["created_at"],
                    next_attempt_at=doc.get("next_attempt_at"))


def _due(doc: dict[str, Any]) -> Due:
    delivery = _delivery({**doc, "_id": doc["delivery_id"]})
    return Due(delivery, doc["number"], doc["sent_before"], doc["due_at"])


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


