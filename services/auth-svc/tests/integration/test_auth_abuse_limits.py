"""Finding 8 (part): the login lockout is a back-off for the guessing address, which an
attacker cannot use to keep the owner out; sign-up, invitation accept and redeem are rate
limited per address (and sign-up per email) before any argon2 work or lookup."""
from __future__ import annotations

import pytest
from auth_harness import PASSWORD

pytestmark = pytest.mark.integration


def _from(auth, address: str):
    client = auth.browser()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_an_attacker_locking_the_owner_from_their_address_does_not_lock_the_owner_out(auth):
    owner = auth.sign_up()
    attacker = _from(auth, "203.0.113.66")
    answers = [attacker.post("/auth/v1/login", json={"email": owner.email,
                                                     "password": "wrong password 123"})
               for _ in range(5)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
    assert attacker.post("/auth/v1/login", json={"email": owner.email,
                                                 "password": PASSWORD}).status_code == 429
    at_home = _from(auth, "198.51.100.7").post("/auth/v1/login", json={
        "email": owner.email, "password": PASSWORD})
    assert at_home.status_code == 200


def test_sign_up_accept_and_redeem_are_rate_limited_per_address(auth):
    limited = auth.variant(AUTH_LOGIN_IP_ATTEMPTS_PER_MINUTE="3")
    client = _from(limited, "203.0.113.9")
    signups = [client.post("/auth/v1/signup", json={
        "business_name": "Spam", "email": f"spam{i}@example.com", "password": PASSWORD})
        for i in range(4)]
    assert [s.status_code for s in signups] == [202, 202, 202, 429]
    assert signups[3].headers["Retry-After"] == "60"
    assert limited.deps.stores.users.find_by_email("spam3@example.com") is None
    guesses = [client.post("/auth/v1/client-invitations/redeem",
                           json={"token": f"cli.t1.guess{i}"}).status_code for i in range(4)]
    assert guesses == [404, 404, 404, 429]
    accepts = [client.post("/auth/v1/member-invitations/accept", json={
        "token": f"mem.t1.guess{i}", "password": PASSWORD}).status_code for i in range(4)]
    assert accepts == [404, 404, 404, 429]
    auth.clock.advance(61)
    assert client.post("/auth/v1/signup", json={
        "business_name": "Later", "email": "later@example.com",
        "password": PASSWORD}).status_code == 202


def test_sign_up_is_rate_limited_per_email_across_addresses(auth):
    statuses = [_from(auth, f"192.0.2.{i}").post("/auth/v1/signup", json={
        "business_name": "Acme", "email": "target@example.com", "password": PASSWORD}
    ).status_code for i in range(11)]
    assert statuses[0] == 202 and statuses[-1] == 429
