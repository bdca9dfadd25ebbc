"""Bad input gets a clear problem+json 4xx and nothing is stored."""
from __future__ import annotations

import pytest
from auth_harness import PASSWORD

pytestmark = pytest.mark.integration


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    return dict(response.json)


def test_sign_up_refuses_malformed_unknown_oversized_and_invalid_bodies(auth):
    client = auth.browser()
    users = auth.deps.platform.db["users"]
    good = {"business_name": "Acme", "email": "bad-input@example.com", "password": PASSWORD}
    _problem(client.post("/auth/v1/signup", data='{"business_name": "Acme",',
                         content_type="application/json"), 400)
    body = _problem(client.post("/auth/v1/signup", json={**good, "plan": "enterprise"}), 422)
    assert body["errors"] == {"plan": ["Unknown field."]}
    _problem(client.post("/auth/v1/signup", json={**good, "business_name": "x" * 70000}), 413)
    _problem(client.post("/auth/v1/signup", data="business_name=Acme",
                         content_type="application/x-www-form-urlencoded"), 415)
    invalid = _problem(client.post("/auth/v1/signup", json={**good, "email": "nope",
                                                           "password": "short"}), 422)
    assert set(invalid["errors"]) == {"email", "password"}
    _problem(client.post("/auth/v1/signup", data="[1, 2]", content_type="application/json"),
             422)
    _problem(client.post("/auth/v1/signup", data='{"email": "a", "email": "b"}',
                         content_type="application/json"), 400)
    assert users.count_documents({}) == 0
    assert auth.deps.platform.db["tenants"].count_documents({}) == 0


def test_business_endpoints_refuse_bad_bodies_and_store_nothing(auth):
    owner = auth.sign_up(plan="enterprise")
    base = f"/auth/v1/tenants/{owner.tenant_id}"
    db = auth.deps.platform.db
    _problem(owner.client.post(f"{base}/api-keys", json={"name": "x", "scopes": ["root"]}), 422)
    _problem(owner.client.post(f"{base}/api-keys", json={"name": "x", "admin": True}), 422)
    _problem(owner.client.post(f"{base}/client-invitations",
                               json={"customer_id": "../1", "email": "a@example.com"}), 422)
    _problem(owner.client.post(f"{base}/member-invitations", data="{",
                               content_type="application/json"), 400)
    assert db["api_keys"].count_documents({}) == 0
    assert db["invitations"].count_documents({}) == 0
    _problem(auth.browser().post("/auth/v1/login", json={"email": owner.email}), 422)
    _problem(auth.browser().post("/auth/v1/token/refresh", json={"refresh_token": 5}), 422)


def test_member_role_changes_refuse_bad_bodies_and_change_nothing(auth):
    owner = auth.sign_up(plan="pro")
    member = auth.add_member(owner, "member")
    path = f"/auth/v1/tenants/{owner.tenant_id}/members/{member.user_id}"
    _problem(owner.client.patch(path, data='{"role": "admin"', content_type="application/json"),
             400)
    _problem(owner.client.patch(path, data='{"role": "admin", "role": "owner"}',
                                content_type="application/json"), 400)
    _problem(owner.client.patch(path, data="role=admin",
                                content_type="application/x-www-form-urlencoded"), 415)
    unknown = _problem(owner.client.patch(path, json={"role": "admin", "tenant_id": "x"}), 422)
    assert unknown["errors"] == {"tenant_id": ["Unknown field."]}
    for bad in ({"role": "superuser"}, {"role": "client"}, {"role": None}, {"role": ["admin"]},
                {}):
        assert set(_problem(owner.client.patch(path, json=bad), 422)["errors"]) == {"role"}, bad
    _problem(owner.client.patch(path, json=["admin"]), 422)
    _problem(owner.client.patch(f"{path}-nobody", json={"role": "admin"}), 404)
    _problem(owner.client.delete(f"{path}-nobody"), 404)
    assert auth.roles(owner) == {owner.user_id: "owner", member.user_id: "member"}
    assert auth.audit_events(owner, "member.role_changed") == []


def test_unknown_routes_and_methods_are_problems_too(auth):
    _problem(auth.browser().get("/auth/v1/nothing-here"), 404)
    _problem(auth.browser().put("/auth/v1/login", json={}), 405)
