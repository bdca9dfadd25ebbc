"""Disconnect from ClientSynq and from QuickBooks: revoked at Intuit, tokens deleted, the
event sent, the realm kept so Reconnect loses nothing; a forged Intuit callback does nothing."""
from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.integration


def _status(account):
    return account.client.get(f"/auth/v1/tenants/{account.tenant_id}/qbo/connection").json


def _api_answers(auth, realm_id: str, token: str) -> int:
    url = f"{auth.sandbox.base_url}/v3/company/{realm_id}/companyinfo/{realm_id}"
    return requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5).status_code


def test_disconnect_from_clientsynq_revokes_at_intuit_and_keeps_the_realm(auth):
    owner = auth.sign_up()
    realm_id = auth.connect(owner)
    token = auth.access_token(owner.tenant_id).json["access_token"]

    response = owner.client.delete(f"/auth/v1/tenants/{owner.tenant_id}/qbo/connection")

    assert response.status_code == 200 and response.json["status"] == "disconnected"
    assert auth.sandbox.control.counts(realm_id)["revocations"] == 1
    assert _api_answers(auth, realm_id, token) == 401
    doc = auth.connection_doc(owner.tenant_id)
    assert doc["tokens"] is None and doc["revocation"]["done_at"] is not None
    assert doc["realm_id"] == realm_id and doc["company_name"] == "Cool Cars Inc"
    auth.relay()
    auth.deps.stores.connections.purge_all_superseded()
    assert auth.versions().count_documents({"tokens": {"$ne": None}}) == 0  # no copy left
    assert auth.access_token(owner.tenant_id).json["type"].endswith("/not-connected")
    events = auth.published(2)
    assert [e["data"]["status"] for e in events] == ["connected", "disconnected"]
    assert events[1]["data"]["reason"] == "disconnected_by_user"

    auth.connect(owner, realm_id)  # "You can reconnect anytime without data loss"
    assert _status(owner)["status"] == "connected" and _status(owner)["realm_id"] == realm_id


def test_disconnect_while_intuit_is_down_still_stops_syncing_and_revokes_later(auth):
    from clientsynq.auth.worker import refresher_round

    owner = auth.sign_up()
    realm_id = auth.connect(owner)
    auth.sandbox.control.inject_fault(status=503, count=10, kind="revoke")
    try:
        response = owner.client.delete(f"/auth/v1/tenants/{owner.tenant_id}/qbo/connection")
    finally:
        auth.sandbox.control.clear_faults()
    assert response.json["status"] == "disconnected"
    assert auth.connection_doc(owner.tenant_id)["revocation"]["done_at"] is None
    assert auth.sandbox.control.counts(realm_id)["revocations"] == 0
    refresher_round(auth.deps)  # the worker's next round
    assert auth.sandbox.control.counts(realm_id)["revocations"] == 1
    assert auth.connection_doc(owner.tenant_id)["revocation"]["done_at"] is not None


def test_a_member_cannot_disconnect(auth):
    owner = auth.sign_up(plan="pro")
    auth.connect(owner)
    member = auth.add_member(owner, "member")
    response = member.client.delete(f"/auth/v1/tenants/{owner.tenant_id}/qbo/connection")
    assert response.status_code == 403
    assert _status(owner)["status"] == "connected"


def test_intuits_disconnect_callback_disconnects_that_realm(auth):
    owner = auth.sign_up()
    realm_id = auth.connect(owner)
    auth.sandbox.control.revoke_tokens(realm_id=realm_id)  # the user clicks Disconnect in QBO

    page = auth.browser().get("/auth/v1/qbo/disconnected", query_string={"realmId": realm_id})

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "QuickBooks is disconnected" in text and "Connect to QuickBooks" in text
    assert _status(owner)["status"] == "disconnected"
    assert _status(owner)["reason"] == "disconnected_in_quickbooks"
    assert [e["data"]["status"] for e in auth.published(2)] == ["connected", "disconnected"]


def test_a_forged_disconnect_callback_leaves_a_live_connection_alone(auth):
    owner = auth.sign_up()
    realm_id = auth.connect(owner)
    page = auth.browser().get("/auth/v1/qbo/disconnected", query_string={"realmId": realm_id})
    assert page.status_code == 200 and "could not" in page.get_data(as_text=True)
    assert _status(owner)["status"] == "connected"
    assert auth.access_token(owner.tenant_id).status_code == 200
