"""The status API and Enterprise sync controls, for portal-svc (service credential)."""
from __future__ import annotations

import pytest
import requests
from clientsynq.sync.app import create_app
from clientsynq.sync.bootstrap import build
from clientsynq.sync.config import Settings
from sync_harness import (
    TOPICS,
    KafkaReader,
    ThreadWorker,
    completed_runs,
    portal_headers,
    sync_env,
)

pytestmark = pytest.mark.integration


def _client(env):
    return create_app(build(Settings.from_env(env))).test_client()


def test_status_shows_the_last_run_and_cursors(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    """Only portal-svc, with its secret for sync-svc; and that secret, held here, opens
    nothing at auth-svc (one secret per caller→callee pair)."""
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
    # portal's secret for auth-svc is not its secret here: one secret per pair
    assert client.get(url, headers=auth_service.service_headers("portal-svc")).status_code == 401
    body = client.get(url, headers=portal_headers(env)).json
    assert body["connection"]["status"] == "connected"
    assert body["running"] is False
    assert body["last_run"]["status"] == "completed"
    assert body["last_run"]["counts"]["Invoice"] > 0
    assert set(body["cursors"]) == {"Customer", "Invoice", "Payment"}
    missing = client.get("/internal/v1/tenants/nobody/sync/status",
                         headers=portal_headers(env))
    assert missing.status_code == 404
    assert missing.content_type == "application/problem+json"
    assert_nothing_sync_svc_holds_speaks_as_portal_svc_at_auth_svc(env, auth_service)


def test_only_enterprise_may_change_the_controls(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    pro = connect_tenant(plan="pro", customers=3, invoices=5, payments=1)
    enterprise = connect_tenant(plan="enterprise", customers=3, invoices=5, payments=1)
    env = sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(env):
        reader.until(lambda evs: len(completed_runs(evs)) >= 2, timeout=90)
        client = _client(env)
        portal = portal_headers(env)
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


def assert_nothing_sync_svc_holds_speaks_as_portal_svc_at_auth_svc(env, auth_service):
    """Issue 12, finding 10: sync-svc holds portal-svc's secret towards it, so that secret
    must open nothing at auth-svc's internal API. Every secret sync-svc's settings hold,
    presented as portal-svc, is refused there (API-key checks are portal's and webhook's
    alone); portal's own secret for auth-svc still works. Part of the status test, which
    has both services configured already (no second auth-svc to start)."""
    settings = Settings.from_env(env)
    held = [settings.portal_secret, settings.service_secret]
    assert auth_service.portal_secret not in held
    internal = f"{auth_service.base_url}/internal/v1"
    for secret in held:
        as_portal = {"Authorization": f"Service portal-svc:{secret}"}
        for answer in (requests.post(f"{internal}/api-keys/verify", json={"key": "csk_x"},
                                     headers=as_portal, timeout=30),
                       requests.get(f"{internal}/sessions/ended", headers=as_portal,
                                    timeout=30)):
            assert answer.status_code == 401, answer.text
            assert answer.headers["WWW-Authenticate"].startswith("Service"), answer.headers
    genuine = requests.get(f"{internal}/sessions/ended", timeout=30,
                           headers=auth_service.service_headers("portal-svc"))
    assert genuine.status_code == 200, genuine.text
