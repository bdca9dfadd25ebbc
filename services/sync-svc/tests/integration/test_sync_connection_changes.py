"""`connection.changed` on the real MongoDB-wire server (issue 17): a first connection
starts a full initial sync without reading run results (it has none); a reconnect of a
known tenant resumes from its cursors (incremental), as before."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from clientsynq.sync.adapters.runs import RunStore
from clientsynq.sync.adapters.tenants import TenantStore
from clientsynq.sync.domain.plan import ENTITIES
from clientsynq.sync.handlers.connections import on_connection_changed

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC)


def _deps(db: Any) -> Any:
    base = SimpleNamespace(tenants=TenantStore(db), runs=RunStore(db))
    return SimpleNamespace(base=base, now=lambda: NOW, plan_of=lambda _: "pro")


def _changed(event_id: str, status: str, at: datetime) -> Any:
    return SimpleNamespace(id=event_id, tenant_id="t-1", data={
        "realm_id": "realm-1", "status": status, "company_name": "Acme", "changed_at": at})


def test_a_first_connection_requests_a_full_initial_sync(mongo_db: Any) -> None:
    on_connection_changed(_changed("e1", "connected", NOW), _deps(mongo_db))
    [run] = list(mongo_db.runs.find({"tenant_id": "t-1"}))
    assert (run["reason"], run["mode"]) == ("initial", "full")
    assert TenantStore(mongo_db).get("t-1").is_connected  # type: ignore[union-attr]


def test_a_reconnect_resumes_from_the_cursors_and_an_old_event_changes_nothing(
        mongo_db: Any) -> None:
    deps = _deps(mongo_db)
    on_connection_changed(_changed("e1", "connected", NOW - timedelta(hours=2)), deps)
    deps.base.runs.record_result({  # as a run records it (the company's summary too)
        "_id": "r-done", "tenant_id": "t-1", "realm_id": "realm-1", "status": "completed",
        "finished_at": NOW - timedelta(hours=1),
        "cursors": {e: NOW - timedelta(hours=1) for e in ENTITIES}}, [])
    on_connection_changed(_changed("e2", "disconnected", NOW - timedelta(minutes=30)), deps)
    on_connection_changed(_changed("e3", "connected", NOW - timedelta(minutes=10)), deps)
    on_connection_changed(_changed("e0", "connected", NOW - timedelta(hours=3)), deps)  # late
    modes = {r["_id"]: r["mode"] for r in mongo_db.runs.find({"tenant_id": "t-1"},
                                                            sort=[("created_at", 1)])}
    assert sorted(modes.values()) == ["full", "incremental"]
    assert TenantStore(mongo_db).get("t-1").is_connected  # type: ignore[union-attr]
