"""A worker killed with SIGKILL mid-sync is resumed from its checkpoints; nothing is missing."""
from __future__ import annotations

import signal

import pytest
from sync_harness import (
    TOPICS,
    KafkaReader,
    checkpointed_pages,
    completed_runs,
    expected_ids,
    sync_env,
    wait_for,
    worker_process,
)

pytestmark = pytest.mark.integration


def test_a_killed_worker_resumes_from_its_last_checkpoint(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="basic", customers=60, invoices=400, payments=200, seed=5,
                            tie_fraction=0.3, shuffle_ties=True)
    # Slow every query so the kill lands after a few pages, never after the last one.
    tenant.control.inject_fault(delay_ms=400, count=1000, realm_id=tenant.realm_id,
                                kind="query")
    env = sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox,
                   SYNC_QBO_PAGE_SIZE="25", SYNC_QBO_CONCURRENT_REQUESTS="2")
    reader = KafkaReader(kafka_conn, TOPICS)
    first = worker_process(env)
    try:
        wait_for(lambda: checkpointed_pages(mongo_db) >= 4, timeout=60, what="4 pages")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    pages_before = checkpointed_pages(mongo_db)
    tenant.control.clear_faults()
    log_mark = len(tenant.control.request_log(realm_id=tenant.realm_id, limit=100000))
    second = worker_process(env)
    try:
        events = reader.until(lambda evs: bool(completed_runs(evs)), timeout=120)
    finally:
        second.terminate()
        assert second.wait(timeout=60) == 0, second.stderr.read().decode()[-3000:] \
            if second.stderr else ""
    customers, invoices, payments = expected_ids(tenant)
    seen = {t: {e["data"][k]["id"] for e in events if e["type"] == t}
            for t, k in (("customer.updated", "customer"), ("invoice.updated", "invoice"),
                         ("payment.recorded", "payment"))}
    assert seen["customer.updated"] == customers
    assert seen["invoice.updated"] == invoices
    assert seen["payment.recorded"] == payments
    run = completed_runs(events)[0]
    assert run["counts"] == {"Customer": len(customers), "Invoice": len(invoices),
                             "Payment": len(payments)}
    total_pages = checkpointed_pages(mongo_db)
    resumed_queries = [r for r in tenant.control.request_log(realm_id=tenant.realm_id,
                                                             limit=100000)[log_mark:]
                       if r.get("kind") == "query"]
    # The restarted worker fetched only what was not checkpointed (plus counts, terms and
    # the one-past-the-end probes), not the whole company again.
    assert pages_before >= 4
    assert len(resumed_queries) <= total_pages - pages_before + 12
