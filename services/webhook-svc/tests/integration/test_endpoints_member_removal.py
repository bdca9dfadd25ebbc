"""Issue 12, finding 3: removing a member ends their access to webhook-svc within seconds
(its verifier polls auth-svc's ended sessions), not at the access token's expiry 15 minutes
later; the owner's access goes on. Real auth-svc (with a mail sink for the invitation),
real webhook-svc app over HTTP. The logout case: test_endpoints_ended_sessions.py."""
from __future__ import annotations

import pytest
import requests
from qbo_fixtures import admin_joins
from waiting import wait_until
from webhook_harness import WebService, enterprise_business, webhook_env

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def test_a_removed_members_access_token_is_refused_within_seconds(
        infra, kafka_conn, mongo_db, auth_with_mail):
    auth, sink = auth_with_mail
    env = webhook_env(infra, kafka_conn, mongo_db, WEBHOOK_AUTH_URL=auth.base_url,
                      SERVICE_SECRET_WEBHOOK=auth.webhook_secret)
    tenant_id, owner = enterprise_business(auth)
    admin = admin_joins(auth, sink, tenant_id, owner)
    with WebService(env) as web:
        def status(headers: dict[str, str]) -> int:
            return requests.get(f"{web.base_url}/webhooks/v1/tenants/{tenant_id}/endpoints",
                                headers=headers, timeout=30).status_code

        removed = {"Authorization": f"Bearer {admin['access_token']}"}
        assert status(removed) == 200
        assert requests.delete(
            f"{auth.base_url}/auth/v1/tenants/{tenant_id}/members/{admin['subject']}",
            headers=owner, timeout=30).status_code == 204
        wait_until(lambda: status(removed) == 401, 15,
                   "webhook-svc refusing the removed member's access token")
        assert status(owner) == 200  # the owner's access goes on
