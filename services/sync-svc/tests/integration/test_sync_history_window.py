"""The 12-month window is about payment: every unpaid invoice is in, whatever its date; an
older invoice is in if it was paid in the last 12 months, out if it was paid before."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sync_harness import (
    TOPICS,
    KafkaReader,
    ThreadWorker,
    expected_ids,
    failures,
    finished,
    snapshot_ids,
    sync_env,
)

pytestmark = pytest.mark.integration


def _months_ago(months: int) -> str:
    return (datetime.now(UTC).date() - timedelta(days=round(months * 30.5))).isoformat()


def _invoice(tenant, customer_id: str, txn_date: str, amount: float) -> str:
    created = tenant.control.change(
        tenant.realm_id, "Invoice", operation="create", TxnDate=txn_date,
        CustomerRef={"value": customer_id},
        Line=[{"DetailType": "SalesItemLineDetail", "Amount": amount,
               "Description": "Annual service", "SalesItemLineDetail": {}}])
    return str(created["Id"])


def _pay(tenant, customer_id: str, invoice_id: str, txn_date: str, amount: float) -> None:
    tenant.control.change(tenant.realm_id, "Payment", operation="create", TxnDate=txn_date,
                          CustomerRef={"value": customer_id}, TotalAmt=amount,
                          Line=[{"Amount": amount, "LinkedTxn": [
                              {"TxnId": invoice_id, "TxnType": "Invoice"}]}])


def test_the_window_is_decided_by_the_payment_date(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="basic", customers=3, invoices=0, payments=0, seed=5)
    customer = str(tenant.control.change(tenant.realm_id, "Customer", operation="create",
                                         DisplayName="Window Boundaries Ltd")["Id"])
    paid_last_month = _invoice(tenant, customer, _months_ago(14), 120.0)
    _pay(tenant, customer, paid_last_month, _months_ago(1), 120.0)
    paid_long_ago = _invoice(tenant, customer, _months_ago(13.5), 80.0)
    _pay(tenant, customer, paid_long_ago, _months_ago(13), 80.0)
    unpaid_ancient = _invoice(tenant, customer, _months_ago(36), 55.0)
    partly_paid_old = _invoice(tenant, customer, _months_ago(20), 90.0)
    _pay(tenant, customer, partly_paid_old, _months_ago(19), 40.0)

    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)):
        events = reader.until(finished, timeout=90)

    assert not failures(events)
    synced = snapshot_ids(events, "invoice.updated", "invoice")
    assert {paid_last_month, unpaid_ancient, partly_paid_old} <= synced
    assert paid_long_ago not in synced
    assert synced == expected_ids(tenant)[1]
    late = next(e["data"]["invoice"] for e in events if e["type"] == "invoice.updated"
                and e["data"]["invoice"]["id"] == paid_last_month)
    assert late["status"] == "paid" and late["paid_date"] == _months_ago(1)
