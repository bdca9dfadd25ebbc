"""The per-realm limiter: a sliding minute, a per-second window and a concurrency cap,
shared by threads. Time moves by a `ManualClock`; no test waits for it to pass, and the
one test with a thread waits only for events (the thread blocked, the thread let through).
"""
from __future__ import annotations

import heapq
import random
import threading

import pytest
from clientsynq.sync.adapters.rate_limiter import SECOND_WINDOW, WINDOW_SECONDS, RealmLimiter
from clocks import ManualClock
from waiting import wait_until

START = 1000.0


def a_limiter(clock: ManualClock, requests_per_minute: int = 500, concurrent: int = 10,
              requests_per_second: int = 10, unseen_first_second: bool = False) -> RealmLimiter:
    """Intuit's limits (500 a minute, 10 a second, 10 in flight) unless a test says."""
    return RealmLimiter(requests_per_minute, concurrent, requests_per_second, clock=clock,
                        unseen_first_second=unseen_first_second)


def send(limiter: RealmLimiter, realm: str, count: int, clock: ManualClock,
         every: float | None = None) -> None:
    """`count` requests, `every` seconds apart (the limiter's spacing unless given), each
    answered at once; each must be free to go (never blocks)."""
    every = limiter.spacing if every is None else every
    for _ in range(count):
        assert limiter.wait_needed(realm) == 0.0
        with limiter.slot(realm):
            pass
        clock.advance(every)


def test_no_more_than_ten_requests_of_a_realm_in_flight_at_once():
    clock = ManualClock(START)
    limiter = a_limiter(clock, requests_per_second=100)
    for _ in range(10):  # only the cap, not the second, holds the 11th
        limiter.acquire("r1")
        clock.advance(0.12)
    assert limiter.wait_needed("r1") > 0
    eleventh = threading.Thread(target=limiter.acquire, args=("r1",), daemon=True)
    eleventh.start()
    wait_until(lambda: limiter.waiting("r1") == 1, timeout=5, what="the 11th to block",
               interval=0.001)
    assert limiter.in_flight("r1") == 10  # blocked, not sent
    limiter.release("r1")
    eleventh.join(timeout=5)
    assert not eleventh.is_alive()
    assert (limiter.in_flight("r1"), limiter.waiting("r1")) == (10, 0)


def test_realms_do_not_share_limits():
    clock = ManualClock(START)
    limiter = a_limiter(clock, requests_per_minute=1, concurrent=1)
    limiter.acquire("r1")
    limiter.pause("r1", 30.0)
    assert limiter.wait_needed("r1") == 30.0
    assert limiter.wait_needed("r2") == 0.0
    limiter.acquire("r2")  # would block if realms shared a window
    assert (limiter.in_flight("r1"), limiter.in_flight("r2")) == (1, 1)


def test_no_more_than_500_requests_of_a_realm_in_any_minute_and_the_window_slides():
    clock = ManualClock(START)
    limiter = a_limiter(clock)
    send(limiter, "r1", 500, clock, every=0.12)  # 10 a second would allow 545 a minute
    # Intuit's minute plus a margin for requests that arrive later than they were sent.
    assert WINDOW_SECONDS > 60.0
    assert limiter.wait_needed("r1") == pytest.approx(START + WINDOW_SECONDS - clock())
    clock.now = START + WINDOW_SECONDS  # the first request leaves the window
    assert limiter.wait_needed("r1") == 0.0


def test_no_more_than_ten_requests_of_a_realm_in_any_second():
    clock = ManualClock(START)
    limiter = a_limiter(clock)
    sent = []
    for _ in range(10):
        sent.append(limiter.acquire("r1"))
        clock.advance(limiter.spacing)
    for _ in sent:
        limiter.release("r1")  # all ten answered now
    wait = limiter.wait_needed("r1")
    assert wait == pytest.approx(SECOND_WINDOW) and wait > 1.0  # the 11th waits past 1 s
    clock.advance(wait)
    assert limiter.wait_needed("r1") == 0.0


def test_a_lone_429_below_our_own_minute_budget_waits_out_the_second_not_a_minute():
    clock = ManualClock(START)
    limiter = a_limiter(clock)
    send(limiter, "r1", 1, clock)
    # someone else (auth-svc at connect time) spent part of this second's budget
    assert limiter.throttled("r1", None, advised=60.0) < 2.0
    clock.advance(5)
    # a second 429 within the advised pause: Intuit's full minute, as it advises
    assert limiter.throttled("r1", None, advised=60.0) == 60.0
    assert limiter.wait_needed("r1") == pytest.approx(60.0)
    assert limiter.wait_needed("r2") == 0.0  # every thread of r1 pauses, r2 does not


def test_429s_of_requests_sent_before_the_first_came_back_are_one_burst():
    clock = ManualClock(START)
    limiter = a_limiter(clock)
    sent = []
    for _ in range(3):  # all three on their way at once
        sent.append(limiter.acquire("r1"))
        clock.advance(limiter.spacing)
    first = limiter.throttled("r1", None, advised=60.0, sent_at=sent[0])
    assert first < 2.0  # a lone 429 below our minute budget: the second window
    clock.advance(0.02)
    # the others were sent before that 429 came back: the same burst, not a second refusal
    assert limiter.throttled("r1", None, advised=60.0, sent_at=sent[1]) < 2.0
    assert limiter.wait_needed("r1") < 2.0
    assert limiter.throttled("r1", 5.0, advised=60.0, sent_at=sent[2]) == pytest.approx(5.0)
    for _ in sent:
        limiter.release("r1")
    clock.advance(5.0)
    # a request sent after the realm backed off and refused again: Intuit's full minute
    later = limiter.acquire("r1")
    assert limiter.throttled("r1", None, advised=60.0, sent_at=later) == 60.0


