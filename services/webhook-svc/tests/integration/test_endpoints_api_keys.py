"""Enterprise API keys manage webhook endpoints only when made for it (scope
`webhooks:manage`), checked by the real auth-svc over its internal API."""
from __future__ import annotations

import pytest
import requests
from webhook_harness import WebService, enterprise_business, webhook_env

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def an_api_key(auth, tenant_id: str, headers: dict[str, str], scopes: list[str]) -> str:
    made = requests.post(f"{auth.base_url}/auth/v1/tenants/{tenant_id}/api-keys",
                         headers=headers, json={"name": "ci", "scopes": scopes}, timeout=30)
    assert made.status_code == 201, made.text
    return str(made.json()["key"])


def test_a_key_with_the_webhooks_scope_manages_endpoints_and_others_are_refused(
        infra, kafka_conn, mongo_db, auth_service):
    env = webhook_env(infra, kafka_conn, mongo_db, WEBHOOK_AUTH_URL=auth_service.base_url,
                      SERVICE_SECRET_WEBHOOK=auth_service.webhook_secret)
    tenant_id, headers = enterprise_business(auth_service)
    allowed = an_api_key(auth_service, tenant_id, headers, ["webhooks:manage"])
    readonly = an_api_key(auth_service, tenant_id, headers, ["invoices:read"])
    other_id, _ = enterprise_business(auth_service)
    with WebService(env) as web:
        def endpoints(tenant: str, key: str) -> requests.Response:
            return requests.get(f"{web.base_url}/webhooks/v1/tenants/{tenant}/endpoints",
                                headers={"Authorization": f"Bearer {key}"}, timeout=30)

        assert endpoints(tenant_id, allowed).status_code == 200
        refused = endpoints(tenant_id, readonly)
        assert refused.status_code == 403 and "webhooks:manage" in refused.json()["detail"]
        assert endpoints(other_id, allowed).status_code == 404
        assert endpoints(tenant_id, allowed[:-2] + "xx").status_code == 401
