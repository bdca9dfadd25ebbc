"""Finding 1: actions that create a credential or change the QuickBooks connection read the
caller's role from the database, not from an access token that can be 15 minutes old;
pending invitations can be listed and cancelled; removing a member revokes the invitations
and API keys they created."""
from __future__ import annotations

import pytest
from auth_harness import PASSWORD, link_token
from mail_sink.testing import wait_for_message

pytestmark = pytest.mark.integration


def _attempts(auth, actor):
    """Every credential-creating or connection-changing action, with the actor's old token."""
    base = f"/auth/v1/tenants/{actor.tenant_id}"
    headers = actor.bearer
    return {
        "invite member": auth.browser().post(f"{base}/member-invitations", headers=headers,
                                             json={"email": "x1@example.com", "role": "member"}),
        "invite client": auth.browser().post(f"{base}/client-invitations", headers=headers,
                                             json={"email": "x2@example.com",
                                                   "customer_id": "1"}),
        "api key": auth.browser().post(f"{base}/api-keys", headers=headers, json={"name": "k"}),
        "connect": auth.browser().post(f"{base}/qbo/connect", headers=headers),
        "disconnect": auth.browser().delete(f"{base}/qbo/connection", headers=headers),
    }


@pytest.mark.parametrize(("fate", "status", "slug"), [
    ("demoted", 403, "/role-not-allowed"),
    ("removed", 401, "/unauthorized"),  # the session ended too (finding 3)
])
def test_an_admin_token_outliving_the_role_creates_nothing(auth, fate, status, slug):
    owner = auth.sign_up(plan="enterprise")
    auth.connect(owner)
    admin = auth.add_member(owner, "admin")
    if fate == "demoted":
        assert auth.change_role(owner, admin.user_id, "member").status_code == 200
    else:
        assert auth.remove(owner, admin.user_id).status_code == 204

    answers = _attempts(auth, admin)  # the admin's access JWT still says "admin"

    assert {what: r.status_code for what, r in answers.items()} == dict.fromkeys(answers, status)
    assert all(r.json["type"].endswith(slug) for r in answers.values())
    status = owner.client.get(f"/auth/v1/tenants/{owner.tenant_id}/qbo/connection").json
    assert status["status"] == "connected"
    assert owner.client.get(f"/auth/v1/tenants/{owner.tenant_id}/api-keys").json == {
        "api_keys": []}


def test_a_demoted_admin_cannot_finish_a_connect_started_before(auth):
    owner = auth.sign_up()
    auth.set_plan(owner.tenant_id, "pro")
    owner = auth.log_in(owner.email)
    admin = auth.add_member(owner, "admin")
    params = auth.authorize(admin, auth.company())
    assert auth.change_role(owner, admin.user_id, "member").status_code == 200
    page = auth.callback(admin, params)
    assert page.status_code == 403
    assert owner.client.get(f"/auth/v1/tenants/{owner.tenant_id}/qbo/connection").json[
        "status"] == "not_connected"


@pytest.mark.parametrize("kind", ["member", "client"])
def test_a_pending_invitation_can_be_listed_and_cancelled(auth, kind):
    owner = auth.sign_up(plan="pro")
    email = f"cancel-{kind}@example.com"
    base = f"/auth/v1/tenants/{owner.tenant_id}/{kind}-invitations"
    body = {"email": email, "role": "member"} if kind == "member" else {
        "email": email, "customer_id": "7"}
    created = owner.client.post(base, json=body)
    assert created.status_code == 201, created.json
    token = link_token(wait_for_message(auth.mail, email)["body"],
                       "join" if kind == "member" else "portal/invite")
    assert [i["status"] for i in owner.client.get(base).json["invitations"]] == ["pending"]

    assert owner.client.delete(f"{base}/{created.json['invitation_id']}").status_code == 204

    listed = owner.client.get(base).json["invitations"]
    assert listed[0]["status"] == "cancelled" and listed[0]["cancelled_at"]
    assert _use(auth, kind, token).status_code == 404
    assert owner.client.delete(f"{base}/{created.json['invitation_id']}").status_code == 204
    assert owner.client.delete(f"{base}/nope").status_code == 404
    assert len(auth.audit_events(owner, f"{kind}_invitation.cancelled")) == 1


def test_another_business_cannot_cancel_an_invitation(auth):
    owner, stranger = auth.sign_up(plan="pro"), auth.sign_up(plan="pro")
    created = owner.client.post(f"/auth/v1/tenants/{owner.tenant_id}/member-invitations",
                                json={"email": "keep@example.com", "role": "member"})
    path = f"/auth/v1/tenants/{stranger.tenant_id}/member-invitations/" \
           f"{created.json['invitation_id']}"
    assert stranger.client.delete(path).status_code == 404
    listed = owner.client.get(f"/auth/v1/tenants/{owner.tenant_id}/member-invitations").json
    assert listed["invitations"][0]["status"] == "pending"


def test_removing_a_member_revokes_their_invitations_and_api_keys(auth):
    owner = auth.sign_up(plan="enterprise")
    admin = auth.add_member(owner, "admin")
    base = f"/auth/v1/tenants/{owner.tenant_id}"
    assert admin.client.post(f"{base}/member-invitations", json={
        "email": "friend@example.com", "role": "admin"}).status_code == 201
    assert admin.client.post(f"{base}/client-invitations", json={
        "email": "self@example.com", "customer_id": "3"}).status_code == 201
    key = admin.client.post(f"{base}/api-keys", json={"name": "mine"}).json["key"]
    kept = owner.client.post(f"{base}/api-keys", json={"name": "owner's"}).json["key"]
    join = link_token(wait_for_message(auth.mail, "friend@example.com")["body"], "join")
    portal = link_token(wait_for_message(auth.mail, "self@example.com")["body"],
                        "portal/invite")

    assert auth.remove(owner, admin.user_id).status_code == 204

    assert _use(auth, "member", join).status_code == 404
    assert _use(auth, "client", portal).status_code == 404
    verify = "/internal/v1/api-keys/verify"
    assert auth.internal("POST", verify, "portal-svc", json={"key": key}).status_code == 401
    assert auth.internal("POST", verify, "portal-svc", json={"key": kept}).status_code == 200
    [removed] = auth.audit_events(owner, "member.removed")
    assert removed["details"]["invitations_cancelled"] == 2
    assert removed["details"]["api_keys_revoked"] == 1


def _use(auth, kind: str, token: str):
    if kind == "member":
        return auth.browser().post("/auth/v1/member-invitations/accept",
                                   json={"token": token, "password": PASSWORD})
    return auth.browser().post("/auth/v1/client-invitations/redeem", json={"token": token})
