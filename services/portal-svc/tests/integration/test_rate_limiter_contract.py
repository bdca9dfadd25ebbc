"""API rate limits: the MongoDB limiter (shared by workers and replicas) and its in-memory
fake keep one contract; two app instances over one database share one budget per key."""
from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from clientsynq.common.mongo import ensure_indexes
from clientsynq.portal.adapters.memory_rate_limiter import FixedWindowLimiter
from clientsynq.portal.adapters.mongo_rate_limiter import COLLECTION, INDEXES, MongoRateLimiter
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.api.ports import RateLimiter
from clocks import ManualClock
from portal_api_harness import Api, seed_business

T0 = 60.0 * 29_666_667 + 20  # 20 s into a one-minute window
Make = Callable[[int], RateLimiter]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def mongo_store(mongo_client: Any) -> Iterator[MongoReadStore]:
    name = f"test_portal_rate_{uuid.uuid4().hex[:10]}"
    store = MongoReadStore(mongo_client, name)
    ensure_indexes(store.base, {COLLECTION: INDEXES})
    yield store
    mongo_client.drop_database(name)


@pytest.fixture(params=["fake", pytest.param("mongo", marks=pytest.mark.integration)])
def make(request: pytest.FixtureRequest, clock: ManualClock) -> Make:
    if request.param == "fake":
        return lambda limit: FixedWindowLimiter(limit, 60, clock=clock)
    store = request.getfixturevalue("mongo_store")
    return lambda limit: MongoRateLimiter(store, limit, 60, clock=clock)


def test_a_key_gets_its_limit_per_window_then_is_told_when_to_come_back(make, clock):
    limiter = make(3)
    decisions = [limiter.hit("key:a") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert {(d.limit, d.reset_seconds) for d in decisions} == {(3, 40)}
    clock.now += 40
    assert limiter.hit("key:a").allowed and limiter.hit("key:a").remaining == 1


def test_keys_have_budgets_of_their_own(make):
    limiter = make(1)
    assert limiter.hit("key:a").allowed and not limiter.hit("key:a").allowed
    assert limiter.hit("user:a").allowed


@pytest.mark.integration
def test_replicas_sharing_the_database_share_one_budget(mongo_store, clock):
    first, second = (MongoRateLimiter(mongo_store, 5, 60, clock=clock) for _ in range(2))
    allowed = [limiter.hit("key:k").allowed for limiter in (first, second) * 4]
    assert allowed.count(True) == 5 and allowed[5:] == [False] * 3
    late = MongoRateLimiter(mongo_store, 5, 60, clock=clock)  # a replica that just started
    assert not late.hit("key:k").allowed


@pytest.mark.integration
def test_racing_workers_never_allow_more_than_the_limit(mongo_store, clock):
    limiters = [MongoRateLimiter(mongo_store, 8, 60, clock=clock) for _ in range(3)]
    results: list[bool] = []

    def worker(limiter: MongoRateLimiter) -> None:
        results.extend(limiter.hit("key:race").allowed for _ in range(5))

    threads = [threading.Thread(target=worker, args=(limiters[i % 3],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 8 and len(results) == 20


@pytest.mark.integration
def test_slots_claimed_in_blocks_never_exceed_the_limit_and_are_all_spent(mongo_store, clock):
    """Blocks of 4 slots (by default a fiftieth of the limit): racing processes together
    never pass the limit, and spend all of it but the blocks still held (3 slots each)."""
    limiters = [MongoRateLimiter(mongo_store, 24, 60, clock=clock, block=4) for _ in range(3)]
    results: list[bool] = []

    def worker(limiter: MongoRateLimiter) -> None:
        results.extend(limiter.hit("key:blocks").allowed for _ in range(8))

    threads = [threading.Thread(target=worker, args=(limiters[i % 3],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 24 - 3 * 3 <= results.count(True) <= 24 and len(results) == 32
    alternating = [limiter.hit("key:turns").allowed for limiter in limiters * 10]
    assert alternating.count(True) == 24 and not any(alternating[-6:])
    assert [d.remaining for d in (limiters[0].hit("key:one") for _ in range(2))] == [23, 22]


@pytest.mark.integration
def test_two_app_instances_answer_429_once_the_shared_budget_is_spent(mongo_store, clock):
    apps = [Api(limiter=MongoRateLimiter(mongo_store, 3, 60, clock=clock)) for _ in range(2)]
    for app in apps:
        seed_business(app, "tenant-r")
    answers = [app.call("GET", "/api/v1/sync", app.token("tenant-r", subject="user-r"))
               for app in (*apps, *apps)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert answers[3].headers["Retry-After"] == "40"
    assert answers[3].get_json()["status"] == 429
