"""One page of QBO rows → snapshots on Kafka. Runs in the worker, or in a child process.

Parsing, mapping and validating a 1000-invoice page costs far more CPU than fetching it,
and Python runs one thread at a time; so with `SYNC_PUBLISH_PROCESSES` > 0 pages go to a
pool of processes, each with its own Kafka producer, and the worker's threads only fetch
and checkpoint. Everything a child needs travels in `PageContext` (picklable).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Protocol

from clientsynq.common.events import EventValidationError, encode_event
from clientsynq.common.kafka import EventProducer
from clientsynq.common.metrics import counter
from clientsynq.sync.domain import snapshots
from clientsynq.sync.domain.events import snapshot_envelope
from clientsynq.sync.domain.qbo_values import loads

log = logging.getLogger(__name__)
INVALID = counter("clientsynq_sync_snapshots_invalid_total",
                  "QBO rows that did not make a valid snapshot (skipped, logged)", ["entity"])
SKIPPED = counter("clientsynq_sync_rows_skipped_total",
                  "QBO rows with nothing to publish (e.g. a merged customer's stub)", ["entity"])
Entity = dict[str, Any]


@dataclass(frozen=True)
class PageContext:
    tenant_id: str
    realm_id: str
    entity: str
    source: str
    today: date
    terms: dict[str, str] = field(default_factory=dict)
    methods: dict[str, str] = field(default_factory=dict)
    # Payments linked from the rows, by id, when the caller read them (small batches):
    # invoices then carry applied_payments and paid_date.
    payments: dict[str, Entity] | None = None
    # Deleted payments' last known links (customer, invoices paid), by payment id.
    last_links: dict[str, Entity] | None = None
    # Full invoice pages after this run's payments: their paid dates from payment links,
    # `run_links` (this run's, from memory: engine.run_links) first, then the store for
    # the ids missing there when `ask_store` (it may know payments this run did not read).
    use_links: bool = False
    run_links: dict[str, Entity] | None = None
    ask_store: bool = True


class LinkReader(Protocol):
    """The port to the remembered payment links (adapters.payment_links)."""

    def known(self, tenant_id: str, payment_ids: Iterable[str]) -> dict[str, Entity]: ...


@dataclass(frozen=True)
class PageResult:
    """`times` are the rows' LastUpdatedTime in page order (for keyset paging)."""

    rows: int
    published: int
    times: list[str]
    parse_seconds: float = 0.0
    map_seconds: float = 0.0
    publish_seconds: float = 0.0
    # Customers whose invoices or payments were in the page: their balance may have moved.
    customers: list[str] = field(default_factory=list)
    # What each published payment pays (to remember for a later deletion).
    links: list[Entity] = field(default_factory=list)
    # The first and last row's CreateTime ("" for an empty page): where a full segment's
    # pages meet inside one second, ties.py reads that second again.
    edges: tuple[str, str] | None = None
    # The rows' Ids in page order, and those not published (nothing to publish): a stream
    # that reads some rows twice counts each once (engine.ties, streams.run_since).
    ids: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def created_edges(rows: list[Entity]) -> tuple[str, str]:
    """The CreateTime of a page's first and last row, ("", "") for an empty page."""
    if not rows:
        return "", ""
    return (str((rows[0].get("MetaData") or {}).get("CreateTime", "")),
            str((rows[-1].get("MetaData") or {}).get("CreateTime", "")))


def rows_of(body: Entity, entity: str) -> list[Entity]:
    """A query page's rows; `{"QueryResponse": {}}` means no (more) rows."""
    return list((body.get("QueryResponse") or {}).get(entity) or [])


def to_snapshot(entity: str, qbo: Entity, ctx: PageContext) -> Entity | None:
    if entity == "Customer":
        return snapshots.customer_snapshot(qbo)
    if entity == "Invoice":
        snapshot = snapshots.invoice_snapshot(qbo, ctx.today, ctx.terms)
        if ctx.payments is not None:
            snapshot = snapshots.with_payments(snapshot, qbo, ctx.payments)
        return snapshot
    return snapshots.payment_snapshot(qbo, ctx.methods, ctx.last_links)


def customer_ids(entity: str, rows: list[Entity]) -> list[str]:
    if entity == "Customer":
        return []
    return sorted({str(ref["value"]) for row in rows
                   if isinstance(ref := row.get("CustomerRef"), dict) and ref.get("value")})


def publish_raw_page(raw: bytes, ctx: PageContext, producer: EventProducer,
                     links: LinkReader | None = None) -> PageResult:
    started = time.perf_counter()
    rows = rows_of(loads(raw), ctx.entity)
    parsed = time.perf_counter()
    if ctx.use_links and ctx.entity == "Invoice":
        ctx = replace(ctx, payments=_linked_payments(rows, ctx, links))
    result = publish_rows(rows, ctx, producer)
    return replace(result, parse_seconds=parsed - started)


def _linked_payments(rows: list[Entity], ctx: PageContext, links: LinkReader | None
                     ) -> dict[str, Entity]:
    """The payments these invoices list: this run's links, then (at most one lookup per
    page, for the rest) the remembered ones."""
    ids = {pid for row in rows for pid in snapshots.linked_payment_ids(row)}
    known = {pid: link for pid, link in (ctx.run_links or {}).items() if pid in ids}
    missing = ids - known.keys()
    if missing and ctx.ask_store and links is not None:
        known.update(links.known(ctx.tenant_id, missing))
    return {pid: snapshots.payment_from_link(link) for pid, link in known.items()}


def publish_rows(rows: list[Entity], ctx: PageContext, producer: EventProducer) -> PageResult:
    """At least once: returns only after Kafka acknowledged every snapshot of the page."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    envelopes, links, customers = [], [], set(customer_ids(ctx.entity, rows))
    skipped: list[str] = []
    for row in rows:
        snapshot = to_snapshot(ctx.entity, row, ctx)
        if snapshot is None:
            SKIPPED.labels(entity=ctx.entity).inc()
            skipped.append(str(row.get("Id")))
            continue
        if ctx.entity == "Payment" and (link := snapshots.payment_link(snapshot)):
            links.append(link)
        elif snapshot.get("status") == "deleted" and snapshot.get("customer_id"):
            customers.add(str(snapshot["customer_id"]))  # known from the last links
        envelopes.append(snapshot_envelope(ctx.entity, snapshot, tenant_id=ctx.tenant_id,
                                           realm_id=ctx.realm_id, source=ctx.source, now=now))
    mapped = time.perf_counter()
    published = _publish(envelopes, ctx, producer)
    times = [str((row.get("MetaData") or {}).get("LastUpdatedTime", "")) for row in rows]
    return PageResult(len(rows), published, times, 0.0, mapped - started,
                      time.perf_counter() - mapped, sorted(customers), links,
                      created_edges(rows), [str(row.get("Id")) for row in rows], skipped)


def _publish(envelopes: list[Entity], ctx: PageContext, producer: EventProducer) -> int:
    """One invalid snapshot must not hold back the other 999: on a validation error the
    page is sifted, the bad rows logged (id and reason, never the data) and counted."""
    try:
        return producer.publish_many(envelopes)
    except EventValidationError:
        valid = []
        for envelope in envelopes:
            try:
                encode_event(envelope)
            except EventValidationError as err:
                INVALID.labels(entity=ctx.entity).inc()
                log.error("sync.snapshot_invalid", extra={
                    "tenant_id": ctx.tenant_id, "entity": ctx.entity,
                    "entity_id": envelope.get("subject"), "reason": err.reason})
                continue
            valid.append(envelope)
        return producer.publish_many(valid)
