"""A Pro write is never done twice and never reported failed while its outcome is unknown.

The sandbox applies the write and then drops the answer (or answers 503 after applying
it): the invoice or payment exists once, the portal hears `command.succeeded` with the
QBO id, the snapshot carries the command id, and no retry path creates a second one.
"""
from __future__ import annotations

import uuid

import pytest
from sync_harness import (
    KafkaReader,
    ThreadWorker,
    company_rows,
    completed_runs,
    invoice_command,
    publish,
    sync_env,
)

pytestmark = pytest.mark.integration
TOPICS = ("invoice.updated", "payment.recorded", "customer.updated", "command.failed",
          "command.succeeded", "sync.completed")


def _invoice_command(customer_id: str) -> dict:
    return invoice_command(customer_id, "Gutter repair", "80.00")


def _settled(reader: KafkaReader, command_id: str) -> bool:
    return any(e["data"]["command_id"] == command_id
               for e in reader.of("command.succeeded") + reader.of("command.failed"))


@pytest.fixture
def pro_company(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="pro", customers=4, invoices=8, payments=2, seed=21)
    reader = KafkaReader(kafka_conn, TOPICS)
    env = sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox,
                   SYNC_QBO_RETRY_ATTEMPTS="3", SYNC_COMMAND_RESOLVE_INTERVAL="200ms",
                   SYNC_COMMAND_RETRY_INITIAL="200ms")
    with ThreadWorker(env) as worker:
        reader.until(lambda evs: bool(completed_runs(evs)), timeout=90)
        yield tenant, reader, worker
    reader.close()


@pytest.mark.parametrize("fault", [{"drop": True}, {"status": 503}])
def test_an_invoice_whose_answer_was_lost_exists_once_and_is_reported_created(
        pro_company, kafka_conn, fault):
    tenant, reader, _ = pro_company
    before = {i["Id"] for i in company_rows(tenant, "Invoice")}
    customer = next(c for c in company_rows(tenant, "Customer") if c["Active"])
    command = _invoice_command(customer["Id"])
    tenant.control.inject_fault(realm_id=tenant.realm_id, kind="write", when="after",
                                count=1, **fault)

    publish(kafka_conn, "invoice.create.requested", tenant, command)
    reader.until(lambda evs: _settled(reader, command["command_id"]), timeout=60)

    created = [i for i in company_rows(tenant, "Invoice") if i["Id"] not in before]
    assert len(created) == 1
    assert not reader.of("command.failed")
    done = next(e["data"] for e in reader.of("command.succeeded")
                if e["data"]["command_id"] == command["command_id"])
    assert done["qbo_id"] == created[0]["Id"] and done["resolved_by"] == "replay"
    snapshot = next(e["data"]["invoice"] for e in reader.of("invoice.updated")
                    if e["data"]["invoice"]["id"] == created[0]["Id"])
    assert snapshot["command_id"] == command["command_id"]


def test_an_outage_longer_than_the_retries_leaves_the_command_pending_then_resolved(
        pro_company, kafka_conn, mongo_db):
    tenant, reader, _ = pro_company
    invoice = next(i for i in company_rows(tenant, "Invoice") if i["Balance"] > 0)
    command = {"command_id": str(uuid.uuid4()), "customer_id":
               invoice["CustomerRef"]["value"], "amount": str(invoice["Balance"]),
               "applied_to": [{"invoice_id": invoice["Id"], "amount": str(invoice["Balance"])}],
               "method": "card", "reference": "portal-9", "txn_date": None,
               "source": "portal", "requested_by": "client-1"}
    before = {p["Id"] for p in company_rows(tenant, "Payment")}
    # The first POST is applied but answered 503; every replay meets 503 for a while.
    tenant.control.inject_fault(realm_id=tenant.realm_id, kind="write", when="after",
                                status=503, count=1)
    tenant.control.inject_fault(realm_id=tenant.realm_id, kind="write", status=503, count=6)

    publish(kafka_conn, "payment.record.requested", tenant, command)
    reader.until(lambda evs: _settled(reader, command["command_id"]), timeout=90)

    created = [p for p in company_rows(tenant, "Payment") if p["Id"] not in before]
    assert len(created) == 1
    assert not reader.of("command.failed")
    ledger = mongo_db["commands"].find_one({"_id": command["command_id"]})
    assert ledger["status"] == "succeeded" and ledger["attempts"] >= 3
    assert ledger["tenant_id"] == tenant.tenant_id
    paid = [e["data"]["invoice"] for e in reader.of("invoice.updated")
            if e["data"]["invoice"]["id"] == invoice["Id"]]
    assert paid[-1]["status"] == "paid" and paid[-1]["paid_date"] is not None
    assert paid[-1]["applied_payments"][0]["payment_id"] == created[0]["Id"]
    balances = [e["data"]["customer"] for e in reader.of("customer.updated")
                if e["data"]["customer"]["id"] == invoice["CustomerRef"]["value"]]
    fresh = next(c for c in company_rows(tenant, "Customer")
                 if c["Id"] == invoice["CustomerRef"]["value"])
    assert balances[-1]["balance"] == f"{fresh['Balance']:.2f}"
