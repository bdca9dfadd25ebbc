"""The per-realm limiter: a sliding minute and a concurrency cap, shared by threads."""
from __future__ import annotations

import threading

from clientsynq.sync.adapters.rate_limiter import WINDOW_SECONDS, RealmLimiter
from clocks import ManualClock


def test_no_more_than_the_concurrency_cap_at_once():
    limiter = RealmLimiter(requests_per_minute=100, concurrent=2)
    limiter.acquire("r1")
    limiter.acquire("r1")
    third = threading.Thread(target=limiter.acquire, args=("r1",), daemon=True)
    third.start()
    third.join(timeout=0.2)
    assert third.is_alive()  # waiting for a slot
    limiter.release("r1")
    third.join(timeout=2)
    assert not third.is_alive()


def test_realms_do_not_share_limits():
    limiter = RealmLimiter(requests_per_minute=1, concurrent=1)
    limiter.acquire("r1")
    limiter.acquire("r2")  # would block if realms shared a window


def test_the_minute_window_slides():
    clock = ManualClock(1000.0)
    limiter = RealmLimiter(requests_per_minute=2, concurrent=10, clock=clock)
    for _ in range(2):
        limiter.acquire("r1")
        limiter.release("r1")
    # Intuit's minute plus a margin for requests that arrive later than they were sent.
    assert limiter._wait_needed(limiter._realms["r1"]) == WINDOW_SECONDS > 60.0
    clock.now += WINDOW_SECONDS
    assert limiter._wait_needed(limiter._realms["r1"]) == 0.0


def test_no_more_than_the_per_second_limit_in_any_second():
    clock = ManualClock(1000.0)
    limiter = RealmLimiter(requests_per_minute=500, concurrent=100, requests_per_second=3,
                           clock=clock)
    for _ in range(3):
        limiter.acquire("r1")
        limiter.release("r1")
    assert limiter._wait_needed(limiter._realms["r1"]) > 1.0  # the fourth waits past 1 s
    clock.now += 1.2
    assert limiter._wait_needed(limiter._realms["r1"]) == 0.0


def test_a_lone_429_below_our_own_minute_budget_waits_out_the_second_not_a_minute():
    clock = ManualClock(1000.0)
    limiter = RealmLimiter(requests_per_minute=500, concurrent=10, clock=clock)
    limiter.acquire("r1")
    limiter.release("r1")
    # someone else (auth-svc at connect time) spent part of this second's budget
    assert limiter.throttled("r1", None, advised=60.0) < 2.0
    clock.now += 5
    # a second 429 within the advised pause: Intuit's full minute, as it advises
    assert limiter.throttled("r1", None, advised=60.0) == 60.0
    assert limiter._wait_needed(limiter._realms["r1"]) == 60.0


def test_a_429_near_our_own_minute_limit_or_with_retry_after_waits_as_told():
    clock = ManualClock(1000.0)
    limiter = RealmLimiter(requests_per_minute=10, concurrent=10, requests_per_second=100,
                           clock=clock)
    for _ in range(10):
        limiter.acquire("r1")
        limiter.release("r1")
    assert limiter.throttled("r1", None, advised=60.0) == 60.0
    assert RealmLimiter(500, 10, clock=clock).throttled("r2", 7.0, advised=60.0) == 7.0


def test_a_realm_first_used_leaves_one_request_of_its_first_second_to_other_processes():
    clock = ManualClock(1000.0)
    limiter = RealmLimiter(requests_per_minute=500, concurrent=100, requests_per_second=3,
                           clock=clock, unseen_first_second=True)
    for _ in range(2):
        limiter.acquire("r1")
        limiter.release("r1")
    assert limiter._wait_needed(limiter._realms["r1"]) > 1.0  # auth-svc's read may be in it
    clock.now += 1.2
    assert limiter._wait_needed(limiter._realms["r1"]) == 0.0
