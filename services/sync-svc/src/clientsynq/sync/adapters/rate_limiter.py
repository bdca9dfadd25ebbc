"""Intuit's per-realm throttles, enforced on our side before QBO has to: one limiter per
process, shared by every thread (sync pages, webhook fetches, Pro writes).

The windows are a sliding log, not a token bucket: QBO counts "500 in any minute", and a
bucket that allows a full burst and then refills would exceed that within the minute. The
same log enforces "10 in any second" (Intuit's per-realm limit since 2025). It logs when
each answer came, and counts requests still in flight as in every window.
"""
from __future__ import annotations

import threading
import time
from bisect import bisect_right, insort
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from clientsynq.common.metrics import histogram
from clientsynq.sync.adapters.qbo_errors import throttle_pause

# A request counts in both windows from when it went out until its answer came back, and
# for a window's length after that. QBO counts a request when it admits it, which is
# somewhere between our send and its answer: a request delayed on the way (a busy host, a
# connection pool, the server's own queue) is admitted later than it was sent, so windows
# counted from the send let 11 land in one of QBO's seconds. Counted from the answer, no
# set of requests QBO admits within one window can be larger than ours (see `_Ticket`).
# The margins are for clock granularity only.
WINDOW_SECONDS = 60.1
SECOND_WINDOW = 1.02
WAITED = histogram("clientsynq_sync_qbo_limiter_wait_seconds",
                   "Time a QBO request waited for the per-realm limiter",
                   buckets=(0.001, 0.01, 0.1, 0.5, 1, 5, 15, 60))


# A 429 while our own minute log is below this share of the limit cannot be our minute
# budget: another client of the realm (auth-svc's company read at connect time, another
# replica's webhook fetch) took part of a second's or the minute's budget. The realm waits
# for the second window to drain, not a minute; a second such 429 within the advised pause
# gets the full advised pause, so a busy neighbour is never hammered.
OWN_BUDGET_SHARE = 0.9


@dataclass
class _RealmState:
    answered: deque[float] = field(default_factory=deque)  # finished requests, in order
    in_flight: int = 0
    waiting: int = 0
    paused_until: float = 0.0
    unseen_until: float = float("-inf")  # a request we did not send may be in the second
    last_sent: float = float("-inf")
    last_throttled: float = float("-inf")


@dataclass
class _Ticket:
    """One request's slot: when it was logged as sent, and when its answer came.

    Why the answer's time is safe: take any 11 requests QBO admits within one second and
    the last of them we sent, L. Each of the other ten was admitted after L was sent less
    a second (they share QBO's second, and L arrived after it left us) and answered after
    it was admitted, so when L asked for its slot each was in flight or answered less than
    a second before: the limiter counted ten and held L back."""

    sent_at: float
    answered_at: float | None = None
    clock: Callable[[], float] = time.monotonic

    def answered(self) -> None:
        """The answer's headers came (first call wins: a redirect hook may call twice)."""
        if self.answered_at is None:
            self.answered_at = self.clock()


