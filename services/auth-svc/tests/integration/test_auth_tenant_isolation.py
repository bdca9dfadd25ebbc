"""One business's users can neither read nor change another business's anything: every
tenant-scoped route of the app is tried with a stranger's session."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

BODIES = {"member-invitations": {"email": "spy@example.com", "role": "admin"},
          "client-invitations": {"customer_id": "1", "email": "spy@example.com"},
          "api-keys": {"name": "spy"}, "<user_id>": {"role": "member"}}


def _tenant_routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if "<tenant_id>" not in rule.rule or rule.rule.startswith(("/internal/",
                                                                   "/auth/v1/operator/")):
            continue
        routes += [(method, rule.rule) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def test_a_stranger_gets_404_on_every_tenant_route_and_changes_nothing(auth):
    victim = auth.sign_up(plan="enterprise")
    realm_id = auth.connect(victim)
    key = victim.client.post(f"/auth/v1/tenants/{victim.tenant_id}/api-keys",
                             json={"name": "mine"}).json
    stranger = auth.sign_up(plan="enterprise")
    routes = _tenant_routes(auth.app)
    assert len(routes) >= 14
    for method, rule in routes:
        path = rule.replace("<tenant_id>", victim.tenant_id).replace("<key_id>", key["key_id"])
        path = path.replace("<user_id>", victim.user_id)
        body = next((b for suffix, b in BODIES.items() if rule.endswith(suffix)), None)
        response = stranger.client.open(path, method=method, json=body)
        assert response.status_code == 404, (method, rule, response.status_code)
        assert response.headers["Content-Type"] == "application/problem+json"
        assert victim.tenant_id not in response.get_data(as_text=True).replace(path, "")

    status = victim.client.get(f"/auth/v1/tenants/{victim.tenant_id}/qbo/connection").json
    assert status["status"] == "connected" and status["realm_id"] == realm_id
    keys = victim.client.get(f"/auth/v1/tenants/{victim.tenant_id}/api-keys").json["api_keys"]
    assert [k["active"] for k in keys] == [True]
    assert auth.roles(victim) == {victim.user_id: "owner"}
    for kind in ("member-invitations", "client-invitations"):
        assert victim.client.get(f"/auth/v1/tenants/{victim.tenant_id}/{kind}"
                                 ).json["invitations"] == []


def test_a_stranger_can_neither_change_nor_remove_another_businesss_members(auth):
    victim = auth.sign_up(plan="pro")
    member = auth.add_member(victim, "member")
    stranger = auth.sign_up(plan="pro")
    stranger_member = auth.add_member(stranger, "member")
    attempts = [(account, victim.tenant_id) for account in (stranger, stranger_member)]
    attempts.append((stranger, stranger.tenant_id))  # the victim's user through their own
    for account, tenant_id in attempts:
        path = f"/auth/v1/tenants/{tenant_id}/members/{member.user_id}"
        for response in (account.client.patch(path, json={"role": "owner"}),
                         account.client.delete(path)):
            assert response.status_code == 404, (path, response.json)
            assert response.headers["Content-Type"] == "application/problem+json"
    assert auth.roles(victim) == {victim.user_id: "owner", member.user_id: "member"}
    assert auth.roles(stranger) == {stranger.user_id: "owner", stranger_member.user_id: "member"}
    refreshed = auth.browser().post("/auth/v1/token/refresh",
                                    json={"refresh_token": member.refresh_token})
    assert refreshed.status_code == 200 and refreshed.json["role"] == "member"
    for action in ("member.role_changed", "member.removed"):
        assert auth.audit_events(victim, action) == auth.audit_events(stranger, action) == []


def test_a_stranger_cannot_revoke_a_key_through_their_own_tenant(auth):
    victim = auth.sign_up(plan="enterprise")
    key = victim.client.post(f"/auth/v1/tenants/{victim.tenant_id}/api-keys",
                             json={"name": "mine"}).json
    stranger = auth.sign_up(plan="enterprise")
    response = stranger.client.delete(
        f"/auth/v1/tenants/{stranger.tenant_id}/api-keys/{key['key_id']}")
    assert response.status_code == 404
    verified = auth.internal("POST", "/internal/v1/api-keys/verify", "portal-svc",
                             json={"key": key["key"]})
    assert verified.status_code == 200


def test_a_refresh_token_cannot_be_moved_to_another_tenant(auth):
    victim = auth.sign_up()
    stranger = auth.sign_up()
    prefix, _, secret = stranger.refresh_token.split(".", 2)
    moved = f"{prefix}.{victim.tenant_id}.{secret}"
    response = auth.browser().post("/auth/v1/token/refresh", json={"refresh_token": moved})
    assert response.status_code == 401


def test_the_operator_endpoint_needs_the_operator_credential(auth):
    owner = auth.sign_up()
    path = f"/auth/v1/operator/tenants/{owner.tenant_id}/plan"
    for headers in ({}, owner.bearer,
                    {"Authorization": f"Service sync-svc:{auth.env['SERVICE_SECRET_SYNC']}"},
                    {"Authorization": "Service operator:wrong-wrong-wrong-wrong"}):
        response = auth.browser().put(path, json={"plan": "enterprise"}, headers=headers)
        assert response.status_code in (401, 403)
    assert owner.client.get(f"/auth/v1/tenants/{owner.tenant_id}").json["plan"] == "basic"
