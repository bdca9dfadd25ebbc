"""A second holding more than 1000 rows of one segment is synced whole, and counted once
(issue 11).

QBO answers at most 1000 rows and promises no order among rows of one second, so such a
second can never come back in one consistent answer: the sync counts it and reads it in
passes until the Ids it has seen reach the count. The company is one bulk import (1,300
customers stamped in one second), its ties shuffled on every request.
"""
from __future__ import annotations

from collections import Counter
from urllib.parse import unquote_plus

import pytest
from sync_harness import (
    TOPICS,
    KafkaReader,
    ThreadWorker,
    company_rows,
    completed_runs,
    finished,
    snapshot_ids,
    sync_env,
)

pytestmark = pytest.mark.integration


def test_a_second_of_over_1000_rows_is_read_whole_and_counted_once(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="basic", customers=1300, invoices=5, payments=2, seed=21,
                            tie_fraction=1.0, tie_batch=2000, shuffle_ties=True)
    active = [c for c in company_rows(tenant, "Customer") if c["Active"]]
    biggest = Counter(c["MetaData"]["CreateTime"] for c in active).most_common(1)[0][1]
    assert biggest > 1000, "the company must hold a second no page can hold"
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)):
        events = reader.until(finished, timeout=180)
    runs = completed_runs(events)
    assert runs, reader.of("sync.failed")
    synced = snapshot_ids(events, "customer.updated", "customer")
    missing = {c["Id"] for c in active} - synced
    assert not missing, f"{len(missing)} active customers never synced"
    assert runs[0]["counts"]["Customer"] == len(active)
    queries = [unquote_plus(r.get("query_string") or "") for r in
               tenant.control.request_log(realm_id=tenant.realm_id, kind="query", limit=100000)]
    assert any("COUNT(*)" in q and "MetaData.CreateTime = '" in q for q in queries)
