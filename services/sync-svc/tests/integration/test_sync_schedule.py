"""The schedule: due syncs are requested once however many replicas tick, and a tenant that
is not connected is never synced."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from clientsynq.common.lease import Lease
from clientsynq.sync.adapters.schedule_claims import ScheduleClaims
from clientsynq.sync.adapters.tenants import TenantStore
from clientsynq.sync.config import ScheduleSettings
from clientsynq.sync.domain.schedule import default_intervals, next_start, slot_of, slot_start
from clientsynq.sync.scheduler import Scheduler
from pymongo import MongoClient, monitoring
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


class Commands(monitoring.CommandListener):
    """Counts what a client sends the server (observed, not patched)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def during(self, action: Any) -> list[str]:
        mark = len(self.names)
        action()
        return self.names[mark:]


def scheduler(db: Any) -> Scheduler:
    return Scheduler(TenantStore(db), ScheduleClaims(db), ScheduleSettings(), "/test",
                     lambda _: "basic")


def test_a_tick_costs_what_fell_due_not_how_many_tenants(infra, mongo_db):
    commands = Commands()
    client: MongoClient[Any] = MongoClient(infra.mongo_uri, event_listeners=[commands])
    try:
        db = client[mongo_db.name]
        now = datetime.now(UTC)
        ids = [f"t-{n}" for n in range(6)]
        for tenant_id in ids:
            TenantStore(db).record_connection(tenant_id, f"r-{tenant_id}", "connected", None,
                                              now)
        replica = scheduler(db)
        assert replica.tick(now) == 24  # a first deployment: every current slot is due
        assert replica.scheduled == 24
        # nothing fell due: no read at all, only the watermark is written
        assert commands.during(lambda: replica.tick(now)) == ["update"]
        starts = {(t, kind): next_start(t, kind, every, now) for t in ids
                  for kind, every in default_intervals(ScheduleSettings()).items()}
        first = min(starts.values())
        due = [key for key, at in starts.items() if at <= first]
        busy = commands.during(lambda: replica.tick(datetime.fromtimestamp(first, UTC)))
        # per tenant due one read by _id, per slot due one claim, then the watermark
        assert sorted(busy) == (["find"] * len({t for t, _ in due}) + ["insert"] * len(due)
                                + ["update"])
    finally:
        client.close()


def test_a_replica_starting_requests_only_what_fell_due_after_the_watermark(mongo_db):
    tenants = TenantStore(mongo_db)
    now = datetime.now(UTC)
    tenants.record_connection("t-1", "realm-1", "connected", "Acme", now)
    assert scheduler(mongo_db).tick(now) == 4
    assert scheduler(mongo_db).tick(now) == 0  # a restart: no repeat
    # every replica down for two hours: the slots that fell due meanwhile are requested
    later = now + timedelta(hours=2)
    missed = {kind for kind, every in default_intervals(ScheduleSettings()).items()
              if slot_start("t-1", kind, every, slot_of("t-1", kind, every, later))
              > now.timestamp()}
    assert {"Payment", "Invoice"} <= missed
    assert scheduler(mongo_db).tick(later) == len(missed)


def test_one_replica_leads_the_schedule_and_a_standby_takes_over(mongo_db):
    TenantStore(mongo_db).record_connection("t-1", "realm-1", "connected", "Acme",
                                            datetime.now(UTC))

    def replica(holder: str) -> Scheduler:
        return Scheduler(TenantStore(mongo_db), ScheduleClaims(mongo_db), ScheduleSettings(),
                         "/test", lambda _: "basic",
                         Lease(mongo_db["leases"], "sync-scheduler", holder, ttl_seconds=60))

    leader, standby = replica("a"), replica("b")
    now = datetime.now(UTC)
    assert leader.lead_and_tick(now) == 4
    assert standby.lead_and_tick(now) is None  # one lease read, no tick
    leader._lease.release()  # type: ignore[union-attr]  (as a stopping worker does)
    assert standby.lead_and_tick(now) == 0  # leads from the watermark: nothing repeated
    assert standby.scheduled == 4


def test_a_leader_losing_its_lease_mid_tick_leaves_the_rest_to_the_next(mongo_db):
    tenants = TenantStore(mongo_db)
    now = datetime.now(UTC)
    for n in range(3):
        tenants.record_connection(f"t-{n}", f"realm-{n}", "connected", None, now)
    lease_time = [now]
    lease = Lease(mongo_db["leases"], "sync-scheduler", "a", ttl_seconds=60,
                  clock=lambda: lease_time[0])
    ticks = iter(range(0, 10_000, 30))  # every look at the clock: 30 s later (a slow tick)

    def slow_clock() -> float:
        lease_time[0] = now + timedelta(seconds=next(ticks))
        return (lease_time[0] - now).total_seconds()

    leader = Scheduler(tenants, ScheduleClaims(mongo_db), ScheduleSettings(), "/test",
                       lambda _: "basic", lease, monotonic=slow_clock)
    # renews after 30 s (kept), then finds the lease expired and stops
    assert leader.lead_and_tick(now) == 4
    assert ScheduleClaims(mongo_db).watermark() is None  # incomplete: no watermark
    assert scheduler(mongo_db).tick(now) == 8  # the next leader requests the rest


def test_a_tenant_disconnected_since_the_roster_was_read_is_not_requested(mongo_db):
    tenants = TenantStore(mongo_db)
    now = datetime.now(UTC)
    tenants.record_connection("t-1", "realm-1", "connected", "Acme", now)
    replica = scheduler(mongo_db)
    assert replica.tick(now) == 4
    tenants.record_connection("t-1", "realm-1", "disconnected", None,
                              now + timedelta(seconds=1))
    due = datetime.fromtimestamp(next_start("t-1", "Payment", 300.0, now), UTC)
    assert replica.tick(due) == 0
    assert mongo_db["schedule_claims"].count_documents({"kind": "Payment"}) == 1


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
