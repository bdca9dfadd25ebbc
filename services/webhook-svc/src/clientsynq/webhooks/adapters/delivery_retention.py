"""Retention of the delivery side: finished deliveries are forgotten after
`WEBHOOK_DELIVERY_RETENTION`, in bounded batches, never one still pending or retrying.

What marks a delivery finished is its final outcome (delivered, failed after the schedule,
cancelled): nothing is ever queued after it, so a delivery found through one can be removed
whole. A pending delivery has no such outcome, and a query that only matches finished
outcomes can never reach it, however many pending deliveries are old (a paused endpoint's).

Each batch deletes, per tenant and by `_id` (derived from the tenant's own outcome
documents): claims, stray queue entries, an older version's delivery document, the earlier
outcomes, and last the final outcome itself, which is what the next sweep looks for, so a
sweep interrupted half-way is completed by the next one.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from clientsynq.common import retry
from clientsynq.webhooks.adapters.delivery_docs import ATTEMPTS, CLAIMS, DELIVERIES, QUEUE
from clientsynq.webhooks.domain.deliveries import CANCELLED, FINISHED
from clientsynq.webhooks.domain.queue import queue_key
from pymongo.database import Database


def finished_before(cutoff: datetime) -> dict[str, Any]:
    """Final outcomes decided at or before `cutoff`. Outcomes written before they carried
    `at` are judged by their attempt's time; a cancellation of that era carries no time
    at all, and its endpoint is deleted (its log is unreachable): it goes at once."""
    return {"status": {"$in": list(FINISHED)}, "$or": [
        {"at": {"$lte": cutoff}},
        {"at": {"$exists": False}, "attempt.at": {"$lte": cutoff}},
        {"at": {"$exists": False}, "attempt": None, "status": CANCELLED}]}


def purge_finished(db: Database[Any], cutoff: datetime, limit: int) -> int:
    """Forget up to `limit` deliveries finished at or before `cutoff` (and documents of the
    mutable format before the queue, finished and created before it); returns how many."""
    finals = list(db[ATTEMPTS].find(finished_before(cutoff),
                                    projection=["delivery_id", "tenant_id", "number"],
                                    limit=limit))
    by_tenant: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for doc in finals:
        by_tenant[doc["tenant_id"]].append((doc["delivery_id"], doc["number"]))
    for tenant_id, found in by_tenant.items():
        _forget(db, tenant_id, found)
    return len(finals) + _purge_legacy(db, cutoff, limit - len(finals))


def _forget(db: Database[Any], tenant_id: str, found: list[tuple[str, int]]) -> None:
    delete = retry.mongo_write_policy()
    keys = [queue_key(d, n) for d, last in found for n in range(1, last + 1)]
    finals = [queue_key(d, last) for d, last in found]
    delete(db[CLAIMS].delete_many, {"_id": {"$in": keys}})  # claims carry no tenant
    delete(db[QUEUE].delete_many, {"_id": {"$in": keys}, "tenant_id": tenant_id})
    delete(db[DELIVERIES].delete_many, {"_id": {"$in": [d for d, _ in found]},
                                        "tenant_id": tenant_id})
    delete(db[ATTEMPTS].delete_many, {"_id": {"$in": sorted(set(keys) - set(finals))},
                                      "tenant_id": tenant_id})
    delete(db[ATTEMPTS].delete_many, {"_id": {"$in": finals}, "tenant_id": tenant_id})


def _purge_legacy(db: Database[Any], cutoff: datetime, limit: int) -> int:
    """Documents of the mutable format (status and attempts in one document) that finished;
    they were created before the cutoff and finished within the retry schedule."""
    if limit <= 0:
        return 0
    old = list(db[DELIVERIES].find({"status": {"$in": list(FINISHED)},
                                    "created_at": {"$lte": cutoff}},
                                   projection=["tenant_id"], limit=limit))
    by_tenant: dict[str, list[str]] = defaultdict(list)
    for doc in old:
        by_tenant[doc["tenant_id"]].append(doc["_id"])
    for tenant_id, ids in by_tenant.items():
        retry.mongo_write_policy()(db[DELIVERIES].delete_many,
                                   {"_id": {"$in": ids}, "tenant_id": tenant_id})
    return len(old)
