"""The OAuth state port: the MongoDB adapter (on the MongoDB-wire server) and the fake of
tests/auth_fakes.py answer alike, so unit tests on the fake say something true."""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from auth_fakes import FakeOAuthStates
from clientsynq.auth.adapters.mongo_sessions import OAuthStateStore
from clientsynq.auth.domain.records import OAuthState
from clientsynq.auth.services.ports import OAuthStates

pytestmark = pytest.mark.integration  # the adapter half needs the MongoDB-wire server
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["mongo", "fake"])
def states(request, mongo_db) -> OAuthStates:
    makers: dict[str, Callable[[], OAuthStates]] = {
        "mongo": lambda: OAuthStateStore(mongo_db), "fake": FakeOAuthStates}
    return makers[request.param]()


def _started(states: OAuthStates, digest: str, minutes: int = 10) -> None:
    states.add(digest, OAuthState("t1", "u1", NOW + timedelta(minutes=minutes)), NOW)


def test_a_state_is_consumed_once_by_its_user_and_business(states):
    _started(states, "d1")
    assert not states.consume("t2", "u1", "d1", NOW)
    assert not states.consume("t1", "u2", "d1", NOW)
    assert states.consume("t1", "u1", "d1", NOW)
    assert not states.consume("t1", "u1", "d1", NOW)
    assert not states.consume("t1", "u1", "unknown", NOW)


def test_an_expired_state_is_refused(states):
    _started(states, "d2", minutes=1)
    assert not states.consume("t1", "u1", "d2", NOW + timedelta(minutes=1))


def test_concurrent_consumers_win_once(states):
    _started(states, "d3")
    with ThreadPoolExecutor(8) as pool:
        wins = list(pool.map(lambda _: states.consume("t1", "u1", "d3", NOW), range(8)))
    assert wins.count(True) == 1
