"""Intuit in, end to end: the sandbox's real signed notifications (both formats, every
operation) reach webhook-svc over HTTP and become exactly one `qbo.entity.changed` each."""
from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from webhook_harness import KafkaReader, ThreadWorker, WebService, wait_until, webhook_env

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]
OPS = {"Create": "create", "Update": "update", "Delete": "delete", "Merge": "merge",
       "Void": "void", "Emailed": "emailed", "created": "create", "updated": "update",
       "deleted": "delete", "merged": "merge", "voided": "void", "emailed": "emailed"}


Change = tuple[str, str, str, str, str]


def millis(text: str) -> str:
    """Both formats' times to the millisecond, UTC (what the dedupe key compares)."""
    return text.replace("Z", "")[:23]


def delivered_changes(deliveries: list[dict[str, Any]]) -> set[Change]:
    """What the sandbox sent (each change once, however often sent), read independently
    of webhook-svc's parser."""
    changes = set()
    for attempt in deliveries:
        if not attempt["ok"]:
            continue
        body = json.loads(attempt["body"])
        if isinstance(body, list):
            for e in body:
                _, entity, op, _ = e["type"].split(".")
                changes.add((entity.capitalize(), e["intuitentityid"], OPS[op],
                             (e.get("data") or {}).get("deletedid", ""), millis(e["time"])))
        else:
            for note in body["eventNotifications"]:
                for e in note["dataChangeEvent"]["entities"]:
                    changes.add((e["name"], e["id"], OPS[e["operation"]], e.get("deletedId", ""),
                                 millis(e["lastUpdated"])))
    return {c for c in changes if c[0] in ("Customer", "Invoice", "Payment")}


def emitted(events: list[dict[str, Any]]) -> list[Change]:
    return [(e["data"]["entity"], e["data"]["entity_id"], e["data"]["operation"],
             e["data"]["deleted_id"] or "", millis(e["data"]["occurred_at"]))
            for e in events if e["type"] == "qbo.entity.changed"]


def make_every_change(ctl: Any, realm: str) -> None:
    """Create, Update, Delete, Void, Emailed and Merge, as a QuickBooks user would."""
    ctl.change(realm, "invoice", "1", "update", PrivateNote="changed in QBO")
    ctl.change(realm, "invoice", "2", "void")
    ctl.change(realm, "invoice", "3", "send", send_to="client@example.com")
    ctl.change(realm, "invoice", "4", "delete")
    ctl.change(realm, "customer", None, "create", DisplayName="Brand New Ltd")
    ctl.merge(realm, "customer", "2", into="1")


@pytest.mark.parametrize("fmt", ["classic", "cloudevents"])
def test_each_sandbox_change_becomes_exactly_one_entity_changed(
        fmt, infra, kafka_conn, mongo_db, connect_tenant, qbo_sandbox, auth_service):
    env = webhook_env(infra, kafka_conn, mongo_db)
    reader = KafkaReader(kafka_conn, ["qbo.entity.changed"])
    with WebService(env) as web, ThreadWorker(env):
        tenant = connect_tenant(plan="pro", customers=6, invoices=8, payments=4)
        wait_until(lambda: web.deps.intuit.realms.tenant_for(tenant.realm_id) is not None,
                   60, "connection.changed to reach webhook-svc")
        qbo_sandbox.control.update_app(auth_service.env["QBO_CLIENT_ID"],
                                       webhook_url=web.intuit_url, webhook_format=fmt,
                                       webhook_verifier_token=env["QBO_WEBHOOK_VERIFIER_TOKEN"])
        make_every_change(qbo_sandbox.control, tenant.realm_id)
        qbo_sandbox.control.flush_webhooks(wait=20)
        deliveries = qbo_sandbox.control.webhook_deliveries(tenant.realm_id)
        expected = delivered_changes(deliveries)
        assert {change[2] for change in expected} >= {"create", "update", "delete", "void",
                                                    "emailed", "merge"}
        reader.until(lambda events: set(emitted(events)) >= expected, 60)
        replayed = next(d for d in deliveries if d["ok"])
        again = requests.post(web.intuit_url, data=replayed["body"].encode(), timeout=10,
                              headers={"intuit-signature": replayed["signature"],
                                       "Content-Type": "application/json"})
        assert again.status_code == 200, again.text
        wait_until(lambda: not web.deps.platform.db["intuit_changes"].find_one(
            {"_outbox_pending": True}), 30, "the relay to drain")
        events = reader.until(lambda events: True)
    reader.close()
    assert sorted(emitted(events)) == sorted(expected)  # each once, the repeat included
    assert {e["tenantid"] for e in events} == {tenant.tenant_id}
    assert all(e["realmid"] == tenant.realm_id for e in events)
