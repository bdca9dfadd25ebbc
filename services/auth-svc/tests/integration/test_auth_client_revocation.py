"""Finding 2: a business can list its portal clients and take a client's access away: the
client's sessions end, refreshes are refused, links still pending for that customer die;
only owners and admins invite or revoke clients; a new invitation gives access back."""
from __future__ import annotations

import pytest
from auth_harness import link_token
from mail_sink.testing import wait_for_message

pytestmark = pytest.mark.integration


def _client_session(auth, owner, email: str, customer_id: str = "42"):
    response = owner.client.post(f"/auth/v1/tenants/{owner.tenant_id}/client-invitations",
                                 json={"customer_id": customer_id, "email": email})
    assert response.status_code == 201, response.json
    token = link_token(wait_for_message(auth.mail, email)["body"], "portal/invite")
    browser = auth.browser()
    assert browser.post("/auth/v1/client-invitations/redeem",
                        json={"token": token}).status_code == 200
    return browser


def test_revoking_a_client_ends_their_sessions_and_refreshes(auth):
    owner = auth.sign_up()
    client = _client_session(auth, owner, "cara@example.com")
    pending = owner.client.post(f"/auth/v1/tenants/{owner.tenant_id}/client-invitations",
                                json={"customer_id": "42", "email": "cara2@example.com"})
    late_link = link_token(wait_for_message(auth.mail, "cara2@example.com")["body"],
                           "portal/invite")
    base = f"/auth/v1/tenants/{owner.tenant_id}/clients"
    assert [c["status"] for c in owner.client.get(base).json["clients"]] == ["active"]

    assert owner.client.delete(f"{base}/42").status_code == 204

    assert client.get("/auth/v1/me").status_code == 401
    assert client.post("/auth/v1/token/refresh").status_code == 401
    assert auth.browser().post("/auth/v1/client-invitations/redeem",
                               json={"token": late_link}).status_code == 404
    assert pending.status_code == 201
    listed = owner.client.get(base).json["clients"]
    assert listed[0]["status"] == "revoked" and listed[0]["revoked_at"]
    [event] = auth.audit_events(owner, "client.revoked")
    assert event["details"]["customer_id"] == "42"
    assert event["details"]["invitations_cancelled"] == 1


def test_a_new_invitation_gives_the_access_back(auth):
    owner = auth.sign_up()
    _client_session(auth, owner, "back@example.com", "7")
    assert owner.client.delete(f"/auth/v1/tenants/{owner.tenant_id}/clients/7").status_code \
        == 204
    again = _client_session(auth, owner, "back@example.com", "7")
    assert again.post("/auth/v1/token/refresh").status_code == 200
    assert again.get("/auth/v1/me").json["customer_id"] == "7"


def test_members_cannot_invite_or_revoke_clients_and_strangers_get_404(auth):
    owner = auth.sign_up(plan="pro")
    _client_session(auth, owner, "kept@example.com", "9")
    member = auth.add_member(owner, "member")
    base = f"/auth/v1/tenants/{owner.tenant_id}"
    invited = member.client.post(f"{base}/client-invitations",
                                 json={"customer_id": "9", "email": "me@example.com"})
    assert invited.status_code == 403
    assert member.client.delete(f"{base}/clients/9").status_code == 403
    stranger = auth.sign_up()
    assert stranger.client.delete(f"{base}/clients/9").status_code == 404
    assert owner.client.delete(f"{base}/clients/unknown").status_code == 404
    assert [c["status"] for c in owner.client.get(f"{base}/clients").json["clients"]] == [
        "active"]
