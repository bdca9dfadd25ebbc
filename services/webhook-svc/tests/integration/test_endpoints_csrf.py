"""The Settings → Webhooks page calls webhook-svc with the session cookie: a change made with
that cookie must come from our own origin (CSRF); a bearer token needs no Origin."""
from __future__ import annotations

import pytest
import requests
from clientsynq.common.auth import SESSION_COOKIE
from webhook_harness import WebService, enterprise_business, webhook_env

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]
PAGES = "http://pages.example.test"
NEW = {"url": "http://127.0.0.1:9/in", "event_types": ["invoice.updated"]}


def test_a_cookie_change_needs_our_origin_and_a_bearer_change_needs_none(
        infra, kafka_conn, mongo_db, auth_service):
    env = webhook_env(infra, kafka_conn, mongo_db, WEBHOOK_AUTH_URL=auth_service.base_url,
                      SERVICE_SECRET_WEBHOOK=auth_service.webhook_secret,
                      WEBHOOK_PUBLIC_ORIGINS=PAGES, WEBHOOK_ALLOWED_HOSTS="127.0.0.1")
    tenant_id, bearer = enterprise_business(auth_service)
    cookie = {"Cookie": f"{SESSION_COOKIE}={bearer['Authorization'].split(' ', 1)[1]}"}
    with WebService(env) as web:
        url = f"{web.base_url}/webhooks/v1/tenants/{tenant_id}/endpoints"

        def post(headers: dict[str, str]) -> requests.Response:
            return requests.post(url, json=NEW, headers=headers, timeout=30)

        for refused in (post(cookie), post({**cookie, "Origin": "https://evil.example"})):
            assert refused.status_code == 403, refused.text
            assert refused.json()["type"].endswith("cross-site-request")
        assert requests.get(url, headers=cookie, timeout=30).json()["endpoints"] == []
        assert post({**cookie, "Origin": PAGES}).status_code == 201
        assert post(bearer).status_code == 201
        assert len(requests.get(url, headers=bearer, timeout=30).json()["endpoints"]) == 2
