"""Finding 10: the internal API (token custody for sync-svc, API-key checks, the
ended-sessions feed, tenant lookups) and the operator API live on a listener of their own.
Two real gunicorn processes, configured as every deployment runs them
(``AUTH_INTERNAL_API_ON_PUBLIC=false``): the public one answers 404 on every internal route,
whatever the gateway in front does; the internal one serves them, and the JWKS and the
bearer routes other services call, so each service needs one auth-svc URL."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from clientsynq.auth.app import create_internal_app

pytestmark = pytest.mark.integration


@pytest.fixture
def listeners(auth) -> Iterator[tuple[str, str]]:
    separate = {"AUTH_INTERNAL_API_ON_PUBLIC": "false"}
    with auth.process(**separate) as public, auth.process(internal=True, **separate) as internal:
        yield public, internal


def _internal_routes(auth, tenant_id: str) -> list[tuple[str, str]]:
    """Every internal and operator route the internal app has, with its parameters filled."""
    routes = []
    for rule in create_internal_app(auth.deps).url_map.iter_rules():
        if rule.rule.startswith(("/internal/", "/auth/v1/operator/")):
            path = re.sub(r"<(?:\w+:)?tenant_id>", tenant_id, rule.rule)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                routes.append((method, path))
    return routes


def test_internal_routes_answer_only_on_the_internal_listener(auth, listeners):
    """One test: two gunicorn processes are its cost."""
    public, internal = listeners
    owner = auth.sign_up()
    sync = {"Authorization": f"Service sync-svc:{auth.env['SERVICE_SECRET_SYNC']}"}
    routes = _internal_routes(auth, owner.tenant_id)
    assert len(routes) >= 6  # five internal routes and the operator's plan switch

    for method, path in routes:
        answer = requests.request(method, public + path, headers=sync, json={}, timeout=10)
        assert answer.status_code == 404, (method, path, answer.text)

    tenant = requests.get(f"{internal}/internal/v1/tenants/{owner.tenant_id}", headers=sync,
                          timeout=10)
    assert tenant.status_code == 200 and tenant.json()["tenant_id"] == owner.tenant_id
    ended = requests.get(f"{internal}/internal/v1/sessions/ended", headers=sync, timeout=10)
    assert ended.status_code == 200 and "ended_sessions" in ended.json()
    operator = {"Authorization": f"Service operator:{auth.env['AUTH_OPERATOR_SECRET']}"}
    plan = requests.put(f"{internal}/auth/v1/operator/tenants/{owner.tenant_id}/plan",
                        json={"plan": "pro"}, headers=operator, timeout=10)
    assert plan.status_code == 200 and plan.json()["plan"] == "pro"

    for base in (public, internal):  # token verifiers fetch the keys from their one URL
        assert requests.get(f"{base}/.well-known/jwks.json", timeout=10).json()["keys"]
    members = requests.get(f"{internal}/auth/v1/tenants/{owner.tenant_id}/members",
                           headers=owner.bearer, timeout=10)  # portal-svc, as the user
    assert members.status_code == 200 and members.json()["members"][0]["email"] == owner.email
    login = requests.post(f"{internal}/auth/v1/login", timeout=10,
                          json={"email": owner.email, "password": "x" * 12})
    assert login.status_code == 404  # sign-in is the public listener's alone
