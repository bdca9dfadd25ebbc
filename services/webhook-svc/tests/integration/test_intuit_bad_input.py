"""`POST /webhooks/intuit` on the real MongoDB-wire server: every refusal stores nothing."""
from __future__ import annotations

import json

import pytest
from clientsynq.common.events import load_event, new_event
from clientsynq.webhooks.app import create_app
from clientsynq.webhooks.bootstrap import build, ensure_webhook_indexes
from clientsynq.webhooks.config import Settings
from clientsynq.webhooks.handlers import on_connection_changed
from intuit_bodies import REALM, classic, cloudevents, signed
from webhook_harness import webhook_env

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


@pytest.fixture
def service(infra, kafka_conn, mongo_db):
    env = webhook_env(infra, kafka_conn, mongo_db)
    deps = build(Settings.from_env(env))
    ensure_webhook_indexes(deps)
    event = new_event("connection.changed", tenant_id="tenant-1", realm_id=REALM,
                      source="/tests", data={"status": "connected", "realm_id": REALM,
                                             "company_name": "Acme", "changed_at": deps.clock(),
                                             "reason": None})
    on_connection_changed(load_event(event), deps.intuit.realms)
    return create_app(deps).test_client(), env["QBO_WEBHOOK_VERIFIER_TOKEN"], mongo_db


def stored(db) -> tuple[int, int]:
    return (db["intuit_notifications"].count_documents({}),
            db["intuit_changes"].count_documents({}))


def test_a_signed_notification_is_stored_and_recorded(service):
    client, token, db = service
    body = cloudevents(("Invoice", "130", "update"))
    response = client.post("/webhooks/intuit", data=body, headers=signed(body, token))
    assert response.status_code == 200, response.get_json()
    assert stored(db) == (1, 1)
    raw = db["intuit_notifications"].find_one()
    assert bytes(raw["body"]) == body and raw["result"] == "processed"


@pytest.mark.parametrize("how", ["missing", "forged", "altered"])
def test_a_bad_signature_is_401_and_stores_nothing(service, how):
    client, token, db = service
    body = classic(("Invoice", "130", "update"))
    headers = {"missing": {}, "forged": signed(body, "not-the-token"),
               "altered": signed(body.replace(b"130", b"131"), token)}[how]
    response = client.post("/webhooks/intuit", data=body, headers=headers)
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert stored(db) == (0, 0)


def test_a_body_over_one_mebibyte_is_413(service):
    client, token, db = service
    body = b'{"eventNotifications": [], "pad": "' + b"x" * (1024 * 1024) + b'"}'
    response = client.post("/webhooks/intuit", data=body, headers=signed(body, token))
    assert response.status_code == 413
    assert stored(db) == (0, 0)


@pytest.mark.parametrize("body", [b"{oops", b'{"hello": "world"}', b'"text"'])
def test_malformed_json_is_400_and_stores_nothing(service, body):
    client, token, db = service
    response = client.post("/webhooks/intuit", data=body, headers=signed(body, token))
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["type"].endswith("malformed-notification")
    assert stored(db) == (0, 0)


def test_a_realm_nobody_connected_is_202_kept_and_not_announced(service):
    client, token, db = service
    body = classic(("Invoice", "130", "update"), realm="1111")
    response = client.post("/webhooks/intuit", data=body, headers=signed(body, token))
    assert response.status_code == 202
    assert stored(db) == (1, 0)
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'clientsynq_webhook_intuit_notifications_total{result="unknown_realm"}' in metrics


def test_a_repeated_notification_is_recorded_once(service):
    client, token, db = service
    body = classic(("Payment", "9", "create"))
    for _ in range(3):
        assert client.post("/webhooks/intuit", data=body,
                           headers=signed(body, token)).status_code == 200
    assert stored(db) == (3, 1)
    assert json.loads(bytes(db["intuit_notifications"].find_one()["body"]))
