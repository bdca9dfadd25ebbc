"""The token journal and the login throttle: the MongoDB adapters (on the MongoDB-wire
server) and the fakes of tests/auth_fakes.py answer alike, including the exact number of
failure slots under concurrency."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from auth_fakes import FakeLoginThrottles, FakeTokenJournal
from clientsynq.auth.adapters.mongo_accounts import LoginThrottleStore
from clientsynq.auth.adapters.token_journal import TokenJournal
from clientsynq.auth.domain.records import SealedTokens

pytestmark = pytest.mark.integration  # the adapter half needs the MongoDB-wire server
NOW = datetime(2026, 3, 1, 12, 0, 30, tzinfo=UTC)
LOCK = 900.0  # AUTH_LOGIN_LOCK's default: 15 minutes


@pytest.fixture(params=["mongo", "fake"])
def journal(request, mongo_db) -> Any:
    return TokenJournal(mongo_db) if request.param == "mongo" else FakeTokenJournal()


@pytest.fixture(params=["mongo", "fake"])
def throttle(request, mongo_db) -> Any:
    return LoginThrottleStore(mongo_db) if request.param == "mongo" else FakeLoginThrottles()


def _pair(journal: Any, base: int, seconds: int, tenant_id: str = "t1",
          realm_id: str = "r1") -> str:
    return journal.record(tenant_id, realm_id, base, SealedTokens(f"a{base}", f"r{base}", "k1"),
                          NOW + timedelta(hours=1), NOW + timedelta(days=100),
                          NOW + timedelta(seconds=seconds))


def test_the_newest_unsaved_pair_for_the_version_held_is_adopted(journal):
    assert journal.unsaved("t1", "r1", 3) is None
    _pair(journal, 2, 0)  # older than the version held: of no use
    newest = _pair(journal, 3, 2)
    _pair(journal, 3, 1)
    _pair(journal, 5, 9, tenant_id="t2")
    _pair(journal, 5, 9, realm_id="r2")
    found = journal.unsaved("t1", "r1", 3)
    assert (found.entry_id, found.base_version, found.tokens.refresh) == (newest, 3, "r3")
    journal.forget("t2", newest)  # another business's forget touches nothing
    assert journal.unsaved("t1", "r1", 3).entry_id == newest
    journal.forget("t1", newest)
    assert journal.unsaved("t1", "r1", 3).entry_id != newest


def test_exactly_the_allowed_failures_are_claimed_under_concurrency(throttle):
    with ThreadPoolExecutor(8) as pool:
        claims = list(pool.map(lambda _: throttle.claim_attempt("k", NOW, 5, LOCK), range(8)))
    assert sorted(c for c in claims if c is not None) == [0, 1, 2, 3, 4]
    assert claims.count(None) == 3
    throttle.clear("k")
    assert throttle.claim_attempt("k", NOW, 5, LOCK) == 4


def test_the_previous_windows_recent_failures_still_count(throttle):
    edge = datetime.fromtimestamp((int(NOW.timestamp() // LOCK) + 1) * LOCK, UTC)
    for _ in range(3):
        throttle.claim_attempt("k", edge - timedelta(seconds=1), 5, LOCK)
    assert throttle.claim_attempt("k", edge, 5, LOCK) == 1
    assert throttle.claim_attempt("k", edge + timedelta(seconds=LOCK + 1), 5, LOCK) == 4


def test_a_lock_holds_until_it_expires_and_attempts_count_per_minute(throttle):
    assert throttle.get("k", NOW).locked_until is None
    locked = throttle.lock("k", NOW, LOCK)
    assert throttle.get("k", NOW + timedelta(seconds=1)).is_locked(NOW + timedelta(seconds=1))
    assert throttle.get("k", NOW + timedelta(seconds=LOCK)).locked_until is None
    assert locked.locked_until == NOW + timedelta(seconds=LOCK)
    assert [throttle.count_attempt("a", NOW + timedelta(seconds=i)) for i in range(3)] == [
        1, 2, 3]
    assert throttle.count_attempt("a", NOW + timedelta(seconds=61)) == 2
    assert throttle.count_attempt("b", NOW) == 1


def test_concurrent_attempts_are_each_counted_once(throttle):
    with ThreadPoolExecutor(8) as pool:
        counts = list(pool.map(lambda i: throttle.count_attempt(
            "ip", NOW + timedelta(milliseconds=i)), range(16)))
    assert sorted(counts) == list(range(1, 17))
    assert throttle.count_attempt("ip", NOW + timedelta(seconds=59)) == 17
    assert throttle.count_attempt("ip", NOW + timedelta(seconds=61)) == 2
