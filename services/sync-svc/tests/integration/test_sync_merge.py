"""A customer merged into another in QuickBooks disappears from the portal's list: the next
incremental run sends it as deleted, and its invoices now belong to the survivor."""
from __future__ import annotations

import pytest
from sync_harness import (
    TOPICS,
    KafkaReader,
    ThreadWorker,
    company_rows,
    completed_runs,
    notify_change,
    request_incremental_sync,
    sync_env,
)

pytestmark = pytest.mark.integration


def test_a_merged_customer_is_sent_as_deleted_and_its_invoices_move(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="basic", customers=12, invoices=60, payments=10, seed=8)
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)):
        reader.until(lambda evs: bool(completed_runs(evs)), timeout=90)
        active = [c["Id"] for c in company_rows(tenant, "Customer") if c["Active"]]
        invoices = company_rows(tenant, "Invoice")
        source = next(c for c in active if any(i["CustomerRef"]["value"] == c for i in invoices))
        target = next(c for c in active if c != source)
        tenant.control.merge(tenant.realm_id, "Customer", source, into=target)
        request_incremental_sync(kafka_conn, tenant, ["Customer", "Invoice"])
        events = reader.until(lambda evs: len(completed_runs(evs)) >= 2, timeout=90)
    customers = [e["data"]["customer"] for e in events
                 if e["type"] == "customer.updated" and e["data"]["customer"]["id"] == source]
    assert customers[-1]["deleted"] is True and customers[-1]["active"] is False
    moved = {i["Id"] for i in invoices if i["CustomerRef"]["value"] == source}
    latest = {}
    for event in events:
        if event["type"] == "invoice.updated":
            latest[event["data"]["invoice"]["id"]] = event["data"]["invoice"]
    assert {latest[i]["customer_id"] for i in moved} == {target}


def test_a_merge_webhook_sends_the_merged_away_customer_as_deleted_at_once(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="enterprise", customers=6, invoices=12, payments=3, seed=12)
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)):
        reader.until(lambda evs: bool(completed_runs(evs)), timeout=90)
        source, target = [c["Id"] for c in company_rows(tenant, "Customer") if c["Active"]][:2]
        tenant.control.merge(tenant.realm_id, "Customer", source, into=target)
        notify_change(kafka_conn, tenant, "Customer", target, "merge", deleted_id=source)

        def gone(events):
            return any(e["type"] == "customer.updated" and e["data"]["customer"]["id"] == source
                       and e["data"]["customer"]["deleted"] for e in events)
        events = reader.until(gone, timeout=60)
    stub = next(e["data"]["customer"] for e in events if e["type"] == "customer.updated"
                and e["data"]["customer"]["id"] == source and e["data"]["customer"]["deleted"])
    assert stub["merged_into"] == target and stub["active"] is False
    assert len(completed_runs(events)) == 1  # at once: no sync run was needed
