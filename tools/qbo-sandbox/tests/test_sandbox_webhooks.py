"""Webhooks reach a real local receiver, signed, batched, in both formats, with retries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import Any

from waiting import wait_until
from webhook_receiver import Receiver

from qbo_sandbox.control import SandboxControl


def connected_app(control: SandboxControl, receiver: Receiver, fmt: str) -> dict[str, Any]:
    app = control.register_app(webhook_url=receiver.url, webhook_format=fmt,
                               webhook_verifier_token=uuid.uuid4().hex)
    company = control.create_company(customers=3, invoices=3)
    control.connect(app["client_id"], company["realm_id"])
    return {**app, "realm_id": company["realm_id"]}


def verifies(verifier: str, headers: dict[str, str], body: bytes) -> bool:
    expected = base64.b64encode(hmac.new(verifier.encode(), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected.decode(), headers["intuit-signature"])


def test_cloudevents_are_batched_signed_and_typed(control: SandboxControl,
                                                  receiver: Receiver) -> None:
    app = connected_app(control, receiver, "cloudevents")
    realm = app["realm_id"]
    control.change(realm, "Customer", "1", DisplayName="Renamed One")
    invoice = control.change(realm, "Invoice", operation="create", CustomerRef={"value": "2"},
                             Line=[{"Amount": 40, "DetailType": "SalesItemLineDetail",
                                    "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}])
    control.change(realm, "Payment", operation="create", CustomerRef={"value": "2"},
                   TotalAmt=40, Line=[{"Amount": 40, "LinkedTxn": [
                       {"TxnId": invoice["Id"], "TxnType": "Invoice"}]}])
    control.change(realm, "Invoice", invoice["Id"], operation="void")
    headers, body = receiver.wait_for(1)[0]
    events = json.loads(body)
    assert verifies(app["webhook_verifier_token"], headers, body)
    assert isinstance(events, list)
    types = [(e["type"], e["intuitentityid"]) for e in events]
    assert ("qbo.customer.updated.v1", "1") in types
    assert ("qbo.invoice.created.v1", invoice["Id"]) in types
    assert ("qbo.invoice.updated.v1", invoice["Id"]) in types  # the payment changed its balance
    assert ("qbo.invoice.voided.v1", invoice["Id"]) in types
    assert any(t == "qbo.payment.created.v1" for t, _ in types)
    assert all(e["intuitaccountid"] == realm and e["specversion"] == "1.0" for e in events)
    assert len({e["id"] for e in events}) == len(events)


def test_classic_notifications_carry_realm_and_entities(control: SandboxControl,
                                                        receiver: Receiver) -> None:
    app = connected_app(control, receiver, "classic")
    control.change(app["realm_id"], "Invoice", "1", operation="delete")
    headers, body = receiver.wait_for(1)[0]
    notification = json.loads(body)["eventNotifications"][0]
    entity = notification["dataChangeEvent"]["entities"][0]
    assert verifies(app["webhook_verifier_token"], headers, body)
    assert notification["realmId"] == app["realm_id"]
    assert entity["name"] == "Invoice" and entity["id"] == "1"
    assert entity["operation"] == "Delete"
    assert entity["lastUpdated"].endswith("Z")


def test_a_failing_endpoint_is_retried_until_it_answers(control: SandboxControl,
                                                        receiver: Receiver) -> None:
    app = connected_app(control, receiver, "cloudevents")
    receiver.failures_left = 3
    control.change(app["realm_id"], "Customer", "2", Notes="retry me")
    received = receiver.wait_for(1, timeout=10)
    attempts = control.webhook_deliveries(app["realm_id"])
    assert len(received) == 1
    assert [a["status"] for a in attempts] == [500, 500, 500, 200]
    assert [a["attempt"] for a in attempts] == [1, 2, 3, 4]


def test_an_endpoint_slower_than_the_timeout_counts_as_failed(
        control: SandboxControl, receiver: Receiver) -> None:
    app = connected_app(control, receiver, "classic")
    receiver.hold_next()  # answered only once the sandbox has given up (1 s; Intuit: 3 s)
    control.change(app["realm_id"], "Customer", "3", Notes="slow")
    wait_until(lambda: control.webhook_deliveries(app["realm_id"]), 10, "the first attempt")
    receiver.release()
    control.flush_webhooks(wait=10)
    attempts = control.webhook_deliveries(app["realm_id"])
    assert [a["ok"] for a in attempts] == [False, True]
    assert attempts[0]["body"] == attempts[1]["body"]


def test_a_disconnected_app_gets_no_webhooks(control: SandboxControl,
                                             receiver: Receiver) -> None:
    app = connected_app(control, receiver, "cloudevents")
    control.revoke_tokens(realm_id=app["realm_id"])
    control.change(app["realm_id"], "Customer", "1", Notes="nobody listens")
    control.flush_webhooks(wait=2)
    assert receiver.received == []
