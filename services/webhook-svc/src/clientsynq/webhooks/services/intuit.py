"""Intuit notifications in: check, keep, then announce each change once.

Intuit gives up after a few seconds and retries, so the request does only what must happen
before we answer: verify the signature, store the raw bytes, record each change (with its
event, in one insert) — the outbox relay publishes to Kafka afterwards. A crash between
storing and recording leaves the notification `pending`; the worker's sweep records it
then (the dedupe key makes doing it twice harmless).
"""
from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from clientsynq.common.events import QBO_ENTITY_CHANGED, new_event
from clientsynq.common.metrics import counter
from clientsynq.webhooks.domain.errors import InvalidSignature, MalformedNotification
from clientsynq.webhooks.domain.inbox import RawNotification, RecordedChange
from clientsynq.webhooks.domain.intuit import EntityChange, parse_notification
from clientsynq.webhooks.domain.intuit_signature import VerifierTokens, check_intuit_signature
from clientsynq.webhooks.domain.ports import ChangeLog, Clock, NotificationInbox, RealmDirectory

log = logging.getLogger(__name__)
SOURCE = "/clientsynq/webhook-svc"
NOTIFICATIONS = counter("clientsynq_webhook_intuit_notifications_total",
                        "Intuit notifications by result", ["result"])
CHANGES = counter("clientsynq_webhook_intuit_changes_total",
                  "Entity changes in Intuit notifications by result", ["result"])


@dataclass(frozen=True)
class IntuitInbound:
    """What receiving a notification needs (built by bootstrap, faked by unit tests)."""

    tokens: VerifierTokens
    inbox: NotificationInbox
    changes: ChangeLog
    realms: RealmDirectory
    clock: Clock
    retention: timedelta


@dataclass(frozen=True)
class Received:
    notification_id: str
    result: str  # processed | unknown_realm | ignored
    emitted: int


def receive_notification(deps: IntuitInbound, body: bytes, signature: str | None) -> Received:
    """401 before anything is stored; 400 for a body that is not a notification."""
    try:
        check_intuit_signature(deps.tokens, body, signature, deps.clock)
        changes = parse_notification(_json(body))
    except (InvalidSignature, MalformedNotification):
        NOTIFICATIONS.labels(result="refused").inc()
        raise
    now = deps.clock()
    raw = RawNotification(id=uuid.uuid4().hex, received_at=now, expires_at=now + deps.retention,
                          body=body, signature=signature or "",
                          realm_ids=tuple(sorted({c.realm_id for c in changes})))
    deps.inbox.add(raw)
    return _process(deps, raw, changes)


def reprocess_pending(deps: IntuitInbound, older_than: timedelta, limit: int = 100) -> int:
    """The sweep: notifications stored by a process that died before recording them."""
    done = 0
    for raw in deps.inbox.pending(deps.clock() - older_than, limit):
        try:
            changes = parse_notification(_json(raw.body))
        except MalformedNotification:
            deps.inbox.set_result(raw.id, "ignored")
            continue
        _process(deps, raw, changes)
        done += 1
    return done


def _process(deps: IntuitInbound, raw: RawNotification,
             changes: Sequence[EntityChange]) -> Received:
    emitted, unknown = 0, False
    tenants = {realm: deps.realms.tenant_for(realm) for realm in raw.realm_ids}
    for change in changes:
        tenant_id = tenants.get(change.realm_id)
        result = _record(deps, raw, change, tenant_id)
        unknown |= result == "unknown_realm"
        emitted += result == "emitted"
        CHANGES.labels(result=result).inc()
    result = "unknown_realm" if unknown else "processed"
    deps.inbox.set_result(raw.id, result)
    NOTIFICATIONS.labels(result=result).inc()
    log.info("webhook.intuit_received", extra={"notification_id": raw.id, "result": result,
                                               "changes": len(changes), "emitted": emitted})
    return Received(notification_id=raw.id, result=result, emitted=emitted)


def _record(deps: IntuitInbound, raw: RawNotification, change: EntityChange,
            tenant_id: str | None) -> str:
    if tenant_id is None:
        return "unknown_realm"
    if not change.is_actionable:
        return "ignored"  # e.g. a Bill or Estimate: kept in the inbox, not our business
    now = deps.clock()
    recorded = RecordedChange(change=change, tenant_id=tenant_id, notification_id=raw.id,
                              recorded_at=now, expires_at=now + deps.retention,
                              envelope=entity_changed_event(change, tenant_id, raw.id, now))
    return "emitted" if deps.changes.record(recorded) else "duplicate"


def entity_changed_event(change: EntityChange, tenant_id: str, notification_id: str,
                         now: datetime) -> dict[str, Any]:
    """The event id derives from the dedupe key: a change announced twice (two replicas,
    a sweep) carries one id, so even a consumer keyed on event ids sees it once."""
    entity = change.synced_entity or change.entity
    return new_event(
        QBO_ENTITY_CHANGED, tenant_id=tenant_id, source=SOURCE, realm_id=change.realm_id,
        subject=f"{entity}/{change.entity_id}", time=now,
        event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"clientsynq-intuit/{change.dedupe_key}")),
        data={"entity": entity, "entity_id": change.entity_id,
              "operation": change.operation, "occurred_at": change.occurred_at,
              "notification_id": notification_id, "deleted_id": change.deleted_id})


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise MalformedNotification(f"The body is not JSON: {err}") from None
