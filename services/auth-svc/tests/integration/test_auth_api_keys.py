"""Enterprise API keys: shown once, stored as digests, listed, revoked, verified for
portal-svc; other plans cannot have them."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def _verify(auth, key: str):
    return auth.internal("POST", "/internal/v1/api-keys/verify", "portal-svc", json={"key": key})


def test_a_key_is_shown_once_verified_and_revoked(auth):
    owner = auth.sign_up(plan="enterprise")
    base = f"/auth/v1/tenants/{owner.tenant_id}/api-keys"
    created = owner.client.post(base, json={"name": "ERP", "scopes": ["invoices:read"]})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    key = created.json["key"]
    listed = owner.client.get(base).json["api_keys"]
    assert [k["name"] for k in listed] == ["ERP"] and "key" not in listed[0]
    assert key not in str(list(auth.deps.platform.db["api_keys"].find()))
    verified = _verify(auth, key)
    assert verified.status_code == 200
    assert verified.json == {"tenant_id": owner.tenant_id, "key_id": created.json["key_id"],
                             "name": "ERP", "scopes": ["invoices:read"], "plan": "enterprise"}
    assert owner.client.delete(f"{base}/{created.json['key_id']}").status_code == 204
    assert _verify(auth, key).status_code == 401
    assert owner.client.get(base).json["api_keys"][0]["active"] is False
    actions = {e["action"] for e in owner.client.get(
        f"/auth/v1/tenants/{owner.tenant_id}/audit-events").json["events"]}
    assert {"api_key.created", "api_key.revoked"} <= actions


def test_only_enterprise_businesses_have_keys(auth):
    for plan in ("basic", "pro"):
        owner = auth.sign_up(plan=plan)
        response = owner.client.post(f"/auth/v1/tenants/{owner.tenant_id}/api-keys",
                                     json={"name": "x"})
        assert response.status_code == 403, plan


def test_a_key_stops_working_when_the_business_leaves_enterprise(auth):
    owner = auth.sign_up(plan="enterprise")
    key = owner.client.post(f"/auth/v1/tenants/{owner.tenant_id}/api-keys",
                            json={"name": "x"}).json["key"]
    auth.set_plan(owner.tenant_id, "pro")
    assert _verify(auth, key).status_code == 403


@pytest.mark.parametrize("key", ["", "csk.x.y.z", "nonsense", "csk.a.b"])
def test_malformed_or_unknown_keys_are_refused(auth, key):
    response = _verify(auth, key)
    assert response.status_code in (401, 422)


def test_only_portal_svc_verifies_keys(auth):
    response = auth.internal("POST", "/internal/v1/api-keys/verify", "sync-svc",
                             json={"key": "csk.a.b.c"})
    assert response.status_code == 403
