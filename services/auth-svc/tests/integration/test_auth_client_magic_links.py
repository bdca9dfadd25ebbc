"""Returning portal clients ask for a sign-in link by email: the same 202 for every address,
one single-use 15-minute link per active identity (customer of a business), refused once
used, expired or revoked, and never a way into another business."""
from __future__ import annotations

import re
import uuid

import pytest
from auth_harness import link_token
from mail_sink.testing import messages, wait_for_message

pytestmark = pytest.mark.integration
REQUEST, REDEEM = "/auth/v1/client-magic-links", "/auth/v1/client-magic-links/redeem"


def _email(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


def _client(auth, owner, email: str, customer_id: str = "42") -> None:
    """An invited client who used the invitation: the identity a link is for."""
    owner.client.post(f"/auth/v1/tenants/{owner.tenant_id}/client-invitations",
                      json={"customer_id": customer_id, "email": email})
    token = link_token(wait_for_message(auth.mail, email)["body"], "portal/invite")
    assert auth.browser().post("/auth/v1/client-invitations/redeem",
                               json={"token": token}).status_code == 200


def _ask(auth, email: str) -> list[str]:
    """Mail is sent before the 202, so the sink already holds every link of this request."""
    before = len(messages(auth.mail, email))
    response = auth.browser().post(REQUEST, json={"email": email})
    assert (response.status_code, response.data) == (202, b"")
    return [t for m in messages(auth.mail, email)[before:]
            for t in re.findall(r"/portal/signin/([A-Za-z0-9._-]+)", m["body"])]


def test_a_link_is_mailed_and_opens_a_client_session_once(auth):
    owner, email = auth.sign_up(), _email("cara")
    _client(auth, owner, email)
    [token] = _ask(auth, email.upper())
    assert "http://127.0.0.1:8080/portal/signin/" in messages(auth.mail, email)[-1]["body"]
    browser = auth.browser()
    redeemed = browser.post(REDEEM, json={"token": token})
    assert redeemed.status_code == 200, redeemed.json
    assert (redeemed.json["kind"], redeemed.json["customer_id"], redeemed.json["tenant_id"]
            ) == ("client", "42", owner.tenant_id)
    assert "access_token" not in redeemed.json  # a browser gets cookies only
    assert browser.get("/auth/v1/me").json["customer_id"] == "42"
    api = auth.api().post(REDEEM, json={"token": token})
    assert api.status_code == 404 and api.json["type"].endswith("/invitation-invalid")
    assert "ask for a new one" in api.json["detail"]
    assert token.split(".")[-1] not in str(list(auth.deps.platform.db["invitations"].find()))
    listed = owner.client.get(f"/auth/v1/tenants/{owner.tenant_id}/client-invitations").json
    assert len(listed["invitations"]) == 1  # sign-in links are not invitations
    assert [e["details"]["customer_id"] for e in auth.audit_events(owner, "client_link.redeemed")
            ] == ["42"]


def test_an_api_client_gets_tokens_in_the_body(auth):
    owner, email = auth.sign_up(), _email("api")
    _client(auth, owner, email)
    [token] = _ask(auth, email)
    body = auth.api().post(REDEEM, json={"token": token}).json
    assert body["access_token"] and body["customer_id"] == "42"


def test_an_expired_link_is_refused(auth):
    owner, email = auth.sign_up(), _email("late")
    _client(auth, owner, email)
    [token] = _ask(auth, email)
    auth.clock.advance(15 * 60 + 1)
    response = auth.browser().post(REDEEM, json={"token": token})
    assert response.status_code == 404 and response.json["type"].endswith("/invitation-invalid")


def test_a_revoked_client_gets_no_link_and_its_old_link_is_refused(auth):
    owner, email = auth.sign_up(), _email("gone")
    _client(auth, owner, email)
    [old] = _ask(auth, email)
    assert owner.client.delete(f"/auth/v1/tenants/{owner.tenant_id}/clients/42"
                               ).status_code == 204
    assert _ask(auth, email) == []
    refused = auth.browser().post(REDEEM, json={"token": old})
    assert refused.status_code == 404
    clients = owner.client.get(f"/auth/v1/tenants/{owner.tenant_id}/clients").json["clients"]
    assert clients[0]["status"] == "revoked"  # the link did not give the access back


def test_an_unknown_email_gets_the_same_answer_and_no_mail(auth):
    email = _email("nobody")
    assert _ask(auth, email) == []
    assert messages(auth.mail, email) == []


def test_one_link_per_business_and_none_reaches_another(auth):
    first, second, email = auth.sign_up(), auth.sign_up(), _email("both")
    _client(auth, first, email, "7")
    _client(auth, second, email, "8")
    tokens = _ask(auth, email)
    assert len(tokens) == 2
    sessions = {}
    for token in tokens:
        browser = auth.browser()
        body = browser.post(REDEEM, json={"token": token}).json
        sessions[body["tenant_id"]] = (body["customer_id"], browser)
    assert {t: c for t, (c, _) in sessions.items()} == {first.tenant_id: "7",
                                                       second.tenant_id: "8"}
    _, in_first = sessions[first.tenant_id]
    for path in (f"/auth/v1/tenants/{second.tenant_id}/clients",
                 f"/auth/v1/tenants/{second.tenant_id}/client-invitations"):
        assert in_first.get(path).status_code in (403, 404), path  # role or tenant check


def test_a_link_moved_to_another_business_or_an_invitation_token_is_refused(auth):
    owner, other, email = auth.sign_up(), auth.sign_up(), _email("forge")
    _client(auth, owner, email)
    [token] = _ask(auth, email)
    prefix, _, secret = token.split(".", 2)
    for forged in (f"{prefix}.{other.tenant_id}.{secret}", f"cli.{owner.tenant_id}.{secret}",
                   token[:-2] + "xx", "garbage"):
        assert auth.browser().post(REDEEM, json={"token": forged}).status_code == 404, forged
    assert auth.browser().post(REDEEM, json={"token": token}).status_code == 200


def test_bad_input_is_refused(auth):
    for path, payload in ((REQUEST, {"email": "a@example.com", "tenant_id": "x"}),
                          (REQUEST, {}), (REQUEST, {"email": "x" * 300}),
                          (REDEEM, {"token": "t", "extra": 1}), (REDEEM, {})):
        response = auth.browser().post(path, json=payload)
        assert response.status_code == 422, (path, payload)
        assert response.content_type == "application/problem+json"


def test_asking_is_rate_limited_per_email(auth):
    email = _email("spam")
    answers = [auth.browser().post(REQUEST, json={"email": email}).status_code
               for _ in range(11)]
    assert answers == [202] * 10 + [429]
