"""POST /api/v1: Sync Now and the Pro commands answer 202 with a pending command whose event
waits in the outbox; bad bodies change nothing; Idempotency-Key replays the first answer."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from clientsynq.common.events import load_event
from clientsynq.portal.domain.model import CommandStatus, CompletedSync
from portal_api_harness import Api, seed_business, seeded_api

TENANT = "tenant-a"
NEW_INVOICE = {"customer_id": "1", "due_date": "2026-07-15",
               "lines": [{"description": "Bird seed", "amount": "25.50"}]}
NEW_PAYMENT = {"customer_id": "1", "amount": "60.00", "method": "Check",
               "applied_to": [{"invoice_id": "101", "amount": "40.00"},
                              {"invoice_id": "102", "amount": "20.00"}]}


@pytest.fixture
def api() -> Iterator[Api]:
    yield from seeded_api(TENANT)


def test_creating_an_invoice_answers_202_and_publishes_the_command(api: Api):
    response = api.call("POST", "/api/v1/invoices", api.token(TENANT), json=NEW_INVOICE)
    body = response.get_json()
    assert response.status_code == 202 and body["state"] == "pending"
    assert response.headers["Location"] == f"/api/v1/commands/{body['id']}"
    [envelope] = api.read.commands.outbox
    event = load_event(envelope)
    assert (event.type, event.tenant_id, event.realm_id) == (
        "invoice.create.requested", TENANT, f"realm-{TENANT}")
    assert event.data["command_id"] == body["id"] and event.data["requested_by"] == "user-1"
    status = api.call("GET", body["links"]["self"], api.token(TENANT)).get_json()
    assert status["state"] == "pending"


def test_the_outcome_shows_on_the_command(api: Api):
    body = api.call("POST", "/api/v1/invoices", api.token(TENANT), json=NEW_INVOICE).get_json()
    pending = api.read.commands.get(TENANT, body["id"])
    api.read.commands.settle(CommandStatus(
        TENANT, body["id"], pending.command_type, "failed", api.clock.now, "unknown",
        settled_at=api.clock.now, reason="Customer is inactive in QuickBooks", code="6240"))
    settled = api.call("GET", body["links"]["self"], api.token(TENANT)).get_json()
    assert (settled["state"], settled["reason"]) == ("failed",
                                                     "Customer is inactive in QuickBooks")


def test_recording_a_payment_checks_each_invoice_balance(api: Api):
    ok = api.call("POST", "/api/v1/payments", api.token(TENANT), json=NEW_PAYMENT)
    assert ok.status_code == 202
    too_much = {**NEW_PAYMENT, "amount": "500.00",
                "applied_to": [{"invoice_id": "101", "amount": "150.00"}]}
    refused = api.call("POST", "/api/v1/payments", api.token(TENANT), json=too_much)
    assert refused.status_code == 400 and "balance" in refused.get_json()["detail"]
    assert len(api.read.commands.outbox) == 1


def test_a_client_pays_only_its_own_invoices(api: Api):
    token = api.token(TENANT, customer_id="2", subject="client-2")
    theirs = api.call("POST", "/api/v1/payments", token, json=NEW_PAYMENT)
    assert theirs.status_code == 404
    own = {"customer_id": "2", "amount": "30.00",
           "applied_to": [{"invoice_id": "103", "amount": "30.00"}]}
    accepted = api.call("POST", "/api/v1/payments", token, json=own)
    assert accepted.status_code == 202
    assert load_event(api.read.commands.outbox[0]).data["source"] == "portal"
    assert api.call("POST", "/api/v1/invoices", token, json=NEW_INVOICE).status_code == 403


@pytest.mark.parametrize(("path", "payload"), [
    ("/api/v1/invoices", b'{"customer_id": "1", "lines": []}'),
    ("/api/v1/invoices", b'{"customer_id": "1", "lines": [{"description": "x", '
                         b'"amount": 5}]}'),
    ("/api/v1/invoices", b'{"customer_id": "1", "lines": [{"description": "x", '
                         b'"amount": "5"}], "surprise": true}'),
    ("/api/v1/invoices", b'{"customer_id": "1", "customer_id": "2", "lines": []}'),
    ("/api/v1/invoices", b'{"customer_id": '),
    ("/api/v1/invoices", b'[]'),
    ("/api/v1/payments", b'{"customer_id": "1", "amount": "-1.00", "applied_to": []}'),
    ("/api/v1/payments", b'{"customer_id": "1", "amount": "5.00", "applied_to": '
                         b'[{"invoice_id": "101", "amount": "6.00"}]}'),
])
def test_a_bad_body_is_a_400_problem_and_changes_nothing(api: Api, path: str, payload: bytes):
    response = api.call("POST", path, api.token(TENANT), data=payload,
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert api.read.commands.outbox == []


def test_a_body_that_is_not_json_is_refused(api: Api):
    response = api.call("POST", "/api/v1/invoices", api.token(TENANT), data=b"customer=1",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415


@pytest.mark.parametrize(("path", "body"), [("/api/v1/invoices", NEW_INVOICE),
                                            ("/api/v1/payments", NEW_PAYMENT),
                                            ("/api/v1/sync", None)])
def test_the_same_idempotency_key_and_body_return_the_first_answer(api: Api, path: str,
                                                                   body: dict | None):
    headers = {"Idempotency-Key": "retry-me-1"}
    first = api.call("POST", path, api.token(TENANT), json=body, headers=headers)
    again = api.call("POST", path, api.token(TENANT), json=body, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(api.read.commands.outbox) + len(api.sync_requests.outbox) == 1
    if body is not None:
        other = api.call("POST", path, api.token(TENANT), headers=headers,
                         json={**body, "customer_id": "2"})
        assert other.status_code == 422
        assert other.get_json()["type"].endswith("idempotency-key-reused")


def test_a_refusal_is_also_replayed_for_the_same_key(api: Api):
    headers = {"Idempotency-Key": "k-basic"}
    token = api.token(TENANT, plan="basic")
    first = api.call("POST", "/api/v1/invoices", token, json=NEW_INVOICE, headers=headers)
    again = api.call("POST", "/api/v1/invoices", token, json=NEW_INVOICE, headers=headers)
    assert first.status_code == again.status_code == 403


def test_sync_now_publishes_a_manual_sync_and_refuses_a_second_click(api: Api):
    first = api.call("POST", "/api/v1/sync", api.token(TENANT))
    assert first.status_code == 202
    [envelope] = api.sync_requests.outbox
    event = load_event(envelope)
    assert (event.type, event.data["reason"], event.data["mode"]) == (
        "sync.requested", "manual", "incremental")
    assert api.call("POST", "/api/v1/sync", api.token(TENANT)).status_code == 409
    later = api.clock.now + timedelta(seconds=5)
    api.read.sync.record_completed(TENANT, CompletedSync("r1", "incremental", later, later))
    api.clock.now = later + timedelta(seconds=1)
    assert api.call("POST", "/api/v1/sync", api.token(TENANT)).status_code == 202


def test_sync_now_needs_a_connected_company(api: Api):
    seed_business(api, "tenant-c", connected=False)
    response = api.call("POST", "/api/v1/sync", api.token("tenant-c"))
    assert response.status_code == 409
    assert response.get_json()["type"].endswith("not-connected")


def test_an_oversized_body_is_refused_and_changes_nothing(api: Api):
    lines = [{"description": "x" * 300, "amount": "1.00"}] * 250
    response = api.call("POST", "/api/v1/invoices", api.token(TENANT),
                        json={"customer_id": "1", "lines": lines})
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert api.read.commands.outbox == []
