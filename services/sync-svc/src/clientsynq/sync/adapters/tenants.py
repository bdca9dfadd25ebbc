"""The `tenants` collection: per tenant its realm, its connection and its sync controls.

Cursors are not kept here but derived from completed runs (`RunStore.cursors`): on
FerretDB 1.x two writers of one document can lose a change, and a cursor written by a run
thread while the connection handler writes the same document is exactly that race.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from clientsynq.sync.adapters.runs import first_summary
from clientsynq.sync.domain.model import RecordedConnection, SyncControls, TenantState
from pymongo import ASCENDING, IndexModel
from pymongo.database import Database

COLLECTION = "tenants"


def tenant_indexes() -> list[IndexModel]:
    return [IndexModel([("connection.status", ASCENDING)], name="by_connection")]


class TenantStore:
    def __init__(self, db: Database[Any]) -> None:
        self._db = db
        self._col = db[COLLECTION]

    def get(self, tenant_id: str) -> TenantState | None:
        doc = self.raw(tenant_id)
        return None if doc is None else _state(doc)

    def record_connection(self, tenant_id: str, realm_id: str, status: str,
                          company_name: str | None, changed_at: datetime
                          ) -> RecordedConnection | None:
        """Apply a connection change unless a newer one was already applied (a redelivery
        can bring an old event back): the tenant as now recorded, or None. It says whether
        the tenant was known before, so a first connection (no runs yet, hence no cursors)
        costs no read of run results. A tenant met for the first time also gets its
        company's empty summary, before the tenant is recorded (so a crash between the two
        leaves it unknown, and the redelivery does both): `runs.first_summary`."""
        current = self._col.find_one({"_id": tenant_id, "tenant_id": tenant_id})
        if current is None:
            first_summary(self._db, tenant_id, realm_id)
        seen = (current or {}).get("connection") or {}
        if seen.get("changed_at") is not None and seen["changed_at"] >= changed_at:
            return None
        fields = {"tenant_id": tenant_id, "realm_id": realm_id,
                  "connection": {"status": status, "changed_at": changed_at,
                                 "company_name": company_name}}
        self._col.update_one({"_id": tenant_id, "tenant_id": tenant_id}, {"$set": fields},
                             upsert=True)
        return RecordedConnection(_state({**(current or {}), **fields}),
                                  known_before=current is not None)

    def set_controls(self, tenant_id: str, controls: SyncControls) -> None:
        self._col.update_one({"_id": tenant_id, "tenant_id": tenant_id},
                             {"$set": {"controls": controls.to_doc()}})

    def connected(self) -> list[TenantState]:
        """Everyone the scheduler should consider (a scan once per roster refresh)."""
        return [_state(doc) for doc in self._col.find({"connection.status": "connected"})]

    def raw(self, tenant_id: str) -> dict[str, Any] | None:
        """Read by `_id` alone (the one filter FerretDB 1.x answers without a collection
        scan; docs/benchmarks.md), the tenant checked on the answer."""
        doc = self._col.find_one({"_id": tenant_id})
        return doc if doc is not None and doc.get("tenant_id") == tenant_id else None


def _state(doc: Mapping[str, Any]) -> TenantState:
    connection = doc.get("connection") or {}
    return TenantState(
        tenant_id=doc["tenant_id"], realm_id=doc.get("realm_id"),
        connection_status=connection.get("status"),
        company_name=connection.get("company_name"),
        controls=SyncControls.from_doc(doc.get("controls")))
