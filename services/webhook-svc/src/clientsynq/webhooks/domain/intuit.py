"""Intuit's change notifications, in both of its formats, as one list of changes.

Intuit sends the classic `{"eventNotifications": [...]}` object or (after the CloudEvents
migration) a JSON array of CloudEvents; third-party libraries tell them apart by the top
level being an array or an object, and so do we. Either way a notification only says
*that* an entity changed; sync-svc reads the entity itself.

The dedupe key must survive both formats, because Intuit repeats itself and an app may
switch format while retries are in flight: it is built from what both carry (realm, entity,
id, operation, the change time to the millisecond, the merged-away id), never from the
CloudEvent id, which the classic format does not have.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from clientsynq.webhooks.domain.errors import MalformedNotification

# Classic operation names and CloudEvents verbs, to the lower-case names our events use.
CLASSIC_OPERATIONS = {"Create": "create", "Update": "update", "Delete": "delete",
                      "Merge": "merge", "Void": "void", "Emailed": "emailed"}
CLOUD_OPERATIONS = {"created": "create", "updated": "update", "deleted": "delete",
                    "merged": "merge", "voided": "void", "void": "void", "emailed": "emailed"}
# What sync-svc can act on; every other entity is kept in the inbox and ignored.
SYNCED_ENTITIES = {"customer": "Customer", "invoice": "Invoice", "payment": "Payment"}
MAX_CHANGES = 10_000  # far above any real batch; a body claiming more is not Intuit


@dataclass(frozen=True)
class EntityChange:
    """One change of one entity of one realm."""

    realm_id: str
    entity: str  # as Intuit spells it ("Invoice", "Bill", ...)
    entity_id: str
    operation: str  # create, update, delete, merge, void, emailed (or Intuit's unknown verb)
    occurred_at: datetime
    deleted_id: str | None = None

    @property
    def synced_entity(self) -> str | None:
        """Our name for the entity if sync-svc handles it, else None (kept, not emitted)."""
        return SYNCED_ENTITIES.get(self.entity.lower())

    @property
    def is_actionable(self) -> bool:
        return self.synced_entity is not None and self.operation in CLASSIC_OPERATIONS.values()

    @property
    def dedupe_key(self) -> str:
        """Equal for the same change in either format; a digest keeps `_id`s short."""
        millis = self.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        raw = "|".join((self.realm_id, self.entity.lower(), self.entity_id, self.operation,
                        millis, self.deleted_id or ""))
        return hashlib.sha256(raw.encode()).hexdigest()[:40]


def parse_notification(payload: Any) -> list[EntityChange]:
    """Every change in a parsed notification body; MalformedNotification if it is neither
    format (the body is still kept in the inbox for a human to look at)."""
    if isinstance(payload, list):
        changes = [_cloud_change(item) for item in payload]
    elif isinstance(payload, Mapping) and isinstance(payload.get("eventNotifications"), list):
        changes = [change for note in payload["eventNotifications"]
                   for change in _classic_changes(note)]
    else:
        raise MalformedNotification("neither a CloudEvents array nor eventNotifications")
    if len(changes) > MAX_CHANGES:
        raise MalformedNotification("too many changes in one notification")
    return changes


def _classic_changes(note: Any) -> list[EntityChange]:
    if not isinstance(note, Mapping):
        raise MalformedNotification("an eventNotifications item is not an object")
    realm = _text(note, "realmId")
    event = note.get("dataChangeEvent")
    entities = event.get("entities") if isinstance(event, Mapping) else None
    if not isinstance(entities, list):
        raise MalformedNotification("dataChangeEvent.entities is missing")
    return [_classic_entity(realm, item) for item in entities]


def _classic_entity(realm: str, item: Any) -> EntityChange:
    if not isinstance(item, Mapping):
        raise MalformedNotification("an entities item is not an object")
    operation = _text(item, "operation")
    deleted = item.get("deletedId", item.get("deletedID"))  # the spelling is unconfirmed
    return EntityChange(realm_id=realm, entity=_text(item, "name"), entity_id=_text(item, "id"),
                        operation=CLASSIC_OPERATIONS.get(operation, operation.lower()),
                        occurred_at=_time(item, "lastUpdated"),
                        deleted_id=str(deleted) if deleted not in (None, "") else None)


def _cloud_change(item: Any) -> EntityChange:
    """`type` is `qbo.<entity>.<verb>.v1`; a merge names the merged-away id in data."""
    if not isinstance(item, Mapping):
        raise MalformedNotification("a CloudEvents item is not an object")
    parts = _text(item, "type").split(".")
    if len(parts) < 3 or parts[0] != "qbo":
        raise MalformedNotification("type is not qbo.<entity>.<operation>")
    data = item.get("data")
    deleted = data.get("deletedid", data.get("deletedId")) if isinstance(data, Mapping) else None
    return EntityChange(realm_id=_text(item, "intuitaccountid"), entity=parts[1],
                        entity_id=_text(item, "intuitentityid"),
                        operation=CLOUD_OPERATIONS.get(parts[2], parts[2]),
                        occurred_at=_time(item, "time"),
                        deleted_id=str(deleted) if deleted not in (None, "") else None)


def _text(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # realm ids are numbers in some samples
    if not isinstance(value, str) or not value.strip():
        raise MalformedNotification(f"{name} is missing or not text")
    return value.strip()


def _time(item: Mapping[str, Any], name: str) -> datetime:
    """RFC 3339 with any number of fraction digits (CloudEvents sends nanoseconds)."""
    value = _text(item, name)
    head, _, rest = value.partition(".")
    if rest:
        digits = "".join(ch for ch in rest if ch.isdigit())
        zone = rest[len(digits):]
        value = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedNotification(f"{name} is not an RFC 3339 time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def count_by_entity(changes: Sequence[EntityChange]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.entity] = counts.get(change.entity, 0) + 1
    return counts
