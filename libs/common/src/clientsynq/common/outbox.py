"""State and event saved together, published later: the transactional outbox without
transactions.

FerretDB 1.x has no multi-document transactions, so the pending events live *inside* the
document whose state changed: one single-document write saves both (`with_outbox`). A relay
claims documents that have pending entries, publishes them, and pulls them out. The claim is
an atomic `find_one_and_update`, so two relays never publish the same document's entries at
once; a relay that dies mid-way leaves a claim that expires, and another relay publishes the
entries again (at least once; consumers are idempotent).

Writers must change outbox-carrying documents with update operators, never `replace_one`,
or they would erase pending entries.
"""
from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.database import Database

from clientsynq.common.kafka import EventProducer, PublishFailed
from clientsynq.common.metrics import counter

log = logging.getLogger(__name__)

ENTRIES = "_outbox"
PENDING = "_outbox_pending"
CLAIM = "_outbox_claim"
CLAIM_UNTIL = "_outbox_claim_until"

RELAYED = counter("clientsynq_outbox_relayed_total", "Outbox entries published", ["collection"])
RELAY_ERRORS = counter("clientsynq_outbox_relay_errors_total",
                       "Outbox publish attempts that failed (entries kept)", ["collection"])


def outbox_fields(envelopes: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Fields for a document inserted together with its events."""
    return {ENTRIES: [_entry(e) for e in envelopes], PENDING: True}


def with_outbox(update: Mapping[str, Any], envelopes: Iterable[Mapping[str, Any]]
                ) -> dict[str, Any]:
    """`update` (operators) plus the events, to be written by one `update_one`."""
    merged = {op: dict(values) for op, values in update.items()}
    merged.setdefault("$push", {})[ENTRIES] = {"$each": [_entry(e) for e in envelopes]}
    merged.setdefault("$set", {})[PENDING] = True
    return merged


def outbox_indexes() -> list[IndexModel]:
    return [IndexModel([(PENDING, ASCENDING)], name="outbox_pending")]


def _entry(envelope: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": envelope["id"], "envelope": dict(envelope)}


class OutboxRelay:
    """Publishes pending entries of the given collections; run as many as you like."""

    def __init__(self, db: Database[Any], collections: Sequence[str], producer: EventProducer,
                 *, claim_seconds: float = 30, relay_id: str | None = None) -> None:
        self._db = db
        self._collections = list(collections)
        self._producer = producer
        self._claim = timedelta(seconds=claim_seconds)
        self.relay_id = relay_id or uuid.uuid4().hex

    def relay_once(self, max_documents: int = 200) -> int:
        """Publish what is pending now; returns how many entries were published."""
        published = 0
        for name in self._collections:
            for _ in range(max_documents):
                doc = self._claim_one(name)
                if doc is None:
                    break
                published += self._publish(name, doc)
        return published

    def run(self, stop: threading.Event, idle_seconds: float = 0.2) -> None:
        """Loop edge: a failure is logged and retried on the next round, never swallowed."""
        while not stop.is_set():
            try:
                published = self.relay_once()
            except Exception:  # noqa: BLE001 - loop edge: log, count, try again next round
                log.exception("outbox.relay_round_failed")
                RELAY_ERRORS.labels(collection="*").inc()
                published = 0
            if not published:
                stop.wait(idle_seconds)

    def _claim_one(self, name: str) -> dict[str, Any] | None:
        now = datetime.now(timezone.utc)
        return self._db[name].find_one_and_update(
            {PENDING: True, "$or": [{CLAIM_UNTIL: None}, {CLAIM_UNTIL: {"$lt": now}}]},
            {"$set": {CLAIM: self.relay_id, CLAIM_UNTIL: now + self._claim}},
            projection={ENTRIES: 1, "tenant_id": 1}, return_document=ReturnDocument.AFTER)

    def _publish(self, name: str, doc: dict[str, Any]) -> int:
        entries = doc.get(ENTRIES) or []
        collection = self._db[name]
        try:
            self._producer.publish_many([e["envelope"] for e in entries])
        except PublishFailed:
            RELAY_ERRORS.labels(collection=name).inc()
            log.warning("outbox.publish_failed", extra={"collection": name, "doc": doc["_id"]})
            collection.update_one({"_id": doc["_id"], CLAIM: self.relay_id},
                                  {"$set": {CLAIM: None, CLAIM_UNTIL: None}})
            return 0
        ids = [e["id"] for e in entries]
        collection.update_one({"_id": doc["_id"], CLAIM: self.relay_id},
                              {"$pull": {ENTRIES: {"id": {"$in": ids}}},
                               "$set": {CLAIM: None, CLAIM_UNTIL: None}})
        # Only now, and only if no writer pushed a new entry meanwhile, is it done.
        collection.update_one({"_id": doc["_id"], ENTRIES: {"$size": 0}}, {"$set": {PENDING: False}})
        RELAYED.labels(collection=name).inc(len(entries))
        return len(entries)
