"""A customer's balance follows its invoices and payments, although QBO recomputes it
without touching the customer's LastUpdatedTime (so CDC and Customer webhooks miss it):
a run or a webhook that changes transactions re-reads their customers."""
from __future__ import annotations

import pytest
from sync_harness import (
    KafkaReader,
    ThreadWorker,
    company_rows,
    completed_runs,
    notify_change,
    request_incremental_sync,
    sync_env,
)

pytestmark = pytest.mark.integration
TOPICS = ("customer.updated", "invoice.updated", "payment.recorded", "sync.completed",
          "sync.failed")


def _balance_in_qbo(tenant, customer_id):
    return next(c for c in company_rows(tenant, "Customer") if c["Id"] == customer_id)["Balance"]


def _published_balance(reader, customer_id, after):
    seen = [e["data"]["customer"] for e in reader.of("customer.updated")[after:]
            if e["data"]["customer"]["id"] == customer_id]
    return seen[-1]["balance"] if seen else None


def _run_transactions_only(reader, kafka_conn, tenant):
    """Sync Now of invoices and payments: no customer stream in the run at all."""
    runs = len(completed_runs(reader.events))
    request_incremental_sync(kafka_conn, tenant, ["Invoice", "Payment"])
    reader.until(lambda evs: len(completed_runs(evs)) > runs, timeout=90)
    assert set(completed_runs(reader.events)[-1]["entities"]) == {"Invoice", "Payment"}


@pytest.fixture
def synced(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="basic", customers=6, invoices=24, payments=6, seed=33)
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)):
        reader.until(lambda evs: bool(completed_runs(evs)), timeout=90)
        yield tenant, reader
    reader.close()


def test_payment_recorded_deleted_and_invoice_voided_move_the_balance_in_the_same_run(
        synced, kafka_conn):
    tenant, reader = synced
    invoice = next(i for i in company_rows(tenant, "Invoice") if i["Balance"] > 1)
    customer_id = invoice["CustomerRef"]["value"]
    amount = float(invoice["Balance"]) / 2

    mark = len(reader.of("customer.updated"))
    payment = tenant.control.change(tenant.realm_id, "Payment", operation="create",
                                    CustomerRef={"value": customer_id}, TotalAmt=amount,
                                    Line=[{"Amount": amount, "LinkedTxn": [
                                        {"TxnId": invoice["Id"], "TxnType": "Invoice"}]}])
    _run_transactions_only(reader, kafka_conn, tenant)
    expected = _balance_in_qbo(tenant, customer_id)
    assert _published_balance(reader, customer_id, mark) == f"{expected:.2f}"

    mark = len(reader.of("customer.updated"))
    tenant.control.change(tenant.realm_id, "Payment", str(payment["Id"]), "delete")
    _run_transactions_only(reader, kafka_conn, tenant)
    assert _balance_in_qbo(tenant, customer_id) != expected  # the deletion moved it back
    expected = _balance_in_qbo(tenant, customer_id)
    assert _published_balance(reader, customer_id, mark) == f"{expected:.2f}"

    mark = len(reader.of("customer.updated"))
    tenant.control.change(tenant.realm_id, "Invoice", invoice["Id"], "void")
    _run_transactions_only(reader, kafka_conn, tenant)
    expected = _balance_in_qbo(tenant, customer_id)
    assert _published_balance(reader, customer_id, mark) == f"{expected:.2f}"


def test_a_webhook_for_a_payment_also_publishes_its_customers_balance(synced, kafka_conn):
    tenant, reader = synced
    invoice = next(i for i in company_rows(tenant, "Invoice") if i["Balance"] > 0)
    customer_id = invoice["CustomerRef"]["value"]
    amount = float(invoice["Balance"])
    payment = tenant.control.change(tenant.realm_id, "Payment", operation="create",
                                    CustomerRef={"value": customer_id}, TotalAmt=amount,
                                    Line=[{"Amount": amount, "LinkedTxn": [
                                        {"TxnId": invoice["Id"], "TxnType": "Invoice"}]}])
    mark = len(reader.of("customer.updated"))

    notify_change(kafka_conn, tenant, "Payment", str(payment["Id"]), "create")

    expected = f"{_balance_in_qbo(tenant, customer_id):.2f}"
    reader.until(lambda evs: _published_balance(reader, customer_id, mark) == expected,
                 timeout=60)
