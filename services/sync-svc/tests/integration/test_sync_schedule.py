"""The schedule: due syncs are requested once however many replicas tick, and a tenant that
is not connected is never synced."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from clientsynq.sync.adapters.schedule_claims import ScheduleClaims
from clientsynq.sync.adapters.tenants import TenantStore
from clientsynq.sync.config import ScheduleSettings
from clientsynq.sync.scheduler import Scheduler
from sync_harness import (
    TOPICS,
    KafkaReader,
    ThreadWorker,
    completed_runs,
    failures,
    publish,
    request_incremental_sync,
    sync_env,
)

pytestmark = pytest.mark.integration


def test_two_replicas_ticking_request_each_due_sync_once(mongo_db):
    tenants = TenantStore(mongo_db)
    tenants.record_connection("t-1", "realm-1", "connected", "Acme", datetime.now(UTC))
    tenants.record_connection("t-2", "realm-2", "disconnected", "Gone", datetime.now(UTC))
    replicas = [Scheduler(tenants, ScheduleClaims(mongo_db), ScheduleSettings(), "/test",
                          lambda _: "enterprise")
                for _ in range(2)]
    now = datetime.now(UTC)
    first, second = (replica.tick(now) for replica in replicas)
    assert (first, second) == (4, 0)  # Customer, Invoice, Payment, reconcile; t-2 never
    claims = list(mongo_db["schedule_claims"].find({}))
    assert {c["tenant_id"] for c in claims} == {"t-1"}
    requested = [e["envelope"]["data"] for c in claims for e in c["_outbox"]]
    assert sorted(r["reason"] for r in requested) == ["reconcile", "schedule", "schedule",
                                                      "schedule"]
    assert replicas[0].tick(now + timedelta(minutes=5)) >= 1  # the payments safety net
    assert mongo_db["schedule_claims"].count_documents({"kind": "Payment"}) == 2
    assert mongo_db["schedule_claims"].count_documents({"kind": "reconcile"}) == 1


def test_a_disconnected_tenant_is_not_synced(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="basic", customers=3, invoices=5, payments=1)
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)):
        reader.until(lambda evs: bool(completed_runs(evs)), timeout=90)
        publish(kafka_conn, "connection.changed", tenant, {
            "status": "disconnected", "realm_id": tenant.realm_id, "company_name": None,
            "changed_at": datetime.now(UTC), "reason": "user disconnected"})
        mark = len(tenant.control.request_log(realm_id=tenant.realm_id, limit=100000))
        request_incremental_sync(kafka_conn, tenant, ["Invoice"], "user-1")
        events = reader.until(lambda evs: bool(failures(evs)), timeout=60)
    assert [f["error_class"] for f in failures(events)] == ["disconnected"]
    later = tenant.control.request_log(realm_id=tenant.realm_id, limit=100000)[mark:]
    assert not [r for r in later if r.get("kind") in ("query", "cdc", "read")]
