"""State and event saved together, published later: the transactional outbox without
transactions.

FerretDB 1.x has no multi-document transactions, so the pending events live *inside* the
document whose state changed: one single-document write saves both (`outbox_fields` for an
insert, `with_outbox` for an update). A relay finds documents with pending entries by index,
publishes them, then pulls them out.

Two rules come from FerretDB 1.x, which applies a filtered update as read-then-write (two
concurrent updates of one document can lose one of them):
- Relays elect one active relay per collection with a `Lease` (insert-based, so correct
  there too); the others stand by and take over when its lease expires. Entries are
  published at least once; consumers are idempotent.
- A document that carries an outbox is best written once and then left to the relay (state
  changes as new documents: append-only versions). A writer that keeps updating the same
  document races the relay's clean-up on FerretDB (not on MongoDB).
Writers always use update operators, never `replace_one`, so pending entries survive.
"""
from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from clientsynq.common.clock import utc_now
from clientsynq.common.kafka import EventProducer, PublishFailed
from clientsynq.common.lease import Lease
from clientsynq.common.metrics import counter
from pymongo import ASCENDING, IndexModel
from pymongo.database import Database

log = logging.getLogger(__name__)

ENTRIES = "_outbox"
PENDING = "_outbox_pending"
AT = "_outbox_at"

LEASES = "outbox_relay_leases"
STANDBY_RETRY_SECONDS = 2.0

RELAYED = counter("clientsynq_outbox_relayed_total", "Outbox entries published", ["collection"])
RELAY_ERRORS = counter("clientsynq_outbox_relay_errors_total",
                       "Outbox publish attempts that failed (entries kept)", ["collection"])


def outbox_fields(envelopes: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Fields for a document inserted together with its events."""
    return {ENTRIES: [_entry(e) for e in envelopes], PENDING: True, AT: _now()}


def with_outbox(update: Mapping[str, Any], envelopes: Iterable[Mapping[str, Any]]
                ) -> dict[str, Any]:
    """`update` (operators) plus the events, to be written by one `update_one`."""
    merged = {op: dict(values) for op, values in update.items()}
    merged.setdefault("$push", {})[ENTRIES] = {"$each": [_entry(e) for e in envelopes]}
    merged.setdefault("$set", {}).update({PENDING: True, AT: _now()})
    return merged


def outbox_indexes() -> list[IndexModel]:
    return [IndexModel([(PENDING, ASCENDING), (AT, ASCENDING)], name="outbox_pending")]


def _entry(envelope: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": envelope["id"], "envelope": dict(envelope)}


class OutboxRelay:
    """Publishes pending entries of the given collections; run as many as you like."""

    def __init__(self, db: Database[Any], collections: Sequence[str], producer: EventProducer,
                 *, lease_seconds: float = 15, relay_id: str | None = None,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self._db = db
        self._collections = list(collections)
        self._producer = producer
        self.relay_id = relay_id or uuid.uuid4().hex
        self._clock = clock
        self._next_try: dict[str, datetime] = {}  # a standby's next ask, per collection
        self._leases = {name: Lease(db[LEASES], f"outbox-relay:{name}", self.relay_id,
                                    ttl_seconds=lease_seconds, clock=clock)
                        for name in collections}

    def relay_once(self, max_documents: int = 500, stop: threading.Event | None = None) -> int:
        """Publish what is pending now in the collections this relay leads; returns the count.

        A set `stop` ends a publish that is still waiting for Kafka (the entries stay
        pending for the next relay), so a stopping worker is not held by it."""
        published = 0
        for name in self._collections:
            lease = self._leases[name]
            # held with a third of its time gone at most: no round trip (the relay loops
            # every 0.2 s; renewing each round was two round trips a collection)
            if lease.renew_if_due() or self._take(name, lease):
                published += self._relay_collection(name, max_documents, stop)
        return published

    def _take(self, name: str, lease: Lease) -> bool:
        """A standby asks for the lease at most every STANDBY_RETRY_SECONDS (sooner if it
        expires sooner), not every round: every replica but one is a standby, and each
        asking for each collection five times a second was most of the relay's reads."""
        now = self._clock()
        if now < self._next_try.get(name, now):
            return False
        if lease.acquire():
            return True
        until = lease.held_until or now
        self._next_try[name] = min(until, now + timedelta(seconds=STANDBY_RETRY_SECONDS))
        return False

    def run(self, stop: threading.Event, idle_seconds: float = 0.2) -> None:
        """Loop edge: a failure is logged and retried on the next round, never swallowed."""
        try:
            while not stop.is_set():
                try:
                    published = self.relay_once(stop=stop)
                except Exception:
                    log.exception("outbox.relay_round_failed")
                    RELAY_ERRORS.labels(collection="*").inc()
                    published = 0
                if not published:
                    stop.wait(idle_seconds)
        finally:
            for lease in self._leases.values():
                lease.release()

    def _relay_collection(self, name: str, max_documents: int,
                          stop: threading.Event | None = None) -> int:
        collection = self._db[name]
        docs = list(collection.find({PENDING: True}, sort=[(AT, ASCENDING)], limit=max_documents))
        entries = [e for doc in docs for e in doc.get(ENTRIES) or []]
        if not entries:
            return 0
        try:
            self._producer.publish_many([e["envelope"] for e in entries], until=stop)
        except PublishFailed:
            RELAY_ERRORS.labels(collection=name).inc()
            log.warning("outbox.publish_failed", extra={"collection": name, "count": len(entries)})
            return 0
        lease = self._leases[name]
        for doc in docs:
            # a slow round (a loaded database) must not outlive the lease: a standby relay
            # would take over and publish the documents not yet marked a second time
            if not lease.renew_if_due():
                log.warning("outbox.lease_lost_mid_round", extra={"collection": name})
                break
            self._mark_published(collection, doc)
        RELAYED.labels(collection=name).inc(len(entries))
        return len(entries)

    @staticmethod
    def _mark_published(collection: Any, doc: dict[str, Any]) -> None:
        """One write when no writer added an entry since the read (the common case): the
        filter names the exact entries read, so it matches only then. Otherwise the two
        steps that keep a newer entry pending."""
        read = doc.get(ENTRIES) or []
        done = collection.update_one({"_id": doc["_id"], ENTRIES: read},
                                     {"$set": {ENTRIES: [], PENDING: False}})
        if done.matched_count:
            return
        # $pullAll of the exact entries read: FerretDB 1.x ignores $pull with a condition.
        collection.update_one({"_id": doc["_id"]}, {"$pullAll": {ENTRIES: read}})
        # Only now, and only if no writer pushed a new entry meanwhile, is it done.
        collection.update_one({"_id": doc["_id"], ENTRIES: {"$size": 0}},
                              {"$set": {PENDING: False}})


def _now() -> datetime:
    return datetime.now(UTC)
