"""One handler per event type: apply it to the read models, at least once, in any order.

Each handler is idempotent (a redelivered event finds its version already stored) and
version-guarded (an older snapshot never replaces a newer one); `applied` is False then, and
no freshness is observed, since nothing became fresher.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from clientsynq.common.events import (
    COMMAND_FAILED,
    COMMAND_SUCCEEDED,
    CONNECTION_CHANGED,
    CUSTOMER_UPDATED,
    INVOICE_UPDATED,
    PAYMENT_RECORDED,
    SYNC_COMPLETED,
    SYNC_FAILED,
    SYNC_PROGRESS,
    Event,
)
from clientsynq.common.metrics import counter, gauge, histogram
from clientsynq.portal.domain.model import (
    CommandStatus,
    CompletedSync,
    ConnectionState,
    FailedSync,
    RunningSync,
)
from clientsynq.portal.projections.mapping import (
    customer_from,
    invoice_from,
    payment_from,
    version_of,
)
from clientsynq.portal.readmodels.ports import ReadModels

log = logging.getLogger(__name__)

FRESHNESS = histogram(
    "clientsynq_portal_readmodel_freshness_seconds",
    "From an event's creation to its being applied to a read model", ["projection"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 90, 120, 180, 300,
             600, 1800))
OUTCOMES = counter("clientsynq_portal_projection_events_total",
                   "Events taken by the projections, by outcome (applied or skipped)",
                   ["projection", "outcome"])

LAG = gauge("clientsynq_portal_projection_lag_messages",
            "Events on Kafka a projection has not applied yet", ["projection"])

Handler = Callable[[ReadModels, Event], bool]


def on_customer(read: ReadModels, event: Event) -> bool:
    data = event.data["customer"]
    return read.customers.apply(customer_from(event.tenant_id, data),
                                version_of(data, bool(data["deleted"])))


def on_invoice(read: ReadModels, event: Event) -> bool:
    data = event.data["invoice"]
    return read.invoices.apply(invoice_from(event.tenant_id, data),
                               version_of(data, data["status"] == "deleted"))


def on_payment(read: ReadModels, event: Event) -> bool:
    data = event.data["payment"]
    return read.payments.apply(payment_from(event.tenant_id, data),
                               version_of(data, data["status"] == "deleted"))


def on_connection(read: ReadModels, event: Event) -> bool:
    d = event.data
    return read.connections.apply(ConnectionState(
        tenant_id=event.tenant_id, status=d["status"], changed_at=d["changed_at"],
        realm_id=d.get("realm_id"), company_name=d.get("company_name"), reason=d.get("reason")))


def on_sync_progress(read: ReadModels, event: Event) -> bool:
    d = event.data
    return read.sync.record_progress(event.tenant_id, RunningSync(
        run_id=d["run_id"], started_at=d["reported_at"], done=d["rows_done"],
        expected=d.get("rows_expected"), entity=d["entity"], reported_at=d["reported_at"]))


def on_sync_completed(read: ReadModels, event: Event) -> bool:
    d = event.data
    return read.sync.record_completed(event.tenant_id, CompletedSync(
        run_id=d["run_id"], mode=d["mode"], started_at=d["started_at"],
        finished_at=d["finished_at"], counts=dict(d["counts"]),
        totals=None if d.get("totals") is None else dict(d["totals"])))


def on_sync_failed(read: ReadModels, event: Event) -> bool:
    d = event.data
    return read.sync.record_failed(event.tenant_id, FailedSync(
        run_id=d["run_id"], error_class=d["error_class"], message=d["message"],
        started_at=d["started_at"], failed_at=d["failed_at"]))


def on_command_succeeded(read: ReadModels, event: Event) -> bool:
    d = event.data
    return read.commands.settle(CommandStatus(
        tenant_id=event.tenant_id, command_id=d["command_id"], command_type=d["command_type"],
        state="succeeded", requested_at=d["succeeded_at"], requested_by="unknown",
        settled_at=d["succeeded_at"], entity_id=d["qbo_id"], doc_number=d.get("doc_number")))


def on_command_failed(read: ReadModels, event: Event) -> bool:
    d = event.data
    return read.commands.settle(CommandStatus(
        tenant_id=event.tenant_id, command_id=d["command_id"], command_type=d["command_type"],
        state="failed", requested_at=d["failed_at"], requested_by="unknown",
        settled_at=d["failed_at"], reason=d["reason"], code=d.get("code")))


# topic → (projection, handler). Each topic feeds exactly one projection, so the Kafka lag
# of a topic in the portal's group is that projection's lag.
HANDLERS: Mapping[str, tuple[str, Handler]] = {
    CUSTOMER_UPDATED: ("customers", on_customer),
    INVOICE_UPDATED: ("invoices", on_invoice),
    PAYMENT_RECORDED: ("payments", on_payment),
    CONNECTION_CHANGED: ("connection", on_connection),
    SYNC_PROGRESS: ("sync", on_sync_progress),
    SYNC_COMPLETED: ("sync", on_sync_completed),
    SYNC_FAILED: ("sync", on_sync_failed),
    COMMAND_SUCCEEDED: ("commands", on_command_succeeded),
    COMMAND_FAILED: ("commands", on_command_failed),
}
TOPICS = tuple(HANDLERS)


def record_lag(per_topic: Mapping[str, int]) -> dict[str, int]:
    """Topic lags summed per projection (sync and commands read several topics)."""
    per_projection: dict[str, int] = {}
    for topic, behind in per_topic.items():
        projection = HANDLERS[topic][0]
        per_projection[projection] = per_projection.get(projection, 0) + behind
    for projection, behind in per_projection.items():
        LAG.labels(projection=projection).set(behind)
    return per_projection


def dispatcher(read: ReadModels, now: Callable[[], datetime]) -> Callable[[Event], None]:
    """The consumer's handler. The Mongo read models resolve the active generation on each
    call, so the live worker follows a rebuild's swap by itself."""
    def handle(event: Event) -> None:
        projection, handler = HANDLERS[event.type]
        applied = handler(read, event)
        OUTCOMES.labels(projection=projection, outcome="applied" if applied else "skipped").inc()
        if applied:
            FRESHNESS.labels(projection=projection).observe(
                max(0.0, (now() - event.time).total_seconds()))
        log.debug("portal.event_projected", extra={"event_type": event.type,
                                                   "tenant_id": event.tenant_id,
                                                   "applied": applied})
    return handle
