"""Write use cases: Sync Now and the Pro commands (create an invoice, record a payment).

None of them writes to QuickBooks here: each validates against the read models, then saves
the request together with the event asking sync-svc to act (one document, outbox), and
answers at once. The outcome arrives later as `command.succeeded` / `command.failed`.
"""
from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from clientsynq.common.events import (
    INVOICE_CREATE_REQUESTED,
    PAYMENT_RECORD_REQUESTED,
    SYNC_REQUESTED,
    new_event,
)
from clientsynq.portal.domain.errors import (
    CustomerNotFound,
    InvoiceNotFound,
    NotConnected,
    PlanDoesNotAllow,
    SyncAlreadyRequested,
    WriteRefused,
)
from clientsynq.portal.domain.model import CommandStatus, ConnectionState
from clientsynq.portal.domain.views import is_receivable
from clientsynq.portal.readmodels.ports import ReadModels, SyncRequests
from clientsynq.portal.services.queries import get_sync_status

SOURCE = "/clientsynq/portal-svc"
WRITE_PLANS = ("pro", "enterprise")
SYNC_ENTITIES = ("Customer", "Invoice", "Payment")
# A second Sync Now within this time of the first, with no run ended since, is the same
# request clicked twice: refused rather than queued behind the first.
SYNC_NOW_COOLDOWN = timedelta(seconds=60)


@dataclass(frozen=True)
class CommandDeps:
    read: ReadModels
    sync_requests: SyncRequests


@dataclass(frozen=True)
class Actor:
    """Who asks: the business (user or API key) or one of its clients (`customer_id`)."""

    tenant_id: str
    plan: str
    subject: str
    customer_id: str | None = None


@dataclass(frozen=True)
class SyncRequested:
    request_id: str
    requested_at: datetime


def request_sync(deps: CommandDeps, actor: Actor) -> SyncRequested:
    """Sync Now (every plan): an incremental run of every entity, one at a time per realm."""
    connection = _connected(deps.read, actor.tenant_id)
    now = deps.read.clock()
    status = get_sync_status(deps.read, actor.tenant_id)
    if status.is_running:
        raise SyncAlreadyRequested("A sync is running now; its result will show here.")
    latest = deps.sync_requests.latest(actor.tenant_id)
    ended = [run.finished_at for run in (status.state.last_completed,) if run] + \
        [run.failed_at for run in (status.state.last_failure,) if run]
    if latest is not None and now - latest < SYNC_NOW_COOLDOWN and \
            not any(end >= latest for end in ended):
        raise SyncAlreadyRequested("A sync was requested a moment ago and has not run yet.")
    request_id = str(uuid.uuid4())
    envelope = new_event(SYNC_REQUESTED, tenant_id=actor.tenant_id, source=SOURCE,
                         realm_id=connection.realm_id, subject=request_id, time=now, data={
                             "request_id": request_id, "entities": list(SYNC_ENTITIES),
                             "reason": "manual", "mode": "incremental",
                             "requested_by": actor.subject})
    deps.sync_requests.add(actor.tenant_id, request_id, now, envelope)
    deps.read.sync.record_requested(actor.tenant_id, now)
    return SyncRequested(request_id, now)


def request_invoice(deps: CommandDeps, actor: Actor, body: Mapping[str, Any]) -> CommandStatus:
    """Pro: `body` as `NewInvoiceSchema` loaded it (customer_id, dates, email, lines)."""
    check_may_write(actor, "create invoices")
    if actor.customer_id is not None:
        raise PlanDoesNotAllow("Clients cannot create invoices.")
    connection = _connected(deps.read, actor.tenant_id)
    _live_customer(deps.read, actor.tenant_id, body["customer_id"])
    data = {**body, "requested_by": actor.subject}
    return _submit(deps, actor, connection, INVOICE_CREATE_REQUESTED, data)


def request_payment(deps: CommandDeps, actor: Actor, body: Mapping[str, Any]) -> CommandStatus:
    """Pro: record a payment against invoices of one customer, none above its balance."""
    check_may_write(actor, "record payments")
    connection = _connected(deps.read, actor.tenant_id)
    customer_id = body["customer_id"]
    if actor.customer_id not in (None, customer_id):
        raise CustomerNotFound(f"No customer {customer_id}.")
    _live_customer(deps.read, actor.tenant_id, customer_id)
    _check_applications(deps.read, actor.tenant_id, customer_id, body["applied_to"])
    source = "business" if actor.customer_id is None else "portal"
    data = {**body, "source": source, "requested_by": actor.subject}
    return _submit(deps, actor, connection, PAYMENT_RECORD_REQUESTED, data)


def _check_applications(read: ReadModels, tenant_id: str, customer_id: str,
                        applied: Sequence[Mapping[str, Any]]) -> None:
    for item in applied:
        invoice = read.invoices.get(tenant_id, item["invoice_id"])
        if invoice is None or invoice.customer_id != customer_id:
            raise InvoiceNotFound(f"No invoice {item['invoice_id']} for customer {customer_id}.")
        if not is_receivable(invoice):
            raise WriteRefused(f"Invoice {invoice.doc_number or invoice.id} has nothing to pay.")
        if Decimal(item["amount"]) > invoice.balance:
            raise WriteRefused(f"The amount for invoice {invoice.doc_number or invoice.id} is "
                               f"above its balance of {invoice.balance}.")


def _submit(deps: CommandDeps, actor: Actor, connection: ConnectionState, command_type: str,
            data: Mapping[str, Any]) -> CommandStatus:
    command_id = str(uuid.uuid4())
    now = deps.read.clock()
    envelope = new_event(command_type, tenant_id=actor.tenant_id, source=SOURCE,
                         realm_id=connection.realm_id, subject=command_id, time=now,
                         data={**data, "command_id": command_id})
    command = CommandStatus(tenant_id=actor.tenant_id, command_id=command_id,
                            command_type=command_type, state="pending", requested_at=now,
                            requested_by=actor.subject, request=dict(envelope["data"]))
    deps.read.commands.add(command, envelope)
    return command


def check_may_write(actor: Actor, what: str) -> None:
    """Basic is read-only; checked before the body, so Basic gets 403 whatever it sends."""
    if actor.plan not in WRITE_PLANS:
        raise PlanDoesNotAllow(
            f"The {actor.plan.capitalize()} plan is read-only: upgrade to Pro to {what} "
            "in QuickBooks from ClientSynq.", plan=actor.plan, required_plans=list(WRITE_PLANS))


def _connected(read: ReadModels, tenant_id: str) -> ConnectionState:
    state = read.connections.get(tenant_id)
    if state is None or state.status != "connected":
        status = "not connected" if state is None else state.status.replace("_", " ")
        raise NotConnected(f"QuickBooks is {status}: connect it in Settings → QuickBooks.")
    return state


def _live_customer(read: ReadModels, tenant_id: str, customer_id: str) -> None:
    customer = read.customers.get(tenant_id, customer_id)
    if customer is None:
        raise CustomerNotFound(f"No customer {customer_id}.")
    if not customer.active:
        raise WriteRefused(f"Customer {customer.display_name or customer_id} is inactive.")
