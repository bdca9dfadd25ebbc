"""Connect to QuickBooks end to end: authorize URL, consent at the real sandbox, callback,
encrypted tokens, and connection.changed on Kafka; every forged or replayed step refused."""
from __future__ import annotations

import json

import pytest
from auth_harness import query_of

pytestmark = pytest.mark.integration


def test_the_full_connect_flow_ends_with_the_event_and_encrypted_tokens(auth):
    owner = auth.sign_up()
    realm_id = auth.company("Cool Cars Inc")
    started = owner.client.post(f"/auth/v1/tenants/{owner.tenant_id}/qbo/connect")
    url = started.json["authorize_url"]
    assert query_of(url)["scope"] == "com.intuit.quickbooks.accounting"
    assert query_of(url)["redirect_uri"].endswith("/auth/v1/qbo/callback")

    params = auth.sandbox.control.authorize(url, realm_id=realm_id)
    response = auth.callback(owner, params)

    assert response.status_code == 302
    assert response.headers["Location"] == "http://127.0.0.1:8080/settings/quickbooks"
    status = owner.client.get(f"/auth/v1/tenants/{owner.tenant_id}/qbo/connection").json
    assert status["status"] == "connected" and status["connected"] is True
    assert status["company_name"] == "Cool Cars Inc" and status["realm_id"] == realm_id
    assert status["connected_at"] and status["last_refresh_at"]
    assert status["authorization_expires_at"]

    events = auth.published(1)
    assert [e["data"]["status"] for e in events] == ["connected"]
    assert events[0]["tenantid"] == owner.tenant_id and events[0]["realmid"] == realm_id
    assert events[0]["data"]["company_name"] == "Cool Cars Inc"

    grant = auth.access_token(owner.tenant_id).json
    raw = json.dumps(auth.connection_doc(owner.tenant_id), default=str)
    assert grant["access_token"] not in raw and "AB11" not in raw  # no access or refresh text
    assert grant["access_token"] not in json.dumps(events)
    assert auth.connection_doc(owner.tenant_id)["tokens"]["key_id"] == "k1"


def test_a_replayed_state_is_refused(auth):
    owner = auth.sign_up()
    params = auth.authorize(owner, auth.company())
    assert auth.callback(owner, params).status_code == 302
    replay = auth.callback(owner, params)
    assert replay.status_code == 400
    assert "Connection Failed" in replay.get_data(as_text=True)


def test_a_forged_state_is_refused_before_anything_reaches_intuit(auth):
    owner = auth.sign_up()
    params = auth.authorize(owner, auth.company())
    forged = {**params, "state": "x" * 43}
    response = auth.callback(owner, forged)
    assert response.status_code == 400
    assert auth.sandbox.control.counts(params["realmId"])["code_exchanges"] == 0
    assert auth.callback(owner, params).status_code == 302  # the real one still works


def test_an_expired_state_is_refused(auth):
    owner = auth.sign_up()
    params = auth.authorize(owner, auth.company())
    auth.clock.advance(601)
    response = auth.callback(owner, params)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_a_state_started_by_another_user_is_refused(auth):
    owner = auth.sign_up(plan="pro")
    admin = auth.add_member(owner, "admin")
    stranger = auth.sign_up()
    params = auth.authorize(owner, auth.company())
    assert auth.callback(admin, params).status_code == 400  # same business, other person
    assert auth.callback(stranger, params).status_code == 400  # other business
    assert auth.callback(owner, params).status_code == 302


def test_a_reused_code_is_refused_by_intuit_and_lands_on_connection_failed(auth):
    owner = auth.sign_up()
    realm_id = auth.company()
    first = auth.authorize(owner, realm_id)
    assert auth.callback(owner, first).status_code == 302
    second = auth.authorize(owner, realm_id)
    response = auth.callback(owner, {**second, "code": first["code"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Connection Failed" in page
    assert f'<form method="post" action="/auth/v1/tenants/{owner.tenant_id}/qbo/connect">' \
        in page  # Try again


def test_cancelling_at_intuit_shows_connection_failed_with_try_again(auth):
    owner = auth.sign_up()
    params = auth.authorize(owner, auth.company(), approve=False)
    assert params["error"] == "access_denied"
    response = auth.callback(owner, params)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Connection Failed" in page and "Try again" in page
    retry = owner.client.post(f"/auth/v1/tenants/{owner.tenant_id}/qbo/connect",
                              data={"go": "1"})
    assert retry.status_code == 303 and "/connect/oauth2?" in retry.headers["Location"]
    again = auth.sandbox.control.authorize(retry.headers["Location"])
    assert auth.callback(owner, again).status_code == 302  # "Connection Failed" is retryable


def test_intuit_unreachable_is_a_retryable_connection_failed(auth):
    owner = auth.sign_up()
    params = auth.authorize(owner, auth.company())
    auth.sandbox.control.inject_fault(status=503, count=5, kind="token")
    try:
        response = auth.callback(owner, params)
    finally:
        auth.sandbox.control.clear_faults()
    assert response.status_code == 502
    assert "Wait 5 minutes" in response.get_data(as_text=True)
    assert auth.connect(owner)  # a new attempt succeeds


def test_a_member_cannot_connect(auth):
    owner = auth.sign_up(plan="pro")
    member = auth.add_member(owner, "member")
    response = member.client.post(f"/auth/v1/tenants/{owner.tenant_id}/qbo/connect")
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/problem+json"
    form = member.client.post(f"/auth/v1/tenants/{owner.tenant_id}/qbo/connect", data={"go": 1})
    assert form.status_code == 403


def test_an_admin_can_connect(auth):
    owner = auth.sign_up(plan="pro")
    admin = auth.add_member(owner, "admin")
    auth.connect(admin)
    status = owner.client.get(f"/auth/v1/tenants/{owner.tenant_id}/qbo/connection").json
    assert status["status"] == "connected"
