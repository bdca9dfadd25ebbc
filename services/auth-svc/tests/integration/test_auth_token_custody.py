"""The internal token API sync-svc relies on: the exact contract, one refresh per rejected
token, authorization expiry announced, and nothing without the right service credential."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.integration


def _path(tenant_id: str, suffix: str = "") -> str:
    return f"/internal/v1/tenants/{tenant_id}/qbo/access-token{suffix}"


def test_the_access_token_body_matches_the_contract(auth):
    owner = auth.sign_up(plan="pro")
    realm_id = auth.connect(owner)
    response = auth.access_token(owner.tenant_id)
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"access_token", "realm_id", "expires_at", "plan"}
    assert body["realm_id"] == realm_id and body["plan"] == "pro"
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=55) < expires - datetime.now(UTC) <= timedelta(minutes=61)
    assert response.headers["Cache-Control"] == "no-store"
    api = auth.sandbox.base_url + f"/v3/company/{realm_id}/companyinfo/{realm_id}"
    import requests
    assert requests.get(api, headers={"Authorization": f"Bearer {body['access_token']}",
                                      "Accept": "application/json"}, timeout=5).ok


def test_not_connected_and_unknown_tenant_are_distinct_problems(auth):
    owner = auth.sign_up()
    response = auth.access_token(owner.tenant_id)
    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["type"].endswith("/not-connected")
    assert auth.access_token("no-such-tenant").status_code == 404


def test_a_token_close_to_expiry_is_refreshed_before_it_is_handed_out(auth):
    owner = auth.sign_up()
    realm_id = auth.connect(owner)
    first = auth.access_token(owner.tenant_id).json["access_token"]
    auth.clock.advance(3600 - 240)  # less than five minutes left
    second = auth.access_token(owner.tenant_id).json["access_token"]
    assert second != first and auth.refreshes(realm_id) == 1
    assert auth.access_token(owner.tenant_id).json["access_token"] == second
    assert auth.refreshes(realm_id) == 1


def test_twenty_reports_of_the_same_rejected_token_cause_one_refresh(auth):
    owner = auth.sign_up()
    realm_id = auth.connect(owner)
    rejected = auth.access_token(owner.tenant_id).json["access_token"]
    answers: list[str] = []

    def report() -> None:
        response = auth.internal("POST", _path(owner.tenant_id, "/refresh"),
                                 json={"rejected_access_token": rejected})
        assert response.status_code == 200, response.json
        answers.append(response.json["access_token"])
    threads = [threading.Thread(target=report) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == 20 and len(set(answers)) == 1 and rejected not in answers
    assert auth.refreshes(realm_id) == 1


def test_an_expired_refresh_token_means_authorization_expired_and_the_event(auth):
    owner = auth.sign_up()
    realm_id = auth.connect(owner)
    rejected = auth.access_token(owner.tenant_id).json["access_token"]
    auth.sandbox.control.expire_tokens(realm_id=realm_id, which="all")
    response = auth.internal("POST", _path(owner.tenant_id, "/refresh"),
                             json={"rejected_access_token": rejected})
    assert response.status_code == 409
    assert response.json["type"].endswith("/authorization-expired")
    assert auth.access_token(owner.tenant_id).json["type"].endswith("/authorization-expired")
    status = owner.client.get(f"/auth/v1/tenants/{owner.tenant_id}/qbo/connection").json
    assert status["status"] == "authorization_expired" and status["connected"] is False
    events = auth.published(2)
    assert [e["data"]["status"] for e in events] == ["connected", "authorization_expired"]
    assert events[1]["data"]["reason"] == "invalid_grant"
    assert auth.connection_doc(owner.tenant_id)["tokens"] is None
    audit = owner.client.get(f"/auth/v1/tenants/{owner.tenant_id}/audit-events").json["events"]
    assert {"qbo.refresh_failed", "qbo.authorization_expired"} <= {e["action"] for e in audit}


def test_reconnect_after_expiry_restores_the_same_realm(auth):
    owner = auth.sign_up()
    realm_id = auth.connect(owner)
    auth.sandbox.control.expire_tokens(realm_id=realm_id, which="all")
    auth.clock.advance(3600)
    assert auth.access_token(owner.tenant_id).status_code == 409

    auth.connect(owner, realm_id)  # Reconnect: log in to QuickBooks again, re-authorize
    status = owner.client.get(f"/auth/v1/tenants/{owner.tenant_id}/qbo/connection").json
    assert status["status"] == "connected" and status["realm_id"] == realm_id
    assert auth.access_token(owner.tenant_id).status_code == 200
    events = auth.published(3)
    assert [(e["data"]["status"], e["realmid"]) for e in events] == [
        ("connected", realm_id), ("authorization_expired", realm_id), ("connected", realm_id)]
    assert {e["tenantid"] for e in events} == {owner.tenant_id}


def test_connecting_a_different_company_switches_accounts(auth):
    owner = auth.sign_up()
    old_realm = auth.connect(owner)
    old_token = auth.access_token(owner.tenant_id).json["access_token"]
    new_realm = auth.connect(owner, auth.company("New Books LLC"))
    status = owner.client.get(f"/auth/v1/tenants/{owner.tenant_id}/qbo/connection").json
    assert status["realm_id"] == new_realm and status["company_name"] == "New Books LLC"
    assert auth.sandbox.control.counts(old_realm)["revocations"] == 1
    import requests
    old_api = f"{auth.sandbox.base_url}/v3/company/{old_realm}/companyinfo/{old_realm}"
    assert requests.get(old_api, headers={"Authorization": f"Bearer {old_token}"},
                        timeout=5).status_code == 401
    events = auth.published(3)
    assert [(e["data"]["status"], e["realmid"]) for e in events] == [
        ("connected", old_realm), ("disconnected", old_realm), ("connected", new_realm)]


@pytest.mark.parametrize("header", [None, "Service sync-svc:wrong-secret-0123456789",
                                    "Bearer not-a-secret", "Service portal-svc:{portal}",
                                    "Basic c3luYy1zdmM6eA=="])
def test_the_internal_api_needs_the_right_service_credential(auth, header):
    owner = auth.sign_up()
    auth.connect(owner)
    headers = {}
    if header is not None:
        headers["Authorization"] = header.format(portal=auth.env["SERVICE_SECRET_PORTAL"])
    client = auth.browser()
    for method, path in (("GET", _path(owner.tenant_id)), ("POST", _path(owner.tenant_id,
                                                                           "/refresh"))):
        response = client.open(path, method=method, headers=headers,
                               json={"rejected_access_token": "x"})
        assert response.status_code in (401, 403), (header, response.status_code)
        assert "access_token" not in response.get_data(as_text=True)


def test_the_tenant_endpoint_tells_the_plan_and_who_owns_the_business(auth):
    owner = auth.sign_up(plan="pro")
    for service in ("sync-svc", "portal-svc"):
        body = auth.internal("GET", f"/internal/v1/tenants/{owner.tenant_id}", service).json
        assert body == {"tenant_id": owner.tenant_id, "plan": "pro", "name": "Acme Plumbing",
                        "owner_emails": [owner.email]}


def test_bad_refresh_requests_get_a_clear_4xx_and_change_nothing(auth):
    owner = auth.sign_up()
    realm_id = auth.connect(owner)
    path = _path(owner.tenant_id, "/refresh")
    malformed = auth.internal("POST", path, data="{not json",
                              headers={"Content-Type": "application/json"})
    unknown = auth.internal("POST", path, json={"rejected_access_token": "x", "extra": 1})
    missing = auth.internal("POST", path, json={})
    oversized = auth.internal("POST", path, json={"rejected_access_token": "x" * 70000})
    assert (malformed.status_code, unknown.status_code, missing.status_code,
            oversized.status_code) == (400, 422, 422, 413)
    assert unknown.json["errors"] == {"extra": ["Unknown field."]}
    assert auth.refreshes(realm_id) == 0
