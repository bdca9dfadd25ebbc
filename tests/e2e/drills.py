"""What the drill-stack drills share: a business caught mid-initial-sync, and the check that
every Enterprise event reached the business's endpoint.

"Mid-sync" is made certain, not timed (as in test_fault_drills): the sandbox answers the
company's API calls late until cleared and sync-svc reads 50 rows a page, so the fault comes
after pages of the company were served and long before the sync could finish.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from business import Business, connect_company, expected, sign_up_and_connect
from clientsynq.webhooks.services.outbound import message_id_for
from enterprise import Receiver, register_endpoint
from kafka_reader import KafkaReader
from stack import Stack
from sync_harness import company_rows
from waiting import wait_until

COMPANY = {"customers": 10, "invoices": 150, "payments": 40}  # 3 invoice pages of 50
# payment.recorded only: with the compressed schedule sync.completed comes every second per
# tenant, a stream webhook-svc (issue 13: a few deliveries a second here) never catches up on
ENTERPRISE_TYPES = ["payment.recorded"]


def enterprise_mid_sync(stack: Stack, seed: int, receiver: Receiver) -> Business:
    """An Enterprise business with an endpoint for ENTERPRISE_TYPES, its initial sync
    running (pages served) and slowed down until `clear_faults`."""
    business = sign_up_and_connect(stack, plan="enterprise", seed=seed, connect=False,
                                   **COMPANY)
    register_endpoint(business, receiver, ENTERPRISE_TYPES)
    stack.sandbox.control.inject_fault(delay_ms=1000, count=1000, kind="api",
                                       realm_id=business.realm_id)
    connect_company(business)

    def paging() -> bool:
        stack.assert_alive()
        return len(stack.sandbox.control.request_log(realm_id=business.realm_id,
                                                     kind="query")) >= 2
    wait_until(paging, 180, "the initial sync to read pages of the company")
    assert business.sync_status()["last_completed"] is None
    return business


def request_invoice(business: Business, amount: str) -> str:
    """An invoice created through /api/v1 (for a customer the portal already shows), so a
    command is in flight when the fault strikes; returns the command id."""
    customers = wait_until(lambda: business.all("/api/v1/customers"), 120,
                           "the portal to show the company's customers")
    made = business.api("POST", "/api/v1/invoices", headers={"Idempotency-Key": amount},
                        json={"customer_id": customers[0]["id"],
                              "lines": [{"description": "Drill", "amount": amount}]})
    assert made.status_code == 202, made.text
    return str(made.json()["id"])


def assert_applied_once(business: Business, command_id: str, amount: str) -> None:
    """The command succeeded and QuickBooks holds exactly one invoice of its amount."""
    def settled() -> dict[str, Any] | None:
        command = business.api("GET", f"/api/v1/commands/{command_id}").json()
        return command if command["state"] != "pending" else None
    command = wait_until(settled, 180, "the invoice command to settle")
    assert command["state"] == "succeeded", command
    created = [i["Id"] for i in company_rows(business, "Invoice")
               if Decimal(str(i["TotalAmt"])) == Decimal(amount)]
    assert created == [command["entity_id"]], created


def assert_enterprise_events_delivered(stack: Stack, business: Business,
                                       receiver: Receiver, timeout: float = 180) -> None:
    """Every event of ENTERPRISE_TYPES sync-svc published for the tenant (read back from
    Kafka once a payment.recorded for every payment in scope is there) reached the
    endpoint, signed, under one Standard Webhooks id however often it was retried."""
    payments = set(expected(business)["payments"])
    reader = KafkaReader(stack.kafka, ENTERPRISE_TYPES)

    def all_payments_read() -> list[dict[str, Any]]:
        mine = [e for e in reader.poll() if e.get("tenantid") == business.tenant_id]
        published = {e["subject"] for e in mine if e["type"] == "payment.recorded"}
        return mine if payments <= published else []
    try:
        wanted = {message_id_for(e["id"]) for e in wait_until(
            all_payments_read, timeout, "a payment.recorded per payment on Kafka")}
    finally:
        reader.close()
    missing: set[str] = set()

    def delivered() -> bool:
        missing.clear()
        missing.update(wanted - {m.message_id for m in receiver.messages() if m.verified})
        return not missing
    try:
        wait_until(delivered, timeout, "every Enterprise event to reach the endpoint")
    except AssertionError as timed_out:
        raise AssertionError(f"{timed_out}: {len(missing)} of {len(wanted)} missing") from None
    assert all(m.verified for m in receiver.messages())
