"""The help page's story over HTTP through the gateway, every process real."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from business import portal_differences, shown, sign_up_and_connect, wait_synced
from enterprise import Receiver, messages_about, register_endpoint
from sync_harness import company_rows
from waiting import wait_until

pytestmark = pytest.mark.integration


def test_a_business_connects_and_the_initial_sync_fills_the_portal(e2e_stack):
    business = sign_up_and_connect(e2e_stack, plan="pro", seed=31)
    status = wait_synced(business)  # the full sync, perhaps an incremental one after it
    assert status["last_completed"]["counts"], status
    assert portal_differences(business) == {}
    connection = business.api("GET", "/api/v1/connection").json()
    assert connection["status"] == "connected", connection


def _half_paid_invoice(business):
    rows = business.all("/api/v1/invoices")
    return next(i for i in rows if i["status"] in ("open", "overdue")
                and Decimal(i["balance"]) == Decimal(i["total"]) > Decimal("2.00"))


def test_a_payment_in_quickbooks_reaches_the_portal_and_a_signed_enterprise_endpoint(e2e_stack):
    business = sign_up_and_connect(e2e_stack, plan="enterprise", seed=32)
    wait_synced(business)
    with Receiver() as receiver:
        register_endpoint(business, receiver)
        invoice = _half_paid_invoice(business)
        amount = (Decimal(invoice["balance"]) / 2).quantize(Decimal("0.01"))
        payment = e2e_stack.sandbox.control.change(
            business.realm_id, "Payment", operation="create",
            TxnDate=datetime.now(UTC).date().isoformat(),
            CustomerRef={"value": invoice["customer"]["id"]}, TotalAmt=float(amount),
            Line=[{"Amount": float(amount),
                   "LinkedTxn": [{"TxnId": invoice["id"], "TxnType": "Invoice"}]}])

        def shown() -> bool:  # no Sync Now: the Intuit webhook alone carries it
            held = business.api("GET", f"/api/v1/invoices/{invoice['id']}").json()
            return Decimal(held["balance"]) == Decimal(invoice["balance"]) - amount
        wait_until(shown, 120, "the payment in the portal's invoice")
        held = business.api("GET", f"/api/v1/invoices/{invoice['id']}").json()
        assert held["status"] in ("partially_paid", "overdue")
        wait_until(lambda: messages_about(receiver, "payment.recorded", str(payment["Id"])),
                   120, "payment.recorded at the Enterprise endpoint")
        [message] = {m.message_id: m for m in messages_about(
            receiver, "payment.recorded", str(payment["Id"]))}.values()
        assert message.verified and message.payload["data"]["total"] in (str(amount),
                                                                        f"{amount:.2f}")
    assert portal_differences(business) == {}


def test_a_pro_invoice_created_through_the_api_lands_in_quickbooks_once(e2e_stack):
    business = sign_up_and_connect(e2e_stack, plan="pro", seed=33, invoices=20)
    wait_synced(business)
    customer = business.all("/api/v1/customers")[0]
    key = uuid.uuid4().hex
    body = {"customer_id": customer["id"],
            "lines": [{"description": "Boiler service", "amount": "123.45"}]}
    first = business.api("POST", "/api/v1/invoices", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 202, first.text
    again = business.api("POST", "/api/v1/invoices", json=body, headers={"Idempotency-Key": key})
    assert again.json()["id"] == first.json()["id"]

    def settled() -> dict | None:
        command = business.api("GET", f"/api/v1/commands/{first.json()['id']}").json()
        return command if command["state"] != "pending" else None
    wait_until(lambda: settled() is not None, 120, "the invoice command to settle")
    command = settled()
    assert command["state"] == "succeeded", command
    made = [i for i in company_rows(business, "Invoice")
            if Decimal(str(i["TotalAmt"])) == Decimal("123.45")
            and i["CustomerRef"]["value"] == customer["id"]]
    assert [i["Id"] for i in made] == [command["entity_id"]]
    wait_until(lambda: not portal_differences(business), 120, "the new invoice in the portal")


def test_disconnecting_keeps_the_synced_data(e2e_stack):
    business = sign_up_and_connect(e2e_stack, plan="pro", seed=34, invoices=20)
    wait_synced(business)
    before = shown(business)
    gone = business.api("DELETE", f"/auth/v1/tenants/{business.tenant_id}/qbo/connection")
    assert gone.status_code == 200, gone.text
    wait_until(lambda: business.api("GET", "/api/v1/connection").json()["status"]
               == "disconnected", 60, "the portal to show the company disconnected")
    assert shown(business) == before
