"""`qbo.entity.changed`: Intuit says an entity changed; read it now and publish it.

Webhook payloads carry no data, so the entity is fetched. A deletion is published as a
deleted stub without a fetch (there is nothing left to read). If QBO cannot be reached,
the change is not lost: a CDC run for that entity is queued instead.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from clientsynq.common.events import Event, format_time
from clientsynq.sync.domain.errors import (
    AuthorizationExpired,
    NotConnected,
    QboNotFound,
    QboThrottled,
    QboUnavailable,
)
from clientsynq.sync.domain.events import snapshot_envelope
from clientsynq.sync.domain.model import controls_in_force
from clientsynq.sync.domain.run_requests import RunRequest
from clientsynq.sync.domain.snapshots import customer_snapshot
from clientsynq.sync.engine import payments_of, read_by_ids
from clientsynq.sync.handlers.follow_ups import context
from clientsynq.sync.handlers.ports import Company, HandlerDeps

log = logging.getLogger(__name__)
TRANSACTIONS = ("Invoice", "Payment")


def on_entity_changed(event: Event, deps: HandlerDeps) -> None:
    data, tenant_id = event.data, event.tenant_id
    entity = data["entity"]
    tenant = controls_in_force(deps.base.tenants.get(tenant_id), deps.plan_of)
    if tenant is None or not tenant.may_sync() or entity not in tenant.controls.entities:
        log.info("sync.change_ignored", extra={"tenant_id": tenant_id, "entity": entity,
                                               "reason": "not syncing this tenant/entity"})
        return
    if data["operation"] == "merge" and entity == "Customer" and data.get("deleted_id"):
        _publish_merged_away(event, deps, tenant.realm_id)
    try:
        conn = deps.qbo.for_tenant(tenant_id)
        row = _current(conn, entity, data)
        if row is None:
            return
        payments = payments_of(conn, [row]) if entity == "Invoice" else None
        ctx = context(conn, deps, entity, payments)
        if entity == "Payment":
            ctx = replace(ctx, last_links=deps.links.known(tenant_id, [str(row["Id"])]))
        result = deps.publisher.publish_rows([row], ctx)
        deps.links.remember(tenant_id, result.links)
        _refresh_customer(conn, deps, result.customers)
    except (NotConnected, AuthorizationExpired) as err:
        log.info("sync.change_ignored", extra={"tenant_id": tenant_id, "entity": entity,
                                               "reason": err.error_class})
    except (QboUnavailable, QboThrottled) as err:
        log.warning("sync.change_deferred", extra={"tenant_id": tenant_id, "entity": entity,
                                                   "reason": err.error_class})
        _queue_cdc(event, deps)


def _publish_merged_away(event: Event, deps: HandlerDeps, realm_id: str | None) -> None:
    """A Merge names both customers: the merged-away one is gone from QBO, so it is sent
    as deleted at once (no read needed, nothing to read), naming the survivor; the
    survivor itself is read next like any changed customer."""
    data = event.data
    stub = {"Id": data["deleted_id"], "status": "Deleted",
            "MetaData": {"LastUpdatedTime": format_time(data["occurred_at"])}}
    snapshot = customer_snapshot(stub, merged_into=data["entity_id"])
    assert snapshot is not None
    deps.producer.publish(snapshot_envelope(
        "Customer", snapshot, tenant_id=event.tenant_id,
        realm_id=realm_id or event.realm_id or "", source=deps.settings.source,
        now=deps.now()))


def _refresh_customer(conn: Company, deps: HandlerDeps, customers: list[str]) -> None:
    """A transaction changed: its customer's balance did too, unannounced (see balances)."""
    if customers:
        rows = read_by_ids(conn, "Customer", customers)
        deps.publisher.publish_rows(rows, context(conn, deps, "Customer"))


def _current(conn: Company, entity: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """The entity as QBO has it now, or a deleted stub; None when there is nothing to say."""
    stub = {"Id": data["entity_id"], "status": "Deleted",
            "MetaData": {"LastUpdatedTime": format_time(data["occurred_at"])}}
    if data["operation"] == "delete":
        return stub if entity in TRANSACTIONS else None
    try:
        return conn.read(entity, data["entity_id"])
    except QboNotFound:
        log.info("sync.change_gone", extra={"entity": entity, "entity_id": data["entity_id"]})
        return stub if entity in TRANSACTIONS else None


def _queue_cdc(event: Event, deps: HandlerDeps) -> None:
    deps.base.runs.request(RunRequest.webhook(
        event.id, event.tenant_id, event.realm_id, event.data["notification_id"],
        event.data["entity"]), deps.now())
