"""Deliveries in MongoDB, insert-only (see `domain/queue.py` for why).

Three collections: the small `delivery_queue` (only what is pending, each entry carrying
its delivery: the fan-out's one write; the dispatcher's one read per round scans just
that, which matters on FerretDB where only `{_id: <string>}` filters are pushed down),
`delivery_claims` and `delivery_attempts` (one per attempt, `_id` `<delivery>#<n>`; an
outcome carries its delivery too, so the log needs no separate delivery document). The hot
path is inserts and `_id`-keyed deletes, batched per dispatch round: four documents written
per delivery that succeeds at once (entry, claim, outcome, the entry's delete). The
`deliveries` collection of older versions is still read (`delivery_docs.py`), never written.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from clientsynq.webhooks.adapters import delivery_docs as docs
from clientsynq.webhooks.adapters.delivery_docs import ATTEMPTS, CLAIMS, DELIVERIES, QUEUE
from clientsynq.webhooks.adapters.delivery_retention import purge_finished
from clientsynq.webhooks.domain.deliveries import Delivery
from clientsynq.webhooks.domain.queue import (
    Claim,
    Due,
    Outcome,
    first_attempt,
    queue_key,
    with_outcomes,
)
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.database import Database

MAX_ATTEMPT_DOCS = 100  # a bound on one read loop; attempts are at most the schedule's 8


def delivery_indexes() -> dict[str, list[IndexModel]]:
    return {
        DELIVERIES: [IndexModel([("tenant_id", ASCENDING), ("endpoint_id", ASCENDING),
                                 ("created_at", DESCENDING)], name="tenant_endpoint_created"),
                     IndexModel([("status", ASCENDING), ("created_at", ASCENDING)],
                                name="legacy_status_created")],
        QUEUE: [IndexModel([("due_at", ASCENDING)], name="queue_due"),
                IndexModel([("endpoint_id", ASCENDING), ("due_at", ASCENDING)],
                           name="queue_endpoint_due")],  # also serves the log's queue read
        ATTEMPTS: [IndexModel([("delivery_id", ASCENDING)], name="attempts_delivery"),
                   IndexModel([("tenant_id", ASCENDING), ("endpoint_id", ASCENDING),
                               ("number", ASCENDING), ("created_at", DESCENDING)],
                              name="attempts_tenant_endpoint"),
                   IndexModel([("status", ASCENDING), ("at", ASCENDING)],
                              name="attempts_status_at")]}


class MongoDeliveryStore:
    def __init__(self, db: Database[Any]) -> None:
        self._deliveries = db[DELIVERIES]
        self._queue = db[QUEUE]
        self._claims = db[CLAIMS]
        self._attempts = db[ATTEMPTS]

    def add_many(self, deliveries: Sequence[Delivery]) -> int:
        """One insert of first queue entries (existing ids skipped: an event consumed
        again after a crash adds nothing while its entry is pending; one already finished
        comes back, finds its claim taken and completes from its recorded outcome)."""
        return len(docs.insert_new(self._queue, [docs.queue_doc(first_attempt(d))
                                                 for d in deliveries]))

    def get(self, tenant_id: str, delivery_id: str) -> Delivery | None:
        first = self._attempts.find_one({"_id": queue_key(delivery_id, 1)})
        found = self._delivery_doc(delivery_id, first)
        if found is None or found["tenant_id"] != tenant_id:
            return None
        delivery, outcomes = docs.delivery(found, "delivery_id" if "delivery_id" in found
                                           else "_id"), list[Outcome]()
        doc = first
        while doc is not None and len(outcomes) < MAX_ATTEMPT_DOCS:  # by `_id`: indexed
            outcomes.append(docs.outcome(doc, Due(delivery, doc["number"], doc["sent_before"],
                                                  delivery.created_at)))
            doc = self._attempts.find_one({"_id": queue_key(delivery.id, len(outcomes) + 1)})
        return with_outcomes(delivery, outcomes)

    def _delivery_doc(self, delivery_id: str,
                      first: dict[str, Any] | None) -> dict[str, Any] | None:
        """The first outcome, else the first queue entry, else an older version's document."""
        if first is not None and "payload" in first:
            return first
        entry = self._queue.find_one({"_id": queue_key(delivery_id, 1)})
        return entry if entry is not None else self._deliveries.find_one({"_id": delivery_id})

    def list(self, tenant_id: str, endpoint_id: str, limit: int) -> Sequence[Delivery]:
        newest = sorted(self._from_all(tenant_id, endpoint_id, {}, DESCENDING, limit),
                        key=lambda d: d.created_at, reverse=True)[:limit]
        return self._with_attempts(newest)

    def created_since(self, tenant_id: str, endpoint_id: str, since: datetime,
                      limit: int) -> Sequence[Delivery]:
        found = self._from_all(tenant_id, endpoint_id, {"created_at": {"$gte": since}},
                               ASCENDING, limit)
        return sorted(found, key=lambda d: d.created_at)[:limit]

    def _from_all(self, tenant_id: str, endpoint_id: str, extra: dict[str, Any],
                  order: int, limit: int) -> Sequence[Delivery]:
        """First outcomes, first queue entries and older versions' documents, each
        filtered by tenant and endpoint; a delivery in several counts once."""
        query = {"tenant_id": tenant_id, "endpoint_id": endpoint_id, **extra}
        sort = [("created_at", order)]
        firsts = [*self._attempts.find({**query, "number": 1}, sort=sort, limit=limit),
                  *self._queue.find({**query, "number": 1}, sort=sort, limit=limit)]
        found = docs.newest_unique(firsts, "delivery_id")
        for old in docs.newest_unique(self._deliveries.find(query, sort=sort, limit=limit),
                                      "_id").values():
            found.setdefault(old.id, old)
        return tuple(found.values())

    def due(self, endpoint_id: str, now: datetime, limit: int) -> Sequence[Due]:
        found = self._queue.find({"endpoint_id": endpoint_id, "due_at": {"$lte": now}},
                                 sort=[("due_at", ASCENDING)], limit=limit)
        return [docs.due(doc) for doc in found]

    def all_due(self, now: datetime, limit: int,
                skip_endpoints: Collection[str] = ()) -> Sequence[Due]:
        query: dict[str, Any] = {"due_at": {"$lte": now}}
        if skip_endpoints:
            query["endpoint_id"] = {"$nin": sorted(skip_endpoints)}
        found = self._queue.find(query, sort=[("due_at", ASCENDING)], limit=limit)
        return [docs.due(doc) for doc in found]

    def claim(self, dues: Sequence[Due], claim: Claim) -> set[str]:
        return docs.insert_new(self._claims, [
            {"_id": due.key, "delivery_id": due.delivery.id, "holder": claim.holder,
             "claimed_at": claim.claimed_at, "send_by": claim.send_by,
             "abandon_at": claim.abandon_at} for due in dues])

    def claim_of(self, key: str) -> Claim | None:
        doc = self._claims.find_one({"_id": key})
        if doc is None:
            return None
        return Claim(doc["holder"], docs.aware(doc["claimed_at"]), docs.aware(doc["send_by"]),
                     docs.aware(doc["abandon_at"]))

    def finish(self, outcomes: Sequence[Outcome], delete: bool = True) -> set[str]:
        """Outcomes, then next entries, then deletes: a crash between leaves the entry,
        whose next reader finds the outcome recorded and completes the step."""
        if not outcomes:
            return set()
        recorded = docs.insert_new(self._attempts, [docs.outcome_doc(o) for o in outcomes])
        settled = [o if o.due.key in recorded else self._recorded(o) for o in outcomes]
        docs.insert_new(self._queue, [docs.queue_doc(n) for n in (o.next for o in settled)
                                      if n])
        if delete:
            self.forget([o.due.key for o in outcomes])
        return recorded

    def forget(self, keys: Sequence[str]) -> None:
        docs.delete_ids(self._queue, keys)

    def purge(self, finished_before: datetime, limit: int) -> int:
        return purge_finished(self._attempts.database, finished_before, limit)

    def queue_stats(self, now: datetime) -> tuple[int, datetime | None]:
        due = {"due_at": {"$lte": now}}
        oldest = self._queue.find_one(due, sort=[("due_at", ASCENDING)])
        count = self._queue.count_documents(due)
        return count, oldest["due_at"] if oldest is not None else None

    def _recorded(self, given: Outcome) -> Outcome:
        doc = self._attempts.find_one({"_id": given.due.key})
        return docs.outcome(doc, given.due) if doc is not None else given

    def _with_attempts(self, deliveries: Sequence[Delivery]) -> Sequence[Delivery]:
        if not deliveries:
            return []
        by_id: dict[str, list[Outcome]] = {d.id: [] for d in deliveries}
        known = {d.id: d for d in deliveries}
        for doc in self._attempts.find({"delivery_id": {"$in": list(by_id)}}):
            owner = known[doc["delivery_id"]]
            due = Due(owner, doc["number"], doc["sent_before"], owner.created_at)
            by_id[owner.id].append(docs.outcome(doc, due))
        return [with_outcomes(d, by_id[d.id]) for d in deliveries]
