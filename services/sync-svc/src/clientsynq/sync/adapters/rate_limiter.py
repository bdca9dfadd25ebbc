"""Intuit's per-realm throttles, enforced on our side before QBO has to: one limiter per
process, shared by every thread (sync pages, webhook fetches, Pro writes).

The window is a sliding 60 s log, not a token bucket: QBO counts "500 in any minute", and a
bucket that allows a full burst and then refills would exceed that within the minute. The
same log enforces "10 in any second" (Intuit's per-realm limit since 2025).
"""
from __future__ import annotations

import threading
import time
from bisect import insort
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from clientsynq.common.metrics import histogram
from clientsynq.sync.adapters.qbo_errors import throttle_pause

# Both windows a little longer than Intuit's: QBO counts arrivals, and a request taken from
# the log at t may arrive later than the one it is spaced against (a busy host, a slow
# connect). One 429 costs the realm a 60 s pause, far more than the margin ever does.
WINDOW_SECONDS = 60.5
SECOND_WINDOW = 1.1
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
    sent: deque[float] = field(default_factory=deque)
    in_flight: int = 0
    waiting: int = 0
    paused_until: float = 0.0
    unseen_until: float = float("-inf")  # a request we did not send may be in the second
    last_throttled: float = float("-inf")


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
    def slot(self, realm_id: str) -> Iterator[float]:
        """Yields when the request was logged as sent (this limiter's clock), which
        `throttled` needs to tell a new 429 from one more answer of the same burst."""
        sent_at = self.acquire(realm_id)
        try:
            yield sent_at
        finally:
            self.release(realm_id)

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
            sent_at = self._clock()
            state.sent.append(sent_at)
            state.in_flight += 1
        WAITED.observe(self._clock() - started)
        return sent_at

    def went_out(self, realm_id: str, logged_at: float, sent_at: float) -> None:
        """The request logged at `logged_at` left this process only at `sent_at` (a busy
        process can take a tenth of a second between the slot and the socket): the windows
        then count it from when QBO may have seen it. Every quiet initial sync met a 429 in
        its first seconds this way (10 admitted in the 1.1 s before, 11 arrived in one)."""
        if sent_at <= logged_at:
            return
        with self._changed:
            state = self._realms.get(realm_id)
            if state is None or logged_at not in state.sent:
                return  # pruned already: too old to matter
            state.sent.remove(logged_at)
            insort(state.sent, sent_at)

    def release(self, realm_id: str) -> None:
        with self._changed:
            self._realms[realm_id].in_flight -= 1
            self._changed.notify_all()

    def now(self) -> float:
        """This limiter's clock, for `went_out`."""
        return self._clock()

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
            own_minute = len(state.sent) >= OWN_BUDGET_SHARE * self.requests_per_minute
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
        while state.sent and state.sent[0] <= now - WINDOW_SECONDS:
            state.sent.popleft()

    def _wait_for(self, state: _RealmState) -> float:
        """Seconds until a slot may free up (a bounded wait; notify wakes us earlier)."""
        now = self._clock()
        self._prune(state, now)
        if state.paused_until > now:
            return state.paused_until - now
        if state.in_flight >= self.concurrent:
            return 1.0
        if len(state.sent) >= self.requests_per_minute:
            return state.sent[0] + WINDOW_SECONDS - now
        return self._second_wait(state, now)

    def _second_wait(self, state: _RealmState, now: float) -> float:
        """Ours may fill the second, less one while an unseen request may still be in it."""
        unseen = state.unseen_until > now
        per_second = self.requests_per_second - (1 if unseen else 0)
        if per_second <= 0:
            return state.unseen_until - now
        if len(state.sent) >= per_second and state.sent[-per_second] > now - SECOND_WINDOW:
            frees = state.sent[-per_second] + SECOND_WINDOW
            return (min(frees, state.unseen_until) if unseen else frees) - now
        return 0.0
