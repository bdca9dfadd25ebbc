"""How deliveries, queue entries, claims and outcomes look in MongoDB, in every format the
code may meet (see `mongo_deliveries.py` and `legacy_deliveries.py`).

Since 2026-12-04 evening a delivery has no document of its own: its queue entry `#1`
carries it (payload and all) until its first outcome, and every outcome document carries
it from then on. Older stores also hold `deliveries` documents: without `status` (the
insert-only queue of 2026-12-04 afternoon, whose outcomes carry no delivery fields) or with
`status` and an `attempts` array (the mutable documents before it, `legacy_deliveries.py`).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from clientsynq.common import retry
from clientsynq.webhooks.domain.deliveries import PENDING, Attempt, Delivery
from clientsynq.webhooks.domain.queue import Due, Outcome
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

DELIVERIES, QUEUE = "deliveries", "delivery_queue"
CLAIMS, ATTEMPTS = "delivery_claims", "delivery_attempts"
DUPLICATE_KEY = 11000
MIGRATING = "migrating"  # a legacy document being taken over (legacy_deliveries.py)


def insert_new(collection: Collection[Any], docs: list[dict[str, Any]]) -> set[str]:
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


def delete_ids(collection: Collection[Any], ids: Iterable[str]) -> None:
    """One `{_id: {$in: ids}}` delete. Not a bulk write of `{_id: <id>}` deletes (tried
    2026-12-04, 378b9dd): FerretDB runs each delete statement as its own query and write
    transaction, and a transaction per document (10-40 ms each on the loaded machine) cost
    more than the one whole-collection scan `$in` costs it, except for queues of thousands
    (100 of 500 queued: 0.5-2.3 s `$in` against 1.7-5.9 s per id; of 4,000: 1.7-2.3 s
    against 1.0-1.9 s). MongoDB serves both from the `_id` index. Retried: harmless twice."""
    keys = list(ids)
    if keys:
        retry.mongo_write_policy()(collection.delete_many, {"_id": {"$in": keys}})


def delivery_doc(d: Delivery) -> dict[str, Any]:
    return {"_id": d.id, "tenant_id": d.tenant_id, "endpoint_id": d.endpoint_id,
            "message_id": d.message_id, "event_type": d.event_type, "payload": d.payload,
            "created_at": d.created_at, "next_attempt_at": d.next_attempt_at}


def queue_doc(due: Due) -> dict[str, Any]:
    """Everything a send needs, so the dispatcher reads nothing else."""
    return {**delivery_doc(due.delivery), "_id": due.key, "delivery_id": due.delivery.id,
            "number": due.number, "sent_before": due.sent_before, "due_at": due.due_at}


def outcome_doc(o: Outcome) -> dict[str, Any]:
    """With the delivery's own fields: the outcomes are the delivery log, and `#1`'s is
    the delivery's record once its queue entry is gone."""
    a = o.attempt
    attempt = None if a is None else {
        "at": a.at, "status": a.status, "latency_ms": a.latency_ms, "outcome": a.outcome,
        "excerpt": a.excerpt, "error": a.error}
    return {**delivery_doc(o.due.delivery), "_id": o.due.key, "delivery_id": o.due.delivery.id,
            "number": o.due.number, "sent_before": o.due.sent_before, "status": o.status,
            "next_attempt_at": o.next_attempt_at, "at": o.at, "attempt": attempt}


def outcome(doc: dict[str, Any], due: Due) -> Outcome:
    a = doc.get("attempt")
    attempt = None if a is None else Attempt(number=doc["number"], **a)
    at = doc.get("at") or (a["at"] if a else due.delivery.created_at)
    return Outcome(due, attempt, doc["status"], doc.get("next_attempt_at"), at)


def delivery(doc: dict[str, Any], id_field: str = "_id") -> Delivery:
    """From any document carrying a delivery; a legacy one brings its status and attempts."""
    status = doc.get("status", PENDING) if "attempts" in doc else PENDING
    return Delivery(id=doc[id_field], tenant_id=doc["tenant_id"],
                    endpoint_id=doc["endpoint_id"], message_id=doc["message_id"],
                    event_type=doc["event_type"], payload=doc["payload"],
                    created_at=aware(doc["created_at"]),
                    next_attempt_at=doc.get("next_attempt_at"),
                    status=PENDING if status == MIGRATING else status,
                    attempts=tuple(Attempt(**a) for a in doc.get("attempts") or ()))


def due(doc: dict[str, Any]) -> Due:
    return Due(delivery(doc, "delivery_id"), doc["number"], doc["sent_before"], doc["due_at"])


def newest_unique(docs: Iterable[dict[str, Any]], id_field: str) -> dict[str, Delivery]:
    """Deliveries by id from several sources; the first source naming an id wins."""
    found: dict[str, Delivery] = {}
    for doc in docs:
        found.setdefault(doc[id_field], delivery(doc, id_field))
    return found


def aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
