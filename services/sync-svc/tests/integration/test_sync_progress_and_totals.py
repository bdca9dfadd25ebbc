"""The business sees the initial sync move (`sync.progress`), and `sync.completed` tells
rows published this run apart from the totals in scope."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sync_harness import (
    KafkaReader,
    ThreadWorker,
    completed_runs,
    expected_ids,
    expected_paid_dates,
    sync_env,
)

pytestmark = pytest.mark.integration
TOPICS = ("sync.progress", "sync.completed", "sync.failed", "invoice.updated")


@pytest.mark.parametrize("processes", ["0", "1"])  # pages mapped here, or in a child
def test_progress_climbs_to_the_counts_and_totals_match_the_scope(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant, processes):
    tenant = connect_tenant(plan="basic", customers=30, invoices=90, payments=30, seed=23)
    reader = KafkaReader(kafka_conn, TOPICS)
    env = sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox,
                   SYNC_QBO_PAGE_SIZE="20", SYNC_PROGRESS_INTERVAL="0s",
                   SYNC_PUBLISH_PROCESSES=processes)
    with ThreadWorker(env):
        events = reader.until(lambda evs: bool(completed_runs(evs)), timeout=120)

    done = completed_runs(events)[0]
    customers, invoices, payments = expected_ids(tenant)
    in_scope = {"Customer": len(customers), "Invoice": len(invoices), "Payment": len(payments)}
    assert done["totals"] == in_scope
    assert done["counts"] == in_scope  # one full read: every row once, none twice
    progress = [e["data"] for e in events if e["type"] == "sync.progress"]
    assert {p["run_id"] for p in progress} == {done["run_id"]}
    for entity in ("Customer", "Invoice"):
        mine = [p for p in progress if p["entity"] == entity]
        assert len(mine) > 1  # several pages: the bar moved
        assert [p["rows_done"] for p in mine] == sorted(p["rows_done"] for p in mine)
        assert mine[-1]["rows_done"] == in_scope[entity]
        assert all(p["rows_expected"] is not None for p in mine)
    paid = {e["data"]["invoice"]["id"]: e["data"]["invoice"] for e in events
            if e["type"] == "invoice.updated"}
    expected = expected_paid_dates(tenant)
    assert expected, "the seeded company should have paid invoices"
    for invoice_id, paid_on in expected.items():
        assert paid[invoice_id]["paid_date"] == paid_on
        assert paid[invoice_id]["applied_payments"]
        total = sum(Decimal(a["amount"]) for a in paid[invoice_id]["applied_payments"])
        assert total == Decimal(paid[invoice_id]["total"])
