"""The initial sync of a seeded company emits exactly the snapshots the help page promises."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from qbo_sandbox.rules.voids import is_voided as voided_in_sandbox
from sync_harness import (
    TOPICS,
    KafkaReader,
    ThreadWorker,
    company_rows,
    expected_ids,
    finished,
    snapshot_ids,
    sync_env,
)

pytestmark = pytest.mark.integration

def assert_voids_read_right(tenant, events):
    """The invoices the sandbox voided (in this company's void shape) are `voided`, and
    no other invoice is."""
    in_scope = expected_ids(tenant)[1]
    voided = {i["Id"] for i in company_rows(tenant, "Invoice")
              if voided_in_sandbox(i) and i["Id"] in in_scope}
    assert voided, "the generator voids about 3 % of invoices"
    synced = {e["data"]["invoice"]["id"] for e in events if e["type"] == "invoice.updated"
              and e["data"]["invoice"]["status"] == "voided"}
    assert synced == voided


def test_the_initial_sync_emits_exactly_the_expected_snapshots(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    # Voids in the shape that keeps lines and memo ("Spring job Voided").
    tenant = connect_tenant(plan="basic", customers=40, invoices=300, payments=150, seed=3,
                            void_shape="lines_kept")
    reader = KafkaReader(kafka_conn, TOPICS)
    env = sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox,
                   SYNC_QBO_PAGE_SIZE="50")
    with ThreadWorker(env):
        events = reader.until(finished, timeout=90)
    customers, invoices, payments = expected_ids(tenant)
    completed = reader.of("sync.completed")
    assert len(completed) == 1, reader.of("sync.failed")
    assert snapshot_ids(events, "customer.updated", "customer") == customers
    assert snapshot_ids(events, "invoice.updated", "invoice") == invoices
    assert snapshot_ids(events, "payment.recorded", "payment") == payments
    assert len(reader.of("invoice.updated")) == len(invoices)  # no duplicates
    counts = completed[0]["data"]["counts"]
    assert counts == {"Customer": len(customers), "Invoice": len(invoices),
                      "Payment": len(payments)}
    assert completed[0]["data"]["mode"] == "full"
    assert_voids_read_right(tenant, events)


def test_totals_and_balances_equal_the_sandboxs(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="basic", customers=30, invoices=120, payments=60, seed=11)
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)):
        events = reader.until(finished, timeout=90)
    by_id = {i["Id"]: i for i in company_rows(tenant, "Invoice")}
    synced = [e["data"]["invoice"] for e in events if e["type"] == "invoice.updated"]
    assert synced
    for invoice in synced:
        source = by_id[invoice["id"]]
        assert Decimal(invoice["total"]) == Decimal(str(source["TotalAmt"]))
        assert Decimal(invoice["balance"]) == Decimal(str(source["Balance"]))
        items = sum(Decimal(line["amount"]) for line in invoice["lines"]
                    if line["detail_type"] in ("sales_item", "group"))
        assert items == Decimal(invoice["subtotal"]) or invoice["status"] == "voided"
        assert (Decimal(invoice["subtotal"]) - Decimal(invoice["discount_total"])
                + Decimal(invoice["tax_total"])) == Decimal(invoice["total"]) \
            or invoice["status"] == "voided"
    assert_voids_read_right(tenant, events)  # the default, zeroed void shape
    kinds = {line["detail_type"] for invoice in synced for line in invoice["lines"]}
    assert {"sales_item", "subtotal", "discount"} <= kinds  # the generator's mix
    assert any(Decimal(invoice["tax_total"]) > 0 for invoice in synced)
    old_unpaid = [i for i in synced if i["balance"] != "0.00" and
                  i["txn_date"] < (datetime.now(UTC).date() - timedelta(days=365)).isoformat()]
    assert old_unpaid, "the seeded company should have old unpaid invoices"
    customers = {c["Id"]: c for c in company_rows(tenant, "Customer")}
    for event in events:
        if event["type"] == "customer.updated":
            customer = event["data"]["customer"]
            assert customers[customer["id"]]["Active"] is True
            source = customers[customer["id"]]
            assert Decimal(customer["balance"]) == Decimal(str(source["Balance"]))


def test_a_fresh_initial_sync_writes_each_segments_count_and_pages_but_not_its_end(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    """A segment's end is kept in memory by a fresh run (a resume does it again: see
    test_sync_resume), so the stored states of a completed initial sync hold each
    segment's count and the QBO time it was taken at, its pages, and no `finished`."""
    tenant = connect_tenant(plan="basic", customers=12, invoices=40, payments=20, seed=5)
    reader = KafkaReader(kafka_conn, TOPICS)
    env = sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox,
                   SYNC_QBO_PAGE_SIZE="10")
    with ThreadWorker(env):
        reader.until(finished, timeout=90)
    assert len(reader.of("sync.completed")) == 1, reader.of("sync.failed")
    states = [doc["state"] for doc in mongo_db["checkpoints"].find(
        {"tenant_id": tenant.tenant_id, "kind": "stream"})]
    segments = [state for state in states if "pages" in state]
    assert len(segments) >= 3  # customers, payments and the invoice segments
    assert all(state.get("server_time") for state in segments)
    assert not [state for state in states if state.get("finished")]
    pages = mongo_db["checkpoints"].count_documents({"tenant_id": tenant.tenant_id,
                                                     "kind": "page"})
    assert pages >= sum(state["pages"] for state in segments)
