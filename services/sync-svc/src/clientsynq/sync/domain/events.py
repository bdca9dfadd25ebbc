"""The events sync-svc publishes, as wire-form CloudEvents envelopes.

Snapshots are built here without validation on purpose: `EventProducer.publish_many`
validates every envelope before sending, and validating twice would double the CPU cost of
a 1000-row page (marshmallow is most of it). Low-volume events use `new_event`.
"""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from clientsynq.common.events import (
    COMMAND_FAILED,
    COMMAND_SUCCEEDED,
    CUSTOMER_UPDATED,
    DATACONTENTTYPE,
    INVOICE_UPDATED,
    PAYMENT_RECORDED,
    SPECVERSION,
    SYNC_COMPLETED,
    SYNC_FAILED,
    SYNC_PROGRESS,
    SYNC_REQUESTED,
    format_time,
    new_event,
)

SNAPSHOT_TOPICS = {"Customer": CUSTOMER_UPDATED, "Invoice": INVOICE_UPDATED,
                   "Payment": PAYMENT_RECORDED}
SNAPSHOT_KEYS = {"Customer": "customer", "Invoice": "invoice", "Payment": "payment"}
Envelope = dict[str, Any]


def snapshot_envelope(entity: str, snapshot: Mapping[str, Any], *, tenant_id: str,
                      realm_id: str, source: str, now: datetime) -> Envelope:
    """`subject` is the entity id, so a consumer can route without reading `data`."""
    return {
        "specversion": SPECVERSION, "id": str(uuid.uuid4()), "source": source,
        "type": SNAPSHOT_TOPICS[entity], "time": format_time(now),
        "datacontenttype": DATACONTENTTYPE, "subject": snapshot["id"],
        "tenantid": tenant_id, "realmid": realm_id,
        "data": {SNAPSHOT_KEYS[entity]: dict(snapshot)},
    }


def sync_completed(*, tenant_id: str, realm_id: str | None, source: str,
                   data: Mapping[str, Any], event_id: str) -> Envelope:
    return new_event(SYNC_COMPLETED, tenant_id=tenant_id, realm_id=realm_id, source=source,
                     data=data, event_id=event_id)


def sync_failed(*, tenant_id: str, realm_id: str | None, source: str,
                data: Mapping[str, Any], event_id: str) -> Envelope:
    return new_event(SYNC_FAILED, tenant_id=tenant_id, realm_id=realm_id, source=source,
                     data=data, event_id=event_id)


def sync_requested(*, tenant_id: str, realm_id: str | None, source: str,
                   entities: list[str], reason: str, mode: str) -> Envelope:
    data = {"request_id": str(uuid.uuid4()), "entities": entities, "reason": reason,
            "mode": mode, "requested_by": None}
    return new_event(SYNC_REQUESTED, tenant_id=tenant_id, realm_id=realm_id, source=source,
                     data=data)


def command_failed(*, tenant_id: str, realm_id: str | None, source: str, command_id: str,
                   command_type: str, reason: str, code: str | None,
                   failed_at: datetime) -> Envelope:
    data = {"command_id": command_id, "command_type": command_type, "reason": reason[:2000],
            "code": code, "failed_at": failed_at}
    return new_event(COMMAND_FAILED, tenant_id=tenant_id, realm_id=realm_id, source=source,
                     subject=command_id, data=data)


def command_succeeded(*, tenant_id: str, realm_id: str | None, source: str, command_id: str,
                      command_type: str, entity: str, qbo_id: str, doc_number: Any,
                      resolved_by: str, at: datetime) -> Envelope:
    """The event id is derived from the command: settling it twice is one event."""
    data = {"command_id": command_id, "command_type": command_type, "entity": entity,
            "qbo_id": qbo_id, "doc_number": doc_number if isinstance(doc_number, str)
            and doc_number else None, "resolved_by": resolved_by, "succeeded_at": at}
    return new_event(COMMAND_SUCCEEDED, tenant_id=tenant_id, realm_id=realm_id, source=source,
                     subject=command_id, data=data, event_id=str(uuid.uuid5(
                         uuid.NAMESPACE_URL, f"clientsynq-sync/command/{command_id}/ok")))


def sync_progress(*, tenant_id: str, realm_id: str | None, source: str,
                  data: Mapping[str, Any]) -> Envelope:
    return new_event(SYNC_PROGRESS, tenant_id=tenant_id, realm_id=realm_id, source=source,
                     subject=str(data["run_id"]), data=data)
