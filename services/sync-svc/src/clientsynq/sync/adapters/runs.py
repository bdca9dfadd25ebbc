"""The `runs` collection: one document per sync run, with its checkpoints.

A run is the unit of "one sync per realm": pending until a worker claims it, running while
that worker's heartbeat is fresh, and claimable again by anyone once the heartbeat lapses
(the worker died). Every checkpoint is a single-document update, so a resumed run sees
exactly the pages whose snapshots were acknowledged by Kafka.
"""
from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from clientsynq.common.outbox import outbox_fields, outbox_indexes, with_outbox
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

COLLECTION = "runs"
PENDING, RUNNING, COMPLETED, FAILED, SKIPPED = (
    "pending", "running", "completed", "failed", "skipped")
FINISHED = (COMPLETED, FAILED, SKIPPED)


def run_indexes() -> list[IndexModel]:
    return [IndexModel([("status", ASCENDING), ("created_at", ASCENDING)], name="claim"),
            IndexModel([("tenant_id", ASCENDING), ("created_at", DESCENDING)], name="tenant"),
            *outbox_indexes()]


class RunStore:
    def __init__(self, db: Database[Any]) -> None:
        self._col = db[COLLECTION]

    def request(self, doc: Mapping[str, Any], now: datetime) -> str:
        """Join a pending run of the tenant if there is one (Sync Now pressed five times is
        one sync), else create `doc`. Returns the id of the run that will do the work."""
        update: dict[str, Any] = {
            "$addToSet": {"entities": {"$each": list(doc["entities"])},
                          "request_ids": {"$each": list(doc["request_ids"])}},
            "$max": {"look_back_seconds": doc.get("look_back_seconds") or 0}}
        if doc["mode"] == "full":
            update["$set"] = {"mode": "full"}
        # Only a run that has not started can take more work: a started one has its plan.
        merged = self._col.find_one_and_update(
            {"tenant_id": doc["tenant_id"], "status": PENDING, "started_at": None},
            update, return_document=ReturnDocument.AFTER)
        if merged is not None:
            return str(merged["_id"])
        with suppress(DuplicateKeyError):  # the same request twice: its run exists already
            self._col.insert_one({**doc, "status": PENDING, "created_at": now,
                                  "not_before": now, "counts": {}, "streams": {}})
        return str(doc["_id"])

    def claim(self, holder: str, ttl: float, now: datetime) -> dict[str, Any] | None:
        """The oldest claimable run: pending and due, or running with a lapsed heartbeat."""
        return self._col.find_one_and_update(
            {"$or": [{"status": PENDING, "not_before": {"$lte": now}},
                     {"status": RUNNING, "heartbeat_until": {"$lt": now}}]},
            {"$set": {"status": RUNNING, "holder": holder,
                      "heartbeat_until": now + timedelta(seconds=ttl)},
             "$inc": {"attempts": 1}},
            sort=[("created_at", ASCENDING)], return_document=ReturnDocument.AFTER)

    def postpone(self, run_id: str, holder: str, until: datetime) -> None:
        """Back to pending (the realm is busy elsewhere, or we are shutting down)."""
        self._col.update_one({"_id": run_id, "holder": holder},
                             {"$set": {"status": PENDING, "holder": None,
                                       "not_before": until}})

    def heartbeat(self, run_id: str, holder: str, until: datetime) -> bool:
        result = self._col.update_one({"_id": run_id, "holder": holder, "status": RUNNING},
                                      {"$set": {"heartbeat_until": until}})
        return result.matched_count == 1

    def start(self, run_id: str, fields: Mapping[str, Any]) -> None:
        """Decisions made once per run (modes, cutoff, started_at): a resumed run keeps them."""
        self._col.update_one({"_id": run_id}, {"$set": dict(fields)})

    def set_stream(self, run_id: str, key: str, fields: Mapping[str, Any]) -> None:
        self._col.update_one({"_id": run_id},
                             {"$set": {f"streams.{key}.{k}": v for k, v in fields.items()}})

    def checkpoint_page(self, run_id: str, key: str, page: int, entity: str, rows: int
                        ) -> None:
        """Record a published page once: a retried checkpoint does not count it twice."""
        self._col.update_one(
            {"_id": run_id, f"streams.{key}.done": {"$ne": page}},
            {"$addToSet": {f"streams.{key}.done": page},
             "$inc": {f"counts.{entity}": rows, f"streams.{key}.rows": rows}})

    def checkpoint_state(self, run_id: str, key: str, state: Mapping[str, Any], entity: str,
                         rows: int) -> None:
        """For sequential streams (CDC, keyset): where to continue, and what was sent."""
        self._col.update_one(
            {"_id": run_id},
            {"$set": {f"streams.{key}.{k}": v for k, v in state.items()},
             "$inc": {f"counts.{entity}": rows, f"streams.{key}.rows": rows}})

    def add_timing(self, run_id: str, timings: Mapping[str, float]) -> None:
        self._col.update_one({"_id": run_id},
                             {"$inc": {f"timings.{k}": v for k, v in timings.items()}})

    def finish(self, run_id: str, holder: str, status: str, fields: Mapping[str, Any],
               envelopes: list[dict[str, Any]]) -> bool:
        """The end state and its event (sync.completed / sync.failed) in one write."""
        update = with_outbox({"$set": {"status": status, **fields}}, envelopes)
        result = self._col.update_one({"_id": run_id, "holder": holder}, update)
        return result.matched_count == 1

    def record_finished(self, doc: Mapping[str, Any], envelopes: list[dict[str, Any]]) -> None:
        """A run that ended before it began (not connected): one insert with its event."""
        with suppress(DuplicateKeyError):  # recorded already by a previous delivery
            self._col.insert_one({**doc, **outbox_fields(envelopes)})

    def get(self, run_id: str) -> dict[str, Any] | None:
        return self._col.find_one({"_id": run_id}, {"_outbox": 0})

    def active(self, tenant_id: str) -> list[dict[str, Any]]:
        return list(self._col.find({"tenant_id": tenant_id,
                                    "status": {"$in": [PENDING, RUNNING]}},
                                   {"_outbox": 0}).sort("created_at", ASCENDING))

    def last_finished(self, tenant_id: str) -> dict[str, Any] | None:
        return self._col.find_one({"tenant_id": tenant_id, "status": {"$in": list(FINISHED)}},
                                  {"_outbox": 0}, sort=[("created_at", DESCENDING)])
