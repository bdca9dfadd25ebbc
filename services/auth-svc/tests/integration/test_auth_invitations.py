"""Client portal invitations: a single-use magic link by email that opens a client session
scoped to one business and one customer; team invitations on Pro and Enterprise only."""
from __future__ import annotations

import base64

import pytest
from auth_harness import PASSWORD, link_token
from mail_sink.testing import messages, wait_for_message

pytestmark = pytest.mark.integration


def _invite_client(auth, owner, email: str = "client@example.com", customer_id: str = "42"):
    response = owner.client.post(f"/auth/v1/tenants/{owner.tenant_id}/client-invitations",
                                 json={"customer_id": customer_id, "email": email})
    assert response.status_code == 201, response.json
    message = wait_for_message(auth.mail, email)
    assert "http://127.0.0.1:8080/portal/invite/" in message["body"]
    return response.json, link_token(message["body"], "portal/invite")


def test_an_invitation_link_opens_a_client_session_once(auth):
    owner = auth.sign_up()
    invitation, token = _invite_client(auth, owner, "cara@example.com")
    assert invitation["status"] == "pending" and "token" not in invitation
    browser = auth.browser()
    redeemed = browser.post("/auth/v1/client-invitations/redeem", json={"token": token})
    assert redeemed.status_code == 200
    body = redeemed.json
    assert (body["kind"], body["role"], body["customer_id"], body["tenant_id"]) == (
        "client", "client", "42", owner.tenant_id)
    assert browser.get("/auth/v1/me").json["customer_id"] == "42"
    again = auth.browser().post("/auth/v1/client-invitations/redeem", json={"token": token})
    assert again.status_code == 404 and again.json["type"].endswith("/invitation-invalid")
    listed = owner.client.get(f"/auth/v1/tenants/{owner.tenant_id}/client-invitations").json
    assert listed["invitations"][0]["status"] == "redeemed"
    raw = str(list(auth.deps.platform.db["invitations"].find()))
    assert token.split(".")[-1] not in raw  # only the digest is stored


def test_an_expired_invitation_link_does_not_work(auth):
    owner = auth.sign_up()
    _, token = _invite_client(auth, owner, "late@example.com")
    auth.clock.advance(7 * 86400 + 1)
    response = auth.browser().post("/auth/v1/client-invitations/redeem", json={"token": token})
    assert response.status_code == 404


def test_a_client_session_cannot_use_business_endpoints(auth):
    owner = auth.sign_up()
    _, token = _invite_client(auth, owner, "nosy@example.com")
    client = auth.browser()
    client.post("/auth/v1/client-invitations/redeem", json={"token": token})
    for path in (f"/auth/v1/tenants/{owner.tenant_id}/qbo/connection",
                 f"/auth/v1/tenants/{owner.tenant_id}/members",
                 f"/auth/v1/tenants/{owner.tenant_id}/client-invitations"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/auth/v1/tenants/{owner.tenant_id}/qbo/connect").status_code == 403


def test_a_tampered_link_is_refused(auth):
    owner = auth.sign_up()
    _, token = _invite_client(auth, owner, "tamper@example.com")
    other = auth.sign_up()
    prefix, _, secret = token.split(".", 2)
    for forged in (f"{prefix}.{other.tenant_id}.{secret}", token[:-2] + "xx", "garbage"):
        response = auth.browser().post("/auth/v1/client-invitations/redeem",
                                       json={"token": forged})
        assert response.status_code == 404, forged


def test_basic_businesses_cannot_invite_team_members(auth):
    owner = auth.sign_up()
    response = owner.client.post(f"/auth/v1/tenants/{owner.tenant_id}/member-invitations",
                                 json={"email": "mate@example.com", "role": "member"})
    assert response.status_code == 403
    assert response.json["type"].endswith("/plan-does-not-allow")


def test_pro_businesses_invite_members_with_roles(auth):
    owner = auth.sign_up(plan="pro")
    admin = auth.add_member(owner, "admin")
    member = auth.add_member(admin, "member")  # an admin invites too
    members = owner.client.get(f"/auth/v1/tenants/{owner.tenant_id}/members").json["members"]
    assert sorted(m["role"] for m in members) == ["admin", "member", "owner"]
    assert member.tenant_id == owner.tenant_id
    refused = member.client.post(f"/auth/v1/tenants/{owner.tenant_id}/member-invitations",
                                 json={"email": "x@example.com", "role": "member"})
    assert refused.status_code == 403
    by_admin = admin.client.post(f"/auth/v1/tenants/{owner.tenant_id}/member-invitations",
                                 json={"email": "x@example.com", "role": "owner"})
    assert by_admin.status_code == 403  # only an owner makes another owner
    co_owner = auth.add_member(owner, "owner")
    assert co_owner.client.get("/auth/v1/me").json["role"] == "owner"
    assert auth.log_in(member.email).access_token


def test_a_member_invitation_works_once(auth):
    owner = auth.sign_up(plan="enterprise")
    owner.client.post(f"/auth/v1/tenants/{owner.tenant_id}/member-invitations",
                      json={"email": "once@example.com", "role": "member"})
    token = link_token(wait_for_message(auth.mail, "once@example.com")["body"], "join")
    accept = {"token": token, "password": PASSWORD}
    assert auth.browser().post("/auth/v1/member-invitations/accept", json=accept
                               ).status_code == 201
    assert auth.browser().post("/auth/v1/member-invitations/accept", json=accept
                               ).status_code == 404


def test_a_pro_invitation_mail_wears_the_business_branding_and_basic_stays_plain(auth):
    """Through the mail sink: the HTML part has the name on the brand colour and the logo
    inline; a bad colour is refused before any invitation or mail; Basic's stays text."""
    logo = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()
    pro = auth.sign_up(plan="pro")
    url = f"/auth/v1/tenants/{pro.tenant_id}/client-invitations"
    refused = pro.client.post(url, json={"customer_id": "7", "email": "bad@example.com",
                                         "branding": {"color": "#0b3d9", "logo": logo}})
    assert refused.status_code == 422 and not messages(auth.mail, "bad@example.com")
    sent = pro.client.post(url, json={"customer_id": "7", "email": "branded@example.com",
                                      "branding": {"color": "#0b3d91", "logo": logo}})
    assert sent.status_code == 201, sent.json
    mail = wait_for_message(auth.mail, "branded@example.com")
    assert "background:#0b3d91" in mail["html"] and 'src="cid:' in mail["html"]
    assert "/portal/invite/" in mail["body"] and "/portal/invite/" in mail["html"]
    basic = auth.sign_up()
    plain = basic.client.post(f"/auth/v1/tenants/{basic.tenant_id}/client-invitations",
                              json={"customer_id": "7", "email": "plain@example.com",
                                    "branding": {"color": "#0b3d91"}})
    assert plain.status_code == 201
    assert wait_for_message(auth.mail, "plain@example.com")["html"] == ""
