"""Settings → Webhooks renders what webhook-svc holds for this business only, the signing
secret never (it is shown once, by the page's script, from the create answer), and tells
everyone who may not manage webhooks why, without calling webhook-svc."""
from __future__ import annotations

from portal_builders import OTHER_TENANT, TENANT
from portal_web_harness import Web

ENDPOINT = {"id": "ep1", "url": "https://erp.example.com/hooks", "description": "ERP",
            "event_types": ["invoice.updated", "payment.recorded"], "state": "active",
            "failing_since": None, "disabled_at": None}
DELIVERY = {"id": "d1", "message_id": "msg_1", "event_type": "webhook.test", "status": "failed",
            "created_at": "2026-11-30T00:40:00Z", "next_attempt_at": "2026-11-30T00:45:00Z",
            "attempts": [{"number": 1, "at": "2026-11-30T00:40:01Z", "status": 500,
                          "latency_ms": 37, "outcome": "failed", "response_excerpt": "",
                          "error": None},
                         {"number": 2, "at": "2026-11-30T00:40:06Z", "status": None,
                          "latency_ms": 15000, "outcome": "failed", "response_excerpt": "",
                          "error": "timed out"}]}


def a_web() -> Web:
    web = Web()
    web.deps.webhook_client.endpoints_of[TENANT] = [ENDPOINT]
    web.deps.webhook_client.endpoints_of[OTHER_TENANT] = [
        {**ENDPOINT, "id": "ep9", "url": "https://stranger.example/in"}]
    web.deps.webhook_client.deliveries_of["ep1"] = [DELIVERY]
    return web


def test_owners_see_their_endpoints_the_create_form_and_actions():
    web = a_web()
    web.sign_in(TENANT, role="admin", plan="enterprise")
    page = web.get("/settings/webhooks").data.decode()
    assert "https://erp.example.com/hooks" in page and "stranger.example" not in page
    base = f"/webhooks/v1/tenants/{TENANT}/endpoints"
    assert f'data-api="{base}"' in page and 'data-reveal="secret"' in page
    assert f"{base}/ep1/test" in page and f"{base}/ep1/pause" in page
    assert 'value="sync.failed"' in page and 'href="/settings/webhooks"' in page
    assert "whsec_" not in page


def test_the_delivery_log_shows_each_attempt_resend_and_replay():
    web = a_web()
    web.sign_in(TENANT, plan="enterprise")
    page = web.get("/settings/webhooks/ep1").data.decode()
    assert "37 ms" in page and ">500<" in page and "no answer" in page and "timed out" in page
    assert "Nov 30, 2026 00:40:06 UTC" in page and "Next attempt at Nov 30, 2026 00:45:00" in page
    assert "/endpoints/ep1/deliveries/d1/resend" in page
    assert "/endpoints/ep1/replay" in page and 'type="datetime-local"' in page
    base = f"/webhooks/v1/tenants/{TENANT}/endpoints/ep1"
    assert f'data-api="{base}" data-method="PATCH"' in page
    assert 'name="event_types" value="invoice.updated" checked' in page
    assert 'name="event_types" value="sync.failed">' in page
    assert f'data-api="{base}" data-method="DELETE" data-next="/settings/webhooks"' in page
    assert f'data-api="{base}/secret/rotate" data-nobody data-reveal="secret"' in page
    assert "for 24 hours" in page and "whsec_" not in page


def test_another_business_endpoint_is_not_found():
    web = a_web()
    web.sign_in(TENANT, plan="enterprise")
    assert web.get("/settings/webhooks/ep9").status_code == 404


def test_basic_pro_and_members_are_told_why_and_webhook_svc_is_not_called():
    web = a_web()
    web.sign_in(TENANT, plan="pro")
    page = web.get("/settings/webhooks").data.decode()
    assert "part of the Enterprise plan" in page and 'href="/settings/webhooks"' not in page
    web.sign_in(TENANT, role="member", plan="enterprise")
    page = web.get("/settings/webhooks").data.decode()
    assert "Only an owner or admin manages webhooks" in page and "erp.example" not in page
    assert "erp.example" not in web.get("/settings/webhooks/ep1").data.decode()
    assert web.deps.webhook_client.calls == []
