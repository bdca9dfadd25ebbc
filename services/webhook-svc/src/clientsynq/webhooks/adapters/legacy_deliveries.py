"""Deliveries stored by webhook-svc before the insert-only queue (in `main` from 2026-11-29
until 2026-12-04 15:31 UTC; never tagged as a release, but a deployment of `main` in that
window may hold them): one mutable document per delivery in `deliveries`, with `status`,
`next_attempt_at` and an `attempts` array, updated by the replica holding the endpoint's
lease. The new dispatcher reads only the queue, so a pending one there would never be sent.

The worker's sweep takes each pending one over in two steps, a settle time apart
(`WEBHOOK_DELIVERY_TIMEOUT` + `WEBHOOK_CLAIM_GRACE`):

1. `status` pending → `migrating`: a worker of the old version (during a rolling upgrade)
   no longer reads it as due; one that read it just before may still be sending, and its
   record would set `status` again (the document then counts as legacy again, step 1 later).
2. Once the settle time has passed and it is still `migrating`: its old attempts are
   inserted as outcomes (the log keeps them), the next attempt `#<n + 1>` is queued (unless
   a claim on it exists: then it was queued and taken already), and `status`/`attempts`
   are removed. Every step skips what exists, so a crash anywhere is completed by the next
   sweep; an attempt queued twice is still sent once (its claim's unique `_id`).

No attempt goes out twice on the assumption the claims already rest on: an old-version
replica does not stall longer than the settle time between reading a delivery and sending.
Scaling the old workers to zero before the new ones start removes even that.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from clientsynq.common import retry
from clientsynq.webhooks.adapters import delivery_docs as docs
from clientsynq.webhooks.adapters.delivery_docs import (
    ATTEMPTS,
    CLAIMS,
    DELIVERIES,
    MIGRATING,
    QUEUE,
)
from clientsynq.webhooks.domain.deliveries import PENDING, Attempt, Delivery
from clientsynq.webhooks.domain.queue import Due, Outcome
from pymongo.database import Database


class MongoLegacyDeliveries:
    def __init__(self, db: Database[Any]) -> None:
        self._db = db
        self._deliveries = db[DELIVERIES]

    def migrate(self, now: datetime, settle_seconds: float, limit: int) -> int:
        """One bounded batch of each step; returns how many were taken over (step 2)."""
        update = retry.mongo_write_policy()
        settled = list(self._deliveries.find(
            {"status": MIGRATING, "migrate_after": {"$lte": now}}, limit=limit))
        for doc in settled:
            self._take_over(doc, now)
        for doc in self._deliveries.find({"status": PENDING}, projection=["_id"], limit=limit):
            update(self._deliveries.update_one, {"_id": doc["_id"], "status": PENDING},
                   {"$set": {"status": MIGRATING,
                             "migrate_after": now + timedelta(seconds=settle_seconds)}})
        return len(settled)

    def _take_over(self, doc: dict[str, Any], now: datetime) -> None:
        delivery = docs.delivery(doc)
        old = delivery.attempts
        docs.insert_new(self._db[ATTEMPTS], [docs.outcome_doc(_old_outcome(delivery, a, i))
                                             for i, a in enumerate(old)])
        entry = Due(delivery, len(old) + 1, len(old), delivery.next_attempt_at or now)
        if self._db[CLAIMS].find_one({"_id": entry.key}) is None:
            docs.insert_new(self._db[QUEUE], [docs.queue_doc(entry)])
        retry.mongo_write_policy()(
            self._deliveries.update_one, {"_id": delivery.id, "status": MIGRATING},
            {"$unset": {"status": "", "attempts": "", "migrate_after": ""}})


def _old_outcome(delivery: Delivery, attempt: Attempt, index: int) -> Outcome:
    """An attempt of the old format as the outcome it was: failed, and a next one was due."""
    due = Due(delivery, attempt.number, index, delivery.created_at)
    return Outcome(due, attempt, PENDING, delivery.next_attempt_at, attempt.at)

