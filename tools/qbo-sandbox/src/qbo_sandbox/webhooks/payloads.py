"""Webhook bodies in Intuit's two formats, and the intuit-signature over the raw bytes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from .. import timefmt

CLOUD_OPS = {"Create": "created", "Update": "updated", "Delete": "deleted", "Void": "voided",
             "Merge": "merged", "Emailed": "emailed"}


@dataclass(frozen=True)
class ChangeEvent:
    """One change of one entity in one realm, as the dispatcher queues it."""

    realm_id: str
    entity: str
    entity_id: str
    operation: str
    occurred: datetime
    deleted_id: str | None = None

    @property
    def dedupe_key(self) -> tuple[str, str, str, str | None]:
        """Intuit aggregates repeated changes of an entity within a batch; two merges into
        one customer stay two events, or a merged-away id would be lost."""
        return (self.entity, self.entity_id, self.operation, self.deleted_id)


def new_event(realm_id: str, entity: str, entity_id: str, operation: str,
              deleted_id: str | None = None) -> ChangeEvent:
    """Stamp a change with the UTC time it happened."""
    return ChangeEvent(realm_id, entity, entity_id, operation, datetime.now(UTC), deleted_id)


def classic_body(realm_id: str, events: list[ChangeEvent]) -> bytes:
    """{"eventNotifications":[{"realmId":..,"dataChangeEvent":{"entities":[...]}}]}.

    A Merge entity also carries `deletedId`, the id of the customer merged away.
    """
    entities = [_classic_entity(e) for e in events]
    body = {"eventNotifications": [{"realmId": realm_id,
                                    "dataChangeEvent": {"entities": entities}}]}
    return json.dumps(body).encode()


def _classic_entity(event: ChangeEvent) -> dict[str, str]:
    entity = {"name": event.entity, "id": event.entity_id, "operation": event.operation,
              "lastUpdated": timefmt.utc_millis_text(event.occurred)}
    if event.deleted_id is not None:
        entity["deletedId"] = event.deleted_id
    return entity


def cloudevents_body(client_id: str, events: list[ChangeEvent]) -> bytes:
    """A JSON array of CloudEvents 1.0, type qbo.<entity>.<op>.v1, each with its own id.

    A merge puts the merged-away id in `data.deletedid` (Intuit's "data object" page).
    """
    source = "intuit." + base64.b64encode(hashlib.sha256(client_id.encode()).digest()).decode()
    body = [{"specversion": "1.0", "id": str(uuid.uuid4()), "source": source,
             "type": f"qbo.{e.entity.lower()}.{CLOUD_OPS[e.operation]}.v1",
             "datacontenttype": "application/json",
             "time": e.occurred.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
             "intuitentityid": e.entity_id, "intuitaccountid": e.realm_id,
             "data": {} if e.deleted_id is None else {"deletedid": e.deleted_id}}
            for e in events]
    return json.dumps(body).encode()


def signature(verifier_token: str, body: bytes) -> str:
    """base64(HMAC-SHA256(verifier token, raw body)): the intuit-signature header."""
    digest = hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def aggregate(events: list[ChangeEvent]) -> list[ChangeEvent]:
    """Keep the latest of repeated (entity, id, operation) changes, in first-seen order."""
    latest: dict[tuple[str, str, str, str | None], ChangeEvent] = {}
    for event in events:
        latest[event.dedupe_key] = event
    return list(latest.values())
