"""Intuit notification bodies in both formats, for tests (shaped as the reference shows)."""
from __future__ import annotations

import json
import uuid

from clientsynq.webhooks.domain.intuit_signature import intuit_signature

REALM = "9341453000000001"
CLASSIC_OPS = {"create": "Create", "update": "Update", "delete": "Delete", "merge": "Merge",
               "void": "Void", "emailed": "Emailed"}
CLOUD_OPS = {"create": "created", "update": "updated", "delete": "deleted", "merge": "merged",
             "void": "voided", "emailed": "emailed"}


def classic(*changes: tuple[str, str, str], realm: str = REALM,
            at: str = "2026-11-01T12:00:00.123Z", deleted_id: str | None = None) -> bytes:
    entities = []
    for name, entity_id, op in changes:
        item = {"name": name, "id": entity_id, "operation": CLASSIC_OPS[op], "lastUpdated": at}
        if deleted_id and op == "merge":
            item["deletedId"] = deleted_id
        entities.append(item)
    return json.dumps({"eventNotifications": [
        {"realmId": realm, "dataChangeEvent": {"entities": entities}}]}).encode()


def cloudevents(*changes: tuple[str, str, str], realm: str = REALM,
                at: str = "2026-11-01T12:00:00.123456789Z",
                deleted_id: str | None = None) -> bytes:
    return json.dumps([
        {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "intuit.abc",
         "type": f"qbo.{name.lower()}.{CLOUD_OPS[op]}.v1", "datacontenttype": "application/json",
         "time": at, "intuitentityid": entity_id, "intuitaccountid": realm,
         "data": {"deletedid": deleted_id} if deleted_id and op == "merge" else {}}
        for name, entity_id, op in changes]).encode()


def signed(body: bytes, token: str) -> dict[str, str]:
    return {"intuit-signature": intuit_signature(token, body),
            "Content-Type": "application/json"}
