"""Settings → Team and API keys render what auth-svc holds for this business only."""
from __future__ import annotations

from portal_builders import OTHER_TENANT, TENANT
from portal_web_harness import Web


def test_the_team_page_lists_members_and_offers_changes_to_owners():
    web = Web()
    web.deps.auth_client.members_of[TENANT] = [
        {"user_id": "u1", "email": "owner@x.dev", "role": "owner"},
        {"user_id": "u2", "email": "ann@x.dev", "role": "member"}]
    web.deps.auth_client.members_of[OTHER_TENANT] = [
        {"user_id": "u9", "email": "stranger@y.dev", "role": "owner"}]
    web.sign_in(TENANT, role="owner")
    page = web.get("/settings/team").data.decode()
    assert "ann@x.dev" in page and "stranger@y.dev" not in page
    assert f"/auth/v1/tenants/{TENANT}/members/u2" in page
    assert f"/auth/v1/tenants/{TENANT}/members/u1" not in page  # not oneself


def test_api_keys_are_enterprise_and_show_no_secret():
    web = Web()
    web.deps.auth_client.keys_of[TENANT] = [
        {"key_id": "k1", "name": "ERP", "prefix": "csk_ab", "scopes": ["invoices:read"],
         "created_at": "2026-06-01", "active": True}]
    web.sign_in(TENANT, plan="pro")
    assert "part of the Enterprise plan" in web.get("/settings/api-keys").data.decode()
    web.sign_in(TENANT, plan="enterprise")
    page = web.get("/settings/api-keys").data.decode()
    assert "ERP" in page and "csk_ab" in page and 'data-reveal="key"' in page
