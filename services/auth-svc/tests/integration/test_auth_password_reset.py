"""Password reset (findings 7 and 8): the request answers 202 for known and unknown emails
alike and is rate limited; the emailed link works once, within an hour, and the new
password ends every session of the account."""
from __future__ import annotations

import pytest
from auth_harness import PASSWORD, link_token
from mail_sink.testing import wait_for_message

pytestmark = pytest.mark.integration
NEW_PASSWORD = "a brand new passphrase"


def test_a_reset_link_sets_a_new_password_once_and_ends_old_sessions(auth):
    owner = auth.sign_up()
    known = auth.browser().post("/auth/v1/password-reset", json={"email": owner.email})
    unknown = auth.browser().post("/auth/v1/password-reset", json={"email": "no@example.com"})
    assert (known.status_code, known.get_data()) == (unknown.status_code, unknown.get_data())
    assert known.status_code == 202
    token = link_token(wait_for_message(auth.mail, owner.email)["body"], "reset-password")

    done = auth.browser().post("/auth/v1/password-reset/confirm",
                               json={"token": token, "password": NEW_PASSWORD})

    assert done.status_code == 204
    assert owner.client.get("/auth/v1/me").status_code == 401  # old session ended
    again = auth.browser().post("/auth/v1/password-reset/confirm",
                                json={"token": token, "password": "yet another passphrase"})
    assert again.status_code == 404
    login = auth.browser().post("/auth/v1/login", json={"email": owner.email,
                                                        "password": NEW_PASSWORD})
    assert login.status_code == 200
    assert auth.browser().post("/auth/v1/login", json={
        "email": owner.email, "password": PASSWORD}).status_code == 401


def test_a_reset_link_expires_after_an_hour(auth):
    owner = auth.sign_up()
    auth.browser().post("/auth/v1/password-reset", json={"email": owner.email})
    token = link_token(wait_for_message(auth.mail, owner.email)["body"], "reset-password")
    auth.clock.advance(3601)
    assert auth.browser().post("/auth/v1/password-reset/confirm", json={
        "token": token, "password": NEW_PASSWORD}).status_code == 404


def test_reset_requests_are_rate_limited(auth):
    limited = auth.variant(AUTH_LOGIN_IP_ATTEMPTS_PER_MINUTE="2")
    statuses = [limited.browser().post("/auth/v1/password-reset", json={
        "email": f"r{i}@example.com"}).status_code for i in range(3)]
    assert statuses == [202, 202, 429]
