"""Fault drills on the whole stack: a process SIGKILLed mid-sync or mid-delivery and started
again; each drill ends with the portal equal to the sandbox (ids per entity, none twice,
invoice totals and balances, payment totals) and every Enterprise event delivered once per
event id. Each drill has a business and company of its own on the shared stack.

"Mid-sync" is made certain, not timed: the sandbox answers this company's API calls slowly
(its fault injection: a delay, no errors) and sync-svc reads 50 rows a page, so the kill
comes after the sandbox has served pages of the company and long before the sync could
finish; the slowness is cleared once the victim is dead.
"""
from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal

import business as story
import pytest
from business import Business, connect_company, sign_up_and_connect, wait_synced
from enterprise import Receiver, messages_about, register_endpoint
from sync_harness import company_rows
from waiting import wait_until

pytestmark = pytest.mark.integration
COMPANY = {"customers": 40, "invoices": 300, "payments": 150}
SLOW_CALLS = 1000  # every sandbox call of the company answered late until cleared


def _slow_company(stack, seed: int) -> Business:
    business = sign_up_and_connect(stack, plan="pro", seed=seed, connect=False, **COMPANY)
    stack.sandbox.control.inject_fault(delay_ms=2000, count=SLOW_CALLS, kind="api",
                                       realm_id=business.realm_id)
    connect_company(business)
    return business


def _wait_mid_sync(business: Business) -> None:
    def paging() -> bool:
        pages = business.sandbox.control.request_log(realm_id=business.realm_id, kind="query")
        return len(pages) >= 2
    wait_until(paging, 180, "the initial sync to read pages of the company")
    assert business.sync_status()["last_completed"] is None


@pytest.mark.timeout(600)
@pytest.mark.parametrize("victim", ["sync-worker", "portal-worker"])
def test_a_worker_killed_mid_initial_sync_loses_and_doubles_nothing(e2e_stack, victim):
    business = _slow_company(e2e_stack, seed=41 if victim == "sync-worker" else 42)
    _wait_mid_sync(business)
    process = e2e_stack.processes[victim]
    process.kill()
    e2e_stack.sandbox.control.clear_faults()
    process.start()
    wait_synced(business, timeout=400)  # ends with portal_differences(business) == {}


def _record_payment(business: Business, invoice: dict) -> str:
    """A $1.00 payment against `invoice`, recorded in QuickBooks by its user."""
    payment = business.sandbox.control.change(
        business.realm_id, "Payment", operation="create",
        TxnDate=datetime.now(UTC).date().isoformat(),
        CustomerRef={"value": invoice["customer"]["id"]}, TotalAmt=1.00,
        Line=[{"Amount": 1.00, "LinkedTxn": [{"TxnId": invoice["id"], "TxnType": "Invoice"}]}])
    return str(payment["Id"])


def _payable(business: Business) -> dict:
    return next(i for i in business.all("/api/v1/invoices")
                if Decimal(i["balance"]) > Decimal("2.00"))


def test_the_webhook_worker_killed_mid_delivery_delivers_each_event_once(e2e_stack):
    business = sign_up_and_connect(e2e_stack, plan="enterprise", seed=43, invoices=30)
    wait_synced(business)
    invoice = _payable(business)
    with Receiver(hang=threading.Event()) as receiver:
        register_endpoint(business, receiver, ["payment.recorded"])
        payment_id = _record_payment(business, invoice)
        wait_until(lambda: messages_about(receiver, "payment.recorded", payment_id), 120,
                   "the delivery to reach the (hanging) endpoint")
        worker = e2e_stack.processes["webhook-worker"]
        worker.kill()  # the attempt is in flight: no answer was ever read
        hung, receiver.hang = receiver.hang, None
        hung.set()
        first = len(messages_about(receiver, "payment.recorded", payment_id))
        worker.start()
        wait_until(lambda: len(messages_about(receiver, "payment.recorded", payment_id))
                   > first, 120, "the delivery retried after the restart")
        received = messages_about(receiver, "payment.recorded", payment_id)
        assert all(m.verified for m in received)
        assert len({m.message_id for m in received}) == 1  # one event id, however retried
    wait_until(lambda: not story.portal_differences(business), 120,
               "the portal to equal the sandbox")


@pytest.mark.timeout(600)
def test_quickbooks_storms_a_dropped_write_answer_and_a_receiver_down_lose_nothing(e2e_stack):
    """429 and 503 storms through the initial sync; an invoice created through the API whose
    answer QuickBooks drops after applying the write (created once, command succeeded); an
    Enterprise endpoint answering 503 for a while gets the payment event once it is back."""
    business = sign_up_and_connect(e2e_stack, plan="enterprise", seed=44, customers=10,
                                   invoices=30, payments=15, connect=False)
    control = e2e_stack.sandbox.control
    for status in (429, 503, 429, 503):
        control.inject_fault(status=status, count=2, kind="query", realm_id=business.realm_id)
    connect_company(business)
    wait_synced(business, timeout=400)  # storms spent: the portal equals the sandbox

    customer = business.all("/api/v1/customers")[0]
    control.inject_fault(count=1, kind="write", when="after", drop=True,
                         realm_id=business.realm_id)
    made = business.api("POST", "/api/v1/invoices", headers={"Idempotency-Key": "drill-1"},
                        json={"customer_id": customer["id"],
                              "lines": [{"description": "Drill", "amount": "77.70"}]})
    assert made.status_code == 202, made.text
    wait_until(lambda: business.api("GET", f"/api/v1/commands/{made.json()['id']}")
               .json()["state"] != "pending", 180, "the invoice command to settle")
    command = business.api("GET", f"/api/v1/commands/{made.json()['id']}").json()
    assert command["state"] == "succeeded", command
    created = [i for i in company_rows(business, "Invoice")
               if Decimal(str(i["TotalAmt"])) == Decimal("77.70")]
    assert [i["Id"] for i in created] == [command["entity_id"]]  # applied once

    with Receiver(status=503) as receiver:  # down: its load balancer answers 503
        register_endpoint(business, receiver, ["payment.recorded"])
        payment_id = _record_payment(business, _payable(business))
        wait_until(lambda: len(messages_about(receiver, "payment.recorded", payment_id)) >= 2,
                   180, "two refused attempts at the down endpoint")
        refused = len(messages_about(receiver, "payment.recorded", payment_id))
        receiver.status = 200  # back
        wait_until(lambda: len(messages_about(receiver, "payment.recorded", payment_id))
                   > refused, 180, "the event delivered once the endpoint is back")
        received = messages_about(receiver, "payment.recorded", payment_id)
        assert all(m.verified for m in received)
        assert len({m.message_id for m in received}) == 1
    wait_until(lambda: not story.portal_differences(business), 180,
               "the portal to equal the sandbox")
