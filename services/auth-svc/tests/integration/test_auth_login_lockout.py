"""Brute force locks the sign-in for a while, for existing and unknown emails alike (no
user enumeration), and too many attempts from one address are refused."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from auth_harness import PASSWORD

pytestmark = pytest.mark.integration


def _attempt(auth, email: str, password: str = "wrong password 123"):
    return auth.browser().post("/auth/v1/login", json={"email": email, "password": password})


def test_five_failures_lock_the_account_for_fifteen_minutes(auth):
    account = auth.sign_up()
    statuses = [_attempt(auth, account.email).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = _attempt(auth, account.email, PASSWORD)  # even the right password
    assert locked.status_code == 429
    assert locked.json["type"].endswith("/login-locked")
    assert 800 < int(locked.headers["Retry-After"]) <= 901
    auth.clock.advance(14 * 60)
    assert _attempt(auth, account.email, PASSWORD).status_code == 429
    auth.clock.advance(61)
    assert _attempt(auth, account.email, PASSWORD).status_code == 200
    actions = [e["action"] for e in auth.log_in(account.email).client.get(
        f"/auth/v1/tenants/{account.tenant_id}/audit-events").json["events"]]
    assert actions.count("user.login_failed") == 5 and "user.locked" in actions


def test_concurrent_guesses_get_exactly_the_allowed_tries(auth):
    """Finding 8: the count is atomic. Ten guesses at once (the per-email rate limit) get
    exactly five password checks: four answered 401, the fifth locks, the rest are
    refused unchecked, on FerretDB and on MongoDB alike (unique slot inserts)."""
    account = auth.sign_up()
    auth.clock.advance(61)  # sign_up's own login leaves the per-email minute
    start = threading.Barrier(10)

    def guess(_: int):
        start.wait()
        return _attempt(auth, account.email)

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(guess, range(10)))
    assert sorted(r.status_code for r in answers) == [401] * 4 + [429] * 6
    assert all(r.json["type"].endswith("/login-locked") for r in answers
               if r.status_code == 429)
    audit = auth.deps.platform.db["audit_events"]
    assert audit.count_documents({"tenant_id": account.tenant_id,
                                  "action": "user.login_failed"}) == 5
    assert _attempt(auth, account.email, PASSWORD).status_code == 429


def test_unknown_emails_get_the_same_answers_as_known_ones(auth):
    account = auth.sign_up()
    known = [_attempt(auth, account.email) for _ in range(6)]
    unknown = [_attempt(auth, "nobody-here@example.com") for _ in range(6)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    strip = lambda r: {k: v for k, v in r.json.items() if k != "retry_after"}  # noqa: E731
    assert [strip(r) for r in known] == [strip(r) for r in unknown]


def test_a_success_resets_the_failure_count(auth):
    account = auth.sign_up()
    for _ in range(4):
        assert _attempt(auth, account.email).status_code == 401
    assert _attempt(auth, account.email, PASSWORD).status_code == 200
    for _ in range(4):
        assert _attempt(auth, account.email).status_code == 401


def test_too_many_attempts_from_one_address_are_refused(auth):
    limited = auth.variant(AUTH_LOGIN_IP_ATTEMPTS_PER_MINUTE="3")
    statuses = [_attempt(limited, f"u{i}@example.com").status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    auth.clock.advance(61)
    assert _attempt(limited, "u9@example.com").status_code == 401


def test_a_failed_login_does_the_same_writes_for_known_and_unknown_emails(auth):
    """Finding 7: no timing difference from work only known accounts cause."""
    account = auth.sign_up()
    audit = auth.deps.platform.db["audit_events"]
    counts = []
    for email in (account.email, "nobody-at-all@example.com"):
        before = audit.count_documents({})
        assert _attempt(auth, email).status_code == 401
        counts.append(audit.count_documents({}) - before)
    assert counts == [1, 1]
    listed = auth.log_in(account.email).client.get(
        f"/auth/v1/tenants/{account.tenant_id}/audit-events").json["events"]
    assert all(e["actor"] in (account.user_id, None) for e in listed)
    assert len([e for e in listed if e["action"] == "user.login_failed"]) == 1
