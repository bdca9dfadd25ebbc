"""The status API and Enterprise sync controls, for portal-svc (service credential)."""
from __future__ import annotations

import pytest
from clientsynq.sync.app import create_app
from clientsynq.sync.bootstrap import build
from clientsynq.sync.config import Settings
from sync_harness import TOPICS, KafkaReader, ThreadWorker, completed_runs, sync_env

pytestmark = pytest.mark.integration


def _client(env):
    return create_app(build(Settings.from_env(env))).test_client()


def test_status_shows_the_last_run_and_cursors(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="basic", customers=5, invoices=10, payments=3)
    env = sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(env):
        reader.until(lambda evs: bool(completed_runs(evs)), timeout=90)
    client = _client(env)
    url = f"/internal/v1/tenants/{tenant.tenant_id}/sync/status"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=auth_service.service_headers("sync-svc")).status_code in (
        401, 403)
    body = client.get(url, headers=auth_service.service_headers("portal-svc")).json
    assert body["connection"]["status"] == "connected"
    assert body["running"] is False
    assert body["last_run"]["status"] == "completed"
    assert body["last_run"]["counts"]["Invoice"] > 0
    assert set(body["cursors"]) == {"Customer", "Invoice", "Payment"}
    missing = client.get("/internal/v1/tenants/nobody/sync/status",
                         headers=auth_service.service_headers("portal-svc"))
    assert missing.status_code == 404
    assert missing.content_type == "application/problem+json"


def test_only_enterprise_may_change_the_controls(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    pro = connect_tenant(plan="pro", customers=3, invoices=5, payments=1)
    enterprise = connect_tenant(plan="enterprise", customers=3, invoices=5, payments=1)
    env = sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(env):
        reader.until(lambda evs: len(completed_runs(evs)) >= 2, timeout=90)
        client = _client(env)
        portal = auth_service.service_headers("portal-svc")
        refused = client.patch(f"/internal/v1/tenants/{pro.tenant_id}/sync/settings",
                               json={"paused": True}, headers=portal)
        assert refused.status_code == 403
        assert refused.json["type"].endswith("/plan-does-not-allow")
        base = f"/internal/v1/tenants/{enterprise.tenant_id}/sync"
        bad = client.patch(f"{base}/settings", json={"intervals": {"Invoice": 5}},
                           headers=portal)
        assert bad.status_code == 422
        changed = client.patch(f"{base}/settings", headers=portal, json={
            "intervals": {"Invoice": 900}, "entities": ["Customer", "Invoice"]})
        assert changed.status_code == 200, changed.json
        assert changed.json["intervals"]["Invoice"] == 900
        assert changed.json["entities"] == ["Customer", "Invoice"]
        assert changed.json["history_days"] == 365  # the default 12 months
        assert client.patch(f"{base}/settings", json={"history_days": 90},
                            headers=portal).status_code == 422  # never less than 12 months
        longer = client.patch(f"{base}/settings", json={"history_days": 730}, headers=portal)
        assert longer.status_code == 200 and longer.json["history_days"] == 730
        assert longer.json["intervals"]["Invoice"] == 900  # the other controls stay
        assert client.post(f"{base}/pause", headers=portal).json["paused"] is True
        assert client.post(f"{base}/resume", headers=portal).json["paused"] is False
        queued = client.post(f"{base}/full-resync", headers=portal)
        assert queued.status_code == 202
        events = reader.until(lambda evs: any(
            c["run_id"] == queued.json["run_id"] or (c["mode"] == "full" and
            c["entities"] == ["Customer", "Invoice"]) for c in completed_runs(evs)), timeout=90)
    resync = [c for c in completed_runs(events) if c["entities"] == ["Customer", "Invoice"]]
    assert resync and resync[-1]["mode"] == "full"
