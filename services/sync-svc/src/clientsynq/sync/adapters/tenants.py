"""The `tenants` collection: per tenant its realm, connection, controls, cursors, schedule.

One document per tenant, changed only with update operators (it may carry outbox entries
for the relay, and a `replace` would erase them).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from clientsynq.common.outbox import outbox_indexes, with_outbox
from clientsynq.sync.domain.model import SCHEDULE_KINDS, SyncControls, TenantState
from pymongo import ASCENDING, IndexModel
from pymongo.database import Database

COLLECTION = "tenants"


def tenant_indexes() -> list[IndexModel]:
    return [IndexModel([("connection.status", ASCENDING)], name="by_connection"),
            *outbox_indexes()]


class TenantStore:
    def __init__(self, db: Database[Any]) -> None:
        self._col = db[COLLECTION]

    def get(self, tenant_id: str) -> TenantState | None:
        doc = self._col.find_one({"_id": tenant_id, "tenant_id": tenant_id})
        return None if doc is None else _state(doc)

    def record_connection(self, tenant_id: str, realm_id: str, status: str,
                          company_name: str | None, changed_at: datetime) -> bool:
        """Apply a connection change unless a newer one was already applied (events of
        one tenant are ordered on Kafka, but a redelivery can bring an old one back)."""
        current = self._col.find_one({"_id": tenant_id}, {"connection": 1, "realm_id": 1})
        seen = (current or {}).get("connection") or {}
        if seen.get("changed_at") is not None and seen["changed_at"] >= changed_at:
            return False
        fields: dict[str, Any] = {"tenant_id": tenant_id, "realm_id": realm_id,
                                  "connection": {"status": status, "changed_at": changed_at,
                                                 "company_name": company_name}}
        if current is not None and current.get("realm_id") not in (None, realm_id):
            fields["cursors"] = {}  # another company: its cursors mean nothing here
        self._col.update_one({"_id": tenant_id}, {"$set": fields}, upsert=True)
        return True

    def set_plan(self, tenant_id: str, plan: str) -> None:
        self._col.update_one({"_id": tenant_id, "tenant_id": tenant_id},
                             {"$set": {"plan": plan}})

    def set_controls(self, tenant_id: str, controls: SyncControls) -> None:
        self._col.update_one({"_id": tenant_id, "tenant_id": tenant_id},
                             {"$set": {"controls": controls.to_doc()}})

    def advance_cursors(self, tenant_id: str, cursors: Mapping[str, datetime]) -> None:
        """$max: a late finisher must never move a cursor back over newer progress."""
        if cursors:
            self._col.update_one({"_id": tenant_id, "tenant_id": tenant_id},
                                 {"$max": {f"cursors.{k}": v for k, v in cursors.items()}})

    def reset_cursors(self, tenant_id: str) -> None:
        self._col.update_one({"_id": tenant_id, "tenant_id": tenant_id},
                             {"$set": {"cursors": {}}})

    def schedulable(self) -> list[dict[str, Any]]:
        """Connected, unpaused tenants with their schedule (a scan once per tick)."""
        return list(self._col.find({"connection.status": "connected"},
                                   {"tenant_id": 1, "realm_id": 1, "controls": 1,
                                    "next_due": 1}))

    def claim_due(self, tenant_id: str, kind: str, seen_due: datetime | None,
                  next_due: datetime, envelopes: list[dict[str, Any]]) -> bool:
        """Move `kind`'s next due time, with the sync request in the same write: of several
        replicas ticking at once, only the one whose filter still matches requests it."""
        field = f"next_due.{kind}"
        update = with_outbox({"$set": {field: next_due}}, envelopes)
        result = self._col.update_one({"_id": tenant_id, "tenant_id": tenant_id,
                                       field: seen_due}, update)
        return result.modified_count == 1

    def set_next_due(self, tenant_id: str, due: Mapping[str, datetime]) -> None:
        self._col.update_one({"_id": tenant_id, "tenant_id": tenant_id},
                             {"$set": {f"next_due.{k}": v for k, v in due.items()
                                       if k in SCHEDULE_KINDS}})

    def raw(self, tenant_id: str) -> dict[str, Any] | None:
        return self._col.find_one({"_id": tenant_id, "tenant_id": tenant_id},
                                  {"_outbox": 0})


def _state(doc: Mapping[str, Any]) -> TenantState:
    connection = doc.get("connection") or {}
    return TenantState(
        tenant_id=doc["tenant_id"], realm_id=doc.get("realm_id"),
        connection_status=connection.get("status"),
        company_name=connection.get("company_name"), plan=doc.get("plan"),
        controls=SyncControls.from_doc(doc.get("controls")),
        cursors=dict(doc.get("cursors") or {}))
