"""More than CDC's 1000 objects changed since the cursor: deletions past the cap still
arrive (queries never show deleted rows, so only CDC can tell of them)."""
from __future__ import annotations

import pytest
from sync_harness import (
    TOPICS,
    KafkaReader,
    ThreadWorker,
    company_rows,
    completed_runs,
    request_incremental_sync,
    sync_env,
)

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("cut", ["oldest_first", "live_first"])
def test_deletions_beyond_the_cdc_cap_are_synced(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant, cut):
    """Where QBO cuts a capped CDC answer is unconfirmed: oldest changes first across live
    and deleted objects, or every live object before any deletion stub."""
    # ~1000 updates in a few seconds share seconds, in a new order on every request: the
    # keyset fallback past the cap must neither skip nor lose any of them.
    tenant = connect_tenant(plan="basic", customers=20, invoices=1150, payments=5, seed=4,
                            cdc_cut_order=cut, shuffle_ties=True)
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)):
        mark = len(reader.until(lambda evs: bool(completed_runs(evs)), timeout=120))
        active = {c["Id"] for c in company_rows(tenant, "Customer") if c["Active"]}
        invoices = [i["Id"] for i in company_rows(tenant, "Invoice")
                    if i["CustomerRef"]["value"] in active]  # QBO refuses edits otherwise
        assert len(invoices) > 1010
        for invoice_id in invoices[:1005]:  # over the cap, all older than the deletions
            tenant.control.change(tenant.realm_id, "Invoice", invoice_id, "update",
                                  PrivateNote="reviewed")
        victims = invoices[-3:]
        for invoice_id in victims:
            tenant.control.change(tenant.realm_id, "Invoice", invoice_id, "delete")
        request_incremental_sync(kafka_conn, tenant, ["Invoice"])
        events = reader.until(lambda evs: len(completed_runs(evs)) >= 2, timeout=180)
    assert completed_runs(events)[1]["mode"] == "incremental"
    deleted = {e["data"]["invoice"]["id"] for e in events if e["type"] == "invoice.updated"
               and e["data"]["invoice"]["status"] == "deleted"}
    assert deleted == set(victims)
    resent = {e["data"]["invoice"]["id"] for e in events[mark:]
              if e["type"] == "invoice.updated"}
    missing = set(invoices[:1005]) - resent
    assert not missing, f"{len(missing)} updated invoices never re-synced"
    # Keyset pages re-read their predecessor's last second: each row is counted once.
    assert completed_runs(events)[1]["counts"]["Invoice"] == len(resent)
