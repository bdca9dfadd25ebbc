"""What a carried-out Pro command publishes: the object it created (with the command id),
and what it changed in QBO — the invoices a payment paid, the customer's balance.

The follow-up reads are best effort: the write already happened, so a failing re-read must
never turn a success into a failure. Instead an incremental sync of invoices is queued,
and its CDC brings the changed invoices (and their customers) a moment later.
"""
from __future__ import annotations

import logging
from typing import Any

from clientsynq.common.events import INVOICE_CREATE_REQUESTED, Event
from clientsynq.sync.domain import events, snapshots
from clientsynq.sync.domain.errors import QboRefused, SyncFailure
from clientsynq.sync.domain.qbo_values import company_today
from clientsynq.sync.domain.run_requests import RunRequest
from clientsynq.sync.engine import PageContext, payments_of, read_by_ids, to_snapshot
from clientsynq.sync.handlers.ports import Company, HandlerDeps

log = logging.getLogger(__name__)
Envelope = dict[str, Any]


def created_envelopes(event: Event, conn: Company, deps: HandlerDeps,
                      created: dict[str, Any]) -> list[Envelope]:
    entity = "Invoice" if event.type == INVOICE_CREATE_REQUESTED else "Payment"
    snapshot = to_snapshot(entity, created, context(conn, deps, entity, payments={}))
    assert snapshot is not None
    found = [envelope(entity, {**snapshot, "command_id": event.data["command_id"]}, conn,
                      deps)]
    if (link := snapshots.payment_link(snapshot)) is not None and entity == "Payment":
        deps.links.remember(event.tenant_id, [link])
    try:
        found += _changed_by(entity, created, conn, deps)
    except (SyncFailure, QboRefused) as err:
        log.warning("sync.command_follow_up_deferred", extra={
            "command_id": event.data["command_id"], "reason": str(err)})
        queue_incremental(deps, event.tenant_id, conn.realm_id, ["Invoice", "Customer"],
                          f"follow-up/{event.data['command_id']}")
    return found


def _changed_by(entity: str, created: dict[str, Any], conn: Company,
                deps: HandlerDeps) -> list[Envelope]:
    found: list[Envelope] = []
    if entity == "Payment":
        invoice_ids = [item["invoice_id"] for item in snapshots.applied_invoices(created)]
        invoices = read_by_ids(conn, "Invoice", invoice_ids)
        ctx = context(conn, deps, "Invoice", payments_of(conn, invoices))
        found += [envelope("Invoice", snap, conn, deps) for row in invoices
                  if (snap := to_snapshot("Invoice", row, ctx)) is not None]
    customer = (created.get("CustomerRef") or {}).get("value")
    ctx = context(conn, deps, "Customer")
    found += [envelope("Customer", snap, conn, deps)
              for row in read_by_ids(conn, "Customer", [str(customer)] if customer else [])
              if (snap := to_snapshot("Customer", row, ctx)) is not None]
    return found


def context(conn: Company, deps: HandlerDeps, entity: str,
            payments: dict[str, Any] | None = None) -> PageContext:
    return PageContext(
        tenant_id=conn.tenant_id, realm_id=conn.realm_id, entity=entity,
        source=deps.settings.source, today=company_today(deps.now()),
        terms=deps.terms.names(conn) if entity == "Invoice" else {},
        methods=deps.terms.methods(conn) if entity == "Payment" else {}, payments=payments)


def envelope(entity: str, snapshot: dict[str, Any], conn: Company,
             deps: HandlerDeps) -> Envelope:
    return events.snapshot_envelope(entity, snapshot, tenant_id=conn.tenant_id,
                                    realm_id=conn.realm_id, source=deps.settings.source,
                                    now=deps.now())


def queue_incremental(deps: HandlerDeps, tenant_id: str, realm_id: str | None,
                      entities: list[str], key: str) -> None:
    """A run document keyed by what asked for it: asking twice queues one run."""
    deps.base.runs.request(RunRequest.follow_up(key, tenant_id, realm_id, entities),
                           deps.now())
