"""Pro write-back: `invoice.create.requested` and `payment.record.requested`.

Each command is carried out at most once: the ledger remembers it by id, and QBO's
`requestid` (the same id) returns the first result if a crash made us post twice. The new
QBO object comes back as an ordinary snapshot event; a refusal as `command.failed`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from clientsynq.common.events import Event, encode_event
from clientsynq.sync.domain import commands as bodies
from clientsynq.sync.domain import events, snapshots
from clientsynq.sync.domain.errors import QboRefused, SyncFailure
from clientsynq.sync.domain.model import WRITE_PLANS

if TYPE_CHECKING:
    from clientsynq.sync.adapters.qbo_client import RealmConnection
    from clientsynq.sync.bootstrap import WorkerDeps

log = logging.getLogger(__name__)
Envelope = dict[str, Any]
Writer = Callable[["RealmConnection", dict[str, Any], str, "WorkerDeps"],
                 tuple[str, list[Envelope]]]


def on_invoice_create_requested(event: Event, deps: WorkerDeps) -> None:
    _carry_out(event, deps, _create_invoice)


def on_payment_record_requested(event: Event, deps: WorkerDeps) -> None:
    _carry_out(event, deps, _record_payment)


def _carry_out(event: Event, deps: WorkerDeps, write: Writer) -> None:
    command_id = event.data["command_id"]
    if not deps.ledger.begin(command_id, event.tenant_id, event.type):
        log.info("sync.command_duplicate", extra={"command_id": command_id})
        return
    try:
        conn = deps.qbo.for_tenant(event.tenant_id)
        if conn.plan not in WRITE_PLANS:
            _refuse(event, deps, f"The {conn.plan} plan cannot write to QuickBooks; "
                    "creating invoices and recording payments needs Pro.", "plan_does_not_allow")
            return
        qbo_id, envelopes = write(conn, event.data, command_id, deps)
    except QboRefused as err:
        reason = f"{err.message}: {err.detail}" if err.detail else err.message
        _refuse(event, deps, reason, err.code)
        return
    except SyncFailure as err:
        _refuse(event, deps, f"QuickBooks could not be reached ({err}).", err.error_class)
        return
    for envelope in envelopes:
        encode_event(envelope)  # a bad snapshot must fail here, not poison the outbox
    deps.ledger.succeed(command_id, qbo_id, envelopes)
    log.info("sync.command_done", extra={"command_id": command_id, "qbo_id": qbo_id})


def _create_invoice(conn: RealmConnection, command: dict[str, Any], command_id: str,
                    deps: WorkerDeps) -> tuple[str, list[Envelope]]:
    created = conn.create("Invoice", bodies.invoice_body(command), request_id=command_id)
    today = datetime.now(UTC).date()
    snapshot = snapshots.invoice_snapshot(created, today, deps.terms.names(conn))
    return str(created["Id"]), [_envelope("Invoice", snapshot, conn, deps)]


def _record_payment(conn: RealmConnection, command: dict[str, Any], command_id: str,
                    deps: WorkerDeps) -> tuple[str, list[Envelope]]:
    """The payment, then each invoice it paid as QBO now has it (its balance changed)."""
    created = conn.create("Payment", bodies.payment_body(command), request_id=command_id)
    found = [_envelope("Payment", snapshots.payment_snapshot(created), conn, deps)]
    today, terms = datetime.now(UTC).date(), deps.terms.names(conn)
    for applied in snapshots.applied_invoices(created):
        invoice = conn.read("Invoice", applied["invoice_id"])
        found.append(_envelope("Invoice", snapshots.invoice_snapshot(invoice, today, terms),
                               conn, deps))
    return str(created["Id"]), found


def _envelope(entity: str, snapshot: dict[str, Any], conn: RealmConnection,
              deps: WorkerDeps) -> Envelope:
    return events.snapshot_envelope(entity, snapshot, tenant_id=conn.tenant_id,
                                    realm_id=conn.realm_id, source=deps.settings.source,
                                    now=datetime.now(UTC))


def _refuse(event: Event, deps: WorkerDeps, reason: str, code: str | None) -> None:
    envelope = events.command_failed(
        tenant_id=event.tenant_id, realm_id=event.realm_id, source=deps.settings.source,
        command_id=event.data["command_id"], command_type=event.type, reason=reason,
        code=code, failed_at=datetime.now(UTC))
    deps.ledger.fail(event.data["command_id"], reason, code, [envelope])
    log.info("sync.command_refused", extra={"command_id": event.data["command_id"],
                                            "code": code})
