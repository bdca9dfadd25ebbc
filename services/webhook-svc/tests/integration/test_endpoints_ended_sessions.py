"""Issue 12, finding 3: logging out or removing a member ends their access to webhook-svc
within seconds (its verifier polls auth-svc's ended sessions), not at the access token's
expiry 15 minutes later. Real auth-svc, real webhook-svc app over HTTP."""
from __future__ import annotations

import pytest
import requests
from qbo_fixtures import PASSWORD  # the password enterprise_business signs up with
from waiting import wait_until
from webhook_harness import WebService, enterprise_business, webhook_env

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def test_a_logged_out_access_token_is_refused_within_seconds(
        infra, kafka_conn, mongo_db, auth_service):
    env = webhook_env(infra, kafka_conn, mongo_db, WEBHOOK_AUTH_URL=auth_service.base_url,
                      SERVICE_SECRET_WEBHOOK=auth_service.webhook_secret)
    tenant_id, _, email = enterprise_business(auth_service, with_email=True)
    login = requests.post(f"{auth_service.base_url}/auth/v1/login", timeout=30,
                          json={"email": email, "password": PASSWORD}).json()
    kept = requests.post(f"{auth_service.base_url}/auth/v1/login", timeout=30,
                         json={"email": email, "password": PASSWORD}).json()
    with WebService(env) as web:
        def status(access_token: str) -> int:
            return requests.get(f"{web.base_url}/webhooks/v1/tenants/{tenant_id}/endpoints",
                                headers={"Authorization": f"Bearer {access_token}"},
                                timeout=30).status_code

        assert status(login["access_token"]) == 200
        assert requests.post(f"{auth_service.base_url}/auth/v1/logout", timeout=30, json={
            "refresh_token": login["refresh_token"]}).status_code == 204
        wait_until(lambda: status(login["access_token"]) == 401, 15,
                   "webhook-svc refusing the ended session's access token")
        assert status(kept["access_token"]) == 200  # the owner's other sign-in goes on