class RealmLimiter:
    """`slot(realm)` blocks until a request may go; the slot is held for its duration.

    `clock` is injectable so a test moves time instead of waiting for it; `wait_needed`,
    `in_flight` and `waiting` let it (and metrics) see the limiter's decision without
    blocking on it."""

    def __init__(self, requests_per_minute: int, concurrent: int, requests_per_second: int = 10,
                 clock: Callable[[], float] = time.monotonic,
                 unseen_first_second: bool = False) -> None:
        self.requests_per_minute = requests_per_minute
        self.requests_per_second = requests_per_second
        self.concurrent = concurrent
        self._clock = clock
        self.unseen_first_second = unseen_first_second
        self._realms: dict[str, _RealmState] = {}
        self._changed = threading.Condition()

    @contextmanager
    def slot(self, realm_id: str) -> Iterator[_Ticket]:
        """Yields the request's ticket: its `sent_at` tells `throttled` a new 429 from one
        more answer of the same burst; `answered()` when the headers come marks the end
        the windows count from (the slot's end if never called)."""
        ticket = _Ticket(self.acquire(realm_id), clock=self._clock)
        try:
            yield ticket
        finally:
            self.release(realm_id, ticket.answered_at)

    def acquire(self, realm_id: str) -> float:
        started = self._clock()
        with self._changed:
            state = self._state(realm_id)
            while (wait := self._wait_for(state)) > 0:
                state.waiting += 1
                try:
                    self._changed.wait(timeout=wait)
                finally:
                    state.waiting -= 1
            sent_at = state.last_sent = self._clock()
            state.in_flight += 1
        WAITED.observe(self._clock() - started)
        return sent_at

    def release(self, realm_id: str, answered_at: float | None = None) -> None:
        """The request is over; it stays in the windows from `answered_at` (now if None)."""
        with self._changed:
            state = self._realms[realm_id]
            state.in_flight -= 1
            insort(state.answered, self._clock() if answered_at is None else answered_at)
            self._changed.notify_all()

    @property
    def spacing(self) -> float:
        """Requests of a realm leave at least this far apart (a tenth of the second window):
        ten sent at once queue at QBO, and the last answers, which hold their slots for a
        second after, come later than spaced ones would. Spread out, each is answered
        sooner, so over a burst more fit in the second than all at once."""
        return SECOND_WINDOW / self.requests_per_second

    def wait_needed(self, realm_id: str) -> float:
        """Seconds before a request for `realm_id` may go now (0.0: at once), without taking
        a slot. A realm not used yet is judged as its first `acquire` would judge it, but
        asking does not count as using it."""
        with self._changed:
            return self._wait_for(self._realms.get(realm_id) or self._new_state())

    def in_flight(self, realm_id: str) -> int:
        """Requests of the realm holding a slot now."""
        with self._changed:
            state = self._realms.get(realm_id)
            return state.in_flight if state else 0

    def waiting(self, realm_id: str) -> int:
        """Threads blocked in `acquire` for the realm now."""
        with self._changed:
            state = self._realms.get(realm_id)
            return state.waiting if state else 0

    def pause(self, realm_id: str, seconds: float) -> None:
        """After a 429 every thread of the realm backs off, not only the one that got it."""
        with self._changed:
            state = self._state(realm_id)
            state.paused_until = max(state.paused_until, self._clock() + seconds)

    def throttled(self, realm_id: str, retry_after: float | None, advised: float,
                  sent_at: float | None = None) -> float:
        """QBO answered 429: pause the realm (every thread) and return how long.

        Retry-After when QBO sends one. Otherwise Intuit's advised pause (60 s) only when
        the minute could be ours to blame (our log near the limit) or this is the second
        429 within that pause; a lone 429 with our minute well below the limit came from
        requests this process cannot see, and waiting for the second window is enough.

        `sent_at` (from `slot`): a request sent before the realm's last 429 came back was
        already on its way when we paused, so its 429 is the same burst, not a second
        refusal after backing off; it keeps the pause in force and changes nothing else.
        Counting it as a second 429 turned one crowded moment into a 60 s pause (seen
        on a loaded machine: two 429s 20 ms apart, and the sync stood still a minute)."""
        with self._changed:
            state = self._state(realm_id)
            now = self._clock()
            self._prune(state, now)
            if sent_at is not None and sent_at < state.last_throttled:
                if retry_after is not None:
                    state.paused_until = max(state.paused_until,
                                             now + throttle_pause(retry_after, advised))
                return max(state.paused_until - now, 0.0)
            own_minute = (state.in_flight + len(state.answered)
                          >= OWN_BUDGET_SHARE * self.requests_per_minute)
            repeated = now - state.last_throttled < advised
            state.last_throttled = now
            if retry_after is None and not (own_minute or repeated):
                seconds = min(advised, SECOND_WINDOW)
            else:
                seconds = throttle_pause(retry_after, advised)
            state.paused_until = max(state.paused_until, now + seconds)
            return seconds

    def _state(self, realm_id: str) -> _RealmState:
        """A realm this process has not used yet starts with one request already in its
        windows: another process of our app may have just spent part of this second's
        budget (auth-svc reads CompanyInfo on connect, right before the first sync run),
        and Intuit counts 10 per second per realm *and app*. It costs the first burst one
        request; without it that burst met a 429 (bootstrap turns this on)."""
        state = self._realms.get(realm_id)
        if state is None:
            state = self._realms[realm_id] = self._new_state()
        return state

    def _new_state(self) -> _RealmState:
        state = _RealmState()
        if self.unseen_first_second:
            state.unseen_until = self._clock() + SECOND_WINDOW
        return state

    @staticmethod
    def _prune(state: _RealmState, now: float) -> None:
        while state.answered and state.answered[0] <= now - WINDOW_SECONDS:
            state.answered.popleft()

    def _wait_for(self, state: _RealmState) -> float:
        """Seconds until a slot may free up (a bounded wait; a release wakes us earlier)."""
        now = self._clock()
        self._prune(state, now)
        if state.paused_until > now:
            return state.paused_until - now
        if state.in_flight >= self.concurrent:
            return 1.0
        minute = self._window_wait(state, now, WINDOW_SECONDS, self.requests_per_minute)
        return minute if minute > 0 else self._second_wait(state, now)

    def _second_wait(self, state: _RealmState, now: float) -> float:
        """Ours may fill the second, less one while an unseen request may still be in it."""
        unseen = state.unseen_until > now
        per_second = self.requests_per_second - (1 if unseen else 0)
        if per_second <= 0:
            return state.unseen_until - now
        wait = self._window_wait(state, now, SECOND_WINDOW, per_second)
        if unseen and wait > 0:
            wait = min(wait, state.unseen_until - now)
        return max(wait, state.last_sent + self.spacing - now)

    @staticmethod
    def _window_wait(state: _RealmState, now: float, window: float, limit: int) -> float:
        """0.0 if fewer than `limit` requests are in flight or answered within `window`;
        else until enough answers leave it, or 1.0 when only a release can make room."""
        answered = state.answered
        recent = len(answered) - bisect_right(answered, now - window)
        excess = state.in_flight + recent - limit + 1
        if excess <= 0:
            return 0.0
        if excess > recent:
            return 1.0
        return answered[len(answered) - recent + excess - 1] + window - now
