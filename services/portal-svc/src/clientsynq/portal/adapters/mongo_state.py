"""Per-business state read models in MongoDB: connection and sync runs."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from clientsynq.common.mongo import upsert_if_newer
from clientsynq.portal.adapters.codec import from_doc, to_doc
from clientsynq.portal.adapters.mongo_common import doc_id
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.domain.model import (
    CompletedSync,
    ConnectionState,
    FailedSync,
    RunningSync,
    SyncState,
)
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

CONNECTIONS, SYNC_RUNS, SYNC_STATUS = "connections", "sync_runs", "sync_status"
INDEXES = {
    SYNC_RUNS: [IndexModel([("tenant_id", ASCENDING), ("status", ASCENDING),
                            ("at", DESCENDING)], name="tenant_status_at")],
}


def time_version(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class MongoConnections:
    def __init__(self, store: MongoReadStore) -> None:
        self._store = store

    def get(self, tenant_id: str) -> ConnectionState | None:
        doc = self._store.collection(CONNECTIONS).find_one(
            {"_id": doc_id(tenant_id, "connection"), "tenant_id": tenant_id})
        return None if doc is None else from_doc(ConnectionState, doc)

    def apply(self, state: ConnectionState) -> bool:
        return upsert_if_newer(self._store.collection(CONNECTIONS), tenant_id=state.tenant_id,
                               key="connection", version=time_version(state.changed_at),
                               fields=to_doc(state))


class MongoSyncRuns:
    """One document per run, so progress, completion and failure of different runs never
    overwrite each other; a run that has ended ignores progress that arrives late."""

    def __init__(self, store: MongoReadStore) -> None:
        self._store = store

    def _runs(self) -> Any:
        return self._store.collection(SYNC_RUNS)

    def get(self, tenant_id: str) -> SyncState:
        running = self._latest(tenant_id, "running")
        completed = self._latest(tenant_id, "completed")
        failed = self._latest(tenant_id, "failed")
        status = self._store.collection(SYNC_STATUS).find_one(
            {"_id": doc_id(tenant_id, "sync"), "tenant_id": tenant_id}) or {}
        return SyncState(
            tenant_id=tenant_id,
            running=None if running is None else from_doc(RunningSync, running["run"]),
            last_completed=None if completed is None else from_doc(CompletedSync,
                                                                   completed["run"]),
            last_failure=None if failed is None else from_doc(FailedSync, failed["run"]),
            requested_at=status.get("requested_at"))

    def _latest(self, tenant_id: str, status: str) -> dict[str, Any] | None:
        doc: dict[str, Any] | None = self._runs().find_one(
            {"tenant_id": tenant_id, "status": status}, sort=[("at", DESCENDING)])
        return doc

    def record_requested(self, tenant_id: str, at: datetime) -> None:
        self._store.collection(SYNC_STATUS).update_one(
            {"_id": doc_id(tenant_id, "sync"), "tenant_id": tenant_id},
            {"$set": {"requested_at": at}}, upsert=True)

    def record_progress(self, tenant_id: str, run: RunningSync) -> bool:
        at = run.reported_at or run.started_at
        return self._write(tenant_id, run.run_id, {"status": "running", "at": at,
                                                   "run": to_doc(run)},
                           extra_filter={"status": "running", "at": {"$lt": at}})

    def record_completed(self, tenant_id: str, run: CompletedSync) -> bool:
        return self._write(tenant_id, run.run_id, {"status": "completed", "at": run.finished_at,
                                                   "run": to_doc(run)},
                           extra_filter={"status": "running"})

    def record_failed(self, tenant_id: str, run: FailedSync) -> bool:
        return self._write(tenant_id, run.run_id, {"status": "failed", "at": run.failed_at,
                                                   "run": to_doc(run)},
                           extra_filter={"status": "running"})

    def _write(self, tenant_id: str, run_id: str, fields: dict[str, Any],
               extra_filter: dict[str, Any]) -> bool:
        """Upsert matching only a run still in the state that allows the change; a run in
        any other state collides on `_id`, which means "stale: nothing to do"."""
        key = {"_id": doc_id(tenant_id, run_id), "tenant_id": tenant_id}
        try:
            self._runs().update_one({**key, **extra_filter},
                                    {"$set": {**fields, "tenant_id": tenant_id}}, upsert=True)
        except DuplicateKeyError:
            return False
        return True
