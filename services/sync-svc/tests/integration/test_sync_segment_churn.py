"""A row that leaves its segment while the segment is being paged hides no other row.

Full syncs page by position (ORDERBY CreateTime, pages fetched concurrently). When a customer
is made inactive mid-run, every later active customer moves up one position; a page fetched
after that change starts one row later than planned, and the row that moved across the page
boundary would be skipped — and, unchanged, never picked up by CDC afterwards. The company
is a bulk import (30 % of customers share seconds, shuffled on every request), so pages
also meet inside seconds whose rows QBO orders differently each time.
"""
from __future__ import annotations

from urllib.parse import unquote_plus

import pytest
from sync_harness import (
    TOPICS,
    KafkaReader,
    ThreadWorker,
    company_rows,
    finished,
    snapshot_ids,
    sync_env,
    wait_for,
)

pytestmark = pytest.mark.integration


def customer_pages_done(mongo_db) -> int:
    return int(mongo_db["checkpoints"].count_documents({"kind": "page", "entity": "Customer"}))


def test_a_customer_deactivated_mid_sync_hides_no_other_customer(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="basic", customers=300, invoices=10, payments=5, seed=9,
                            tie_fraction=0.3, shuffle_ties=True)
    active = sorted((c for c in company_rows(tenant, "Customer") if c["Active"]),
                    key=lambda c: (c["MetaData"]["CreateTime"], int(c["Id"])))
    tenant.control.inject_fault(delay_ms=300, count=1000, realm_id=tenant.realm_id,
                                kind="query")
    reader = KafkaReader(kafka_conn, TOPICS)
    env = sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox,
                   SYNC_QBO_PAGE_SIZE="20", SYNC_QBO_CONCURRENT_REQUESTS="2")
    with ThreadWorker(env):
        wait_for(lambda: customer_pages_done(mongo_db) >= 2, timeout=60, what="2 pages")
        tenant.control.change(tenant.realm_id, "customer", active[0]["Id"], Active=False)
        tenant.control.clear_faults()
        events = reader.until(finished, timeout=120)
    assert reader.of("sync.completed"), reader.of("sync.failed")
    still_active = {c["Id"] for c in active[1:]}
    missing = still_active - snapshot_ids(events, "customer.updated", "customer")
    assert not missing, f"{len(missing)} active customers never synced: {sorted(missing)[:5]}"
    queries = [unquote_plus(r.get("query_string") or "") for r in
               tenant.control.request_log(realm_id=tenant.realm_id, kind="query", limit=100000)]
    # The bulk-import seconds split between pages (ties shuffled per request) were re-read.
    assert any("MetaData.CreateTime = '" in q for q in queries)
