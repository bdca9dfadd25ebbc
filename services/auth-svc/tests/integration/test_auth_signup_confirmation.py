"""Finding 7: with sign-up confirmed by email (the default off loopback), sign-up answers
the same for new and known emails; the new one gets a link that creates the business and
signs the person in (once), the known one a note. How tests and the demo sign up under it:
read the link from the mail sink, open it, press the button."""
from __future__ import annotations

import re

import pytest
from auth_harness import PASSWORD, AuthHarness
from mail_sink.testing import wait_for_message

pytestmark = pytest.mark.integration


@pytest.fixture
def confirming(auth) -> AuthHarness:
    return auth.variant(AUTH_SIGNUP_CONFIRMATION="true")


def _sign_up(harness, email: str):
    return harness.browser().post("/auth/v1/signup", json={
        "business_name": "Acme", "email": email, "password": PASSWORD})


def _confirmation_link(harness, email: str) -> str:
    body = wait_for_message(harness.mail, email)["body"]
    match = re.search(r"http://[^\s]+/auth/v1/signup/confirm\?token=([A-Za-z0-9_-]+)", body)
    assert match, body
    return match.group(1)


def test_new_and_known_emails_get_the_same_answer(auth, confirming):
    known = auth.sign_up()  # same database; signed up before confirmation was switched on
    new = _sign_up(confirming, "fresh-owner@example.com")
    again = _sign_up(confirming, known.email)
    assert (new.status_code, new.json) == (again.status_code, again.json)
    assert new.status_code == 202 and "cs_session" not in str(new.headers)
    note = wait_for_message(confirming.mail, known.email)["body"]
    assert "already has a ClientSynq account" in note and "signup/confirm" not in note
    assert confirming.deps.stores.users.find_by_email("fresh-owner@example.com") is None


def test_without_confirmation_new_and_known_emails_get_the_same_answer(auth):
    """One-step sign-up (confirmation off, loopback test stacks only): a new email gets its
    business at once, yet answers exactly as a known one does, and as confirmation mode
    does: 202, the same body, no session; the known email's owner gets a note.
    Before, a new email answered 201 with a session and a known one 202."""
    known = auth.sign_up()
    again = _sign_up(auth, known.email.upper())
    new = _sign_up(auth, "another-new-owner@example.com")
    assert (new.status_code, new.json) == (again.status_code, again.json)
    assert new.status_code == 202 and new.json == {
        "detail": "Check your email: we sent you a link to confirm your address."}
    for answer in (new, again):
        assert not answer.headers.getlist("Set-Cookie")
    assert "already has a ClientSynq account" in wait_for_message(auth.mail, known.email)["body"]
    owner = auth.log_in("another-new-owner@example.com")  # made at once
    assert auth.roles(owner) == {owner.user_id: "owner"}


def test_the_confirmation_link_creates_the_business_and_signs_in_once(confirming):
    assert _sign_up(confirming, "new-owner@example.com").status_code == 202
    token = _confirmation_link(confirming, "new-owner@example.com")
    browser = confirming.browser()
    page = browser.get("/auth/v1/signup/confirm", query_string={"token": token})
    assert page.status_code == 200 and "Confirm and sign in" in page.get_data(as_text=True)
    assert confirming.deps.stores.users.find_by_email("new-owner@example.com") is None

    done = browser.post("/auth/v1/signup/confirm", data={"token": token})

    assert done.status_code == 303
    assert done.headers["Location"].endswith("/settings/quickbooks")
    me = browser.get("/auth/v1/me").json
    assert me["role"] == "owner" and me["plan"] == "basic"
    assert confirming.browser().post("/auth/v1/signup/confirm",
                                     data={"token": token}).status_code == 404
    login = confirming.browser().post("/auth/v1/login", json={
        "email": "new-owner@example.com", "password": PASSWORD})
    assert login.status_code == 200


def test_a_confirmation_posted_from_another_site_is_refused(confirming):
    _sign_up(confirming, "csrf-owner@example.com")
    token = _confirmation_link(confirming, "csrf-owner@example.com")
    forged = confirming.api().post("/auth/v1/signup/confirm", data={"token": token},
                                   headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