def test_a_429_near_our_own_minute_limit_or_with_retry_after_waits_as_told():
    clock = ManualClock(START)
    limiter = a_limiter(clock, requests_per_minute=10, requests_per_second=100)
    send(limiter, "r1", 10, clock)
    assert limiter.throttled("r1", None, advised=60.0) == 60.0
    assert limiter.throttled("r2", 7.0, advised=60.0) == 7.0
    assert limiter.wait_needed("r2") == 7.0


def test_a_realm_first_used_leaves_one_request_of_its_first_second_to_other_processes():
    clock = ManualClock(START)
    limiter = a_limiter(clock, requests_per_second=3, unseen_first_second=True)
    send(limiter, "r1", 2, clock)
    # auth-svc's read may be in it: the third waits for the first answer to leave
    assert limiter.wait_needed("r1") == pytest.approx(START + SECOND_WINDOW - clock())
    clock.advance(1.2)
    assert limiter.wait_needed("r1") == 0.0
    send(limiter, "r1", 3, clock)  # after the first second, the whole budget is ours


def test_a_request_counts_in_the_second_until_a_second_after_its_answer():
    """Ten requests sent at once and answered half a second later: QBO may have admitted
    any of them up to their answer, so the eleventh waits for a second after the answers,
    not after the sends."""
    clock = ManualClock(START)
    limiter = a_limiter(clock)
    for _ in range(10):
        limiter.acquire("r1")
        clock.advance(limiter.spacing)
    for _ in range(10):
        limiter.release("r1", answered_at=START + 1.5)
    clock.now = START + 2.0  # a second after the sends, not after the answers
    assert limiter.wait_needed("r1") == pytest.approx(START + 1.5 + SECOND_WINDOW - clock())
    clock.now = START + 1.5 + SECOND_WINDOW
    assert limiter.wait_needed("r1") == 0.0


def test_requests_still_in_flight_count_in_every_window_however_long_ago_they_left():
    clock = ManualClock(START)
    limiter = a_limiter(clock, requests_per_minute=8)
    for _ in range(5):
        limiter.acquire("r1")  # never answered yet
        clock.advance(limiter.spacing)
    clock.advance(100.0)
    first_answer = clock()
    send(limiter, "r1", 3, clock)
    # the minute is full: until the first answer leaves it (a release wakes waiters sooner)
    assert limiter.wait_needed("r1") == pytest.approx(first_answer + WINDOW_SECONDS - clock())
    limiter.release("r1")
    assert limiter.wait_needed("r1") > 0.0  # its answer now counts for a minute
    clock.advance(WINDOW_SECONDS)
    assert limiter.wait_needed("r1") == 0.0


def test_ticket_marks_the_answer_from_the_first_headers_and_release_uses_it():
    clock = ManualClock(START)
    limiter = a_limiter(clock, requests_per_second=1)
    with limiter.slot("r1") as ticket:
        assert ticket.sent_at == START
        clock.advance(0.3)
        ticket.answered()
        clock.advance(5.0)  # reading a long body: the answer had come already
        ticket.answered()
    assert ticket.answered_at == START + 0.3
    assert limiter.wait_needed("r1") == 0.0


def test_requests_of_a_realm_leave_a_tenth_of_the_second_apart_not_all_at_once():
    clock = ManualClock(START)
    limiter = a_limiter(clock)
    limiter.acquire("r1")
    assert limiter.wait_needed("r1") == pytest.approx(limiter.spacing)
    assert limiter.spacing == pytest.approx(SECOND_WINDOW / 10)
    assert limiter.wait_needed("r2") == 0.0  # another realm is not held back
    clock.advance(limiter.spacing)
    assert limiter.wait_needed("r1") == 0.0


@pytest.mark.parametrize("seed", range(8))
def test_requests_delayed_on_the_way_never_put_eleven_in_one_of_qbos_seconds(seed):
    """Ten threads send as fast as the limiter allows; each request reaches QBO's count up
    to half a second after it leaves and is answered up to half a second after that. QBO's
    view (its admission times) never holds eleven in any second. Counting from the send
    instead fails this within the first few hundred requests."""
    rng = random.Random(seed)
    clock = ManualClock(START)
    limiter = a_limiter(clock, requests_per_minute=100_000, concurrent=10)
    admitted: list[float] = []
    answers: list[tuple[float, int]] = []  # (answered at, request number), a heap
    while len(admitted) < 400:
        wait = limiter.wait_needed("r1")
        if wait == 0.0 and limiter.in_flight("r1") < 10:
            limiter.acquire("r1")
            admitted.append(clock() + rng.uniform(0.0, 0.5))
            heapq.heappush(answers, (admitted[-1] + rng.uniform(0.0, 0.5), len(admitted)))
            continue
        next_answer = answers[0][0] if answers else float("inf")
        clock.now = min(clock() + wait, next_answer)
        while answers and answers[0][0] <= clock():
            limiter.release("r1", answered_at=heapq.heappop(answers)[0])
    admitted.sort()
    crowded = [a for i, a in enumerate(admitted[10:], 10) if a - admitted[i - 10] < 1.0]
    assert crowded == []
