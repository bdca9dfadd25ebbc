"""Intuit's webhooks late, duplicated, reordered and lost (issues 11 and 17), on the drill
stack: its sandbox sends every batch 0.5 s late and duplicates, holds back (reorders) and
drops deliveries at a rate (drill_settings.DRILL_SANDBOX), and sync-svc's schedule is
compressed (payments CDC every second, invoices every 10 s).

A QuickBooks user makes changes in rounds, each round while the last one's webhooks are
still late or held: an invoice created, a payment applied to it, and the previous round's
payment deleted. The rounds go on (at most MAX_ROUNDS) until the sandbox's own delivery log
shows each kind of mess happened, including a change whose every notification was lost.
The drill ends with the portal's data equal to the sandbox's (ids per entity, none twice,
invoice totals and balances, payment totals): duplicates and reordering did no harm, and
what was never notified was found by the scheduled CDC syncs.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from business import Business, portal_differences, sign_up_and_connect, wait_synced
from waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.drill_stack]
MAX_ROUNDS = 12
MESS = {"late", "duplicated", "reordered", "lost", "lost_only"}


def _events(attempt: dict[str, Any]) -> list[dict[str, Any]]:
    return list(json.loads(attempt["body"]))  # CloudEvents: one per change


def _at(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()


def mess_seen(attempts: list[dict[str, Any]]) -> set[str]:
    """Which kinds of mess the sandbox's delivery log shows (attempts in sending order)."""
    seen: set[str] = set()
    sent = [a for a in attempts if a["ok"]]
    dropped = [a for a in attempts if a.get("dropped")]
    bodies = [a["body"] for a in sent]
    if len(bodies) > len(set(bodies)):
        seen.add("duplicated")
    if sent and all(a["time"] - max(_at(e["time"]) for e in _events(a)) >= 0.5 for a in sent):
        seen.add("late")
    newest, done = 0.0, set()
    for attempt in sent:
        if attempt["body"] in done:  # a duplicate is the same delivery again
            continue
        done.add(attempt["body"])
        times = [_at(e["time"]) for e in _events(attempt)]
        if times != sorted(times) or min(times) < newest:
            seen.add("reordered")
        newest = max(newest, *times)
    if dropped:
        seen.add("lost")
    def key(e: dict[str, Any]) -> tuple[str, str]:
        return e["type"], e["intuitentityid"]
    notified = {key(e) for a in sent for e in _events(a)}
    if any(key(e) not in notified for a in dropped for e in _events(a)):
        seen.add("lost_only")  # a change no delivery ever told sync-svc about
    return seen


def _round(business: Business, n: int, customer_id: str, last_payment: str | None) -> str:
    """One QuickBooks user's burst of changes; returns the payment it recorded."""
    control, realm = business.sandbox.control, business.realm_id
    today = datetime.now(UTC).date().isoformat()
    invoice = control.change(realm, "Invoice", operation="create", TxnDate=today,
                             CustomerRef={"value": customer_id},
                             Line=[{"Amount": 40 + n, "DetailType": "SalesItemLineDetail",
                                    "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}])
    payment = control.change(realm, "Payment", operation="create", TxnDate=today,
                             CustomerRef={"value": customer_id}, TotalAmt=10 + n,
                             Line=[{"Amount": 10 + n, "LinkedTxn": [
                                 {"TxnId": invoice["Id"], "TxnType": "Invoice"}]}])
    if last_payment is not None:
        control.change(realm, "Payment", last_payment, operation="delete")
    return str(payment["Id"])


@pytest.mark.timeout(600)
def test_late_duplicated_reordered_and_lost_webhooks_end_with_the_right_data(drill_stack):
    business = sign_up_and_connect(drill_stack, seed=71, customers=6, invoices=30,
                                   payments=10)
    wait_synced(business)
    control, realm = business.sandbox.control, business.realm_id
    customer_id = business.all("/api/v1/customers")[0]["id"]
    seen: set[str] = set()
    last_payment = None
    for n in range(MAX_ROUNDS):
        logged = len(control.webhook_deliveries(realm_id=realm))
        last_payment = _round(business, n, customer_id, last_payment)
        # the next round starts while this one's delivery is late, held or in flight
        wait_until(lambda b=logged: len(control.webhook_deliveries(realm_id=realm)) > b,
                   60, "the round's webhook to be sent or dropped")
        seen = mess_seen(control.webhook_deliveries(realm_id=realm))
        if seen >= MESS and n >= 2:
            break
    assert seen >= MESS, f"after {MAX_ROUNDS} rounds the sandbox showed only {seen}"
    drill_stack.assert_alive()
    wait_until(lambda: not portal_differences(business), 180,
               "the portal to equal the sandbox (lost changes found by scheduled CDC)")
    drill_stack.assert_alive()
