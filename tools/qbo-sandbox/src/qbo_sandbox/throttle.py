"""Intuit's throttles: requests per minute per realm; requests per second and concurrent
requests per realm and app; batch requests per minute per realm and app and per realm.

Every rate limit is a sliding window ("no more than N in any 60 s / any 1 s"), not a token
bucket: a bucket lets a full burst through and then refills, which would admit more than
Intuit's numbers within one window. Intuit's page puts the 10/s limit (and, per its 2016
blog, the 10 concurrent) on realm *and app*, the 500/min on the realm; `per_app=False`
keys them all by realm. Whether a refused request still counts in the windows after a 429
is unconfirmed: `count_refused` chooses (default: it does not).
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass

WINDOW_SECONDS = 60.0
SECOND_WINDOW_SECONDS = 1.0


@dataclass(frozen=True)
class Limits:
    """Intuit's numbers unless configured: 500/min per realm, 10/s and 10 concurrent per
    realm and app, 40 batch requests/min per realm and app, 120 per realm."""

    requests_per_minute: int = 500
    concurrent_requests: int = 10
    requests_per_second: int = 10
    batch_requests_per_minute: int = 120
    batch_requests_per_minute_app: int = 40


class Throttle:
    """Admits or refuses each API request of a realm (and app).

    `clock` (monotonic seconds) is a public attribute so a test can put a clock it moves
    itself in place and cross a one-second window without sleeping (issue 9).
    """

    def __init__(self, default: Limits, per_app: bool = True,
                 count_refused: bool = False,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.default = default
        self.per_app = per_app
        self.count_refused = count_refused
        self.clock = clock
        self._overrides: dict[str, Limits] = {}
        self._window: defaultdict[str, deque[float]] = defaultdict(deque)
        self._second: defaultdict[str, deque[float]] = defaultdict(deque)
        self._batches: defaultdict[str, deque[float]] = defaultdict(deque)
        self._in_flight: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _app_key(self, realm_id: str, client_id: str) -> str:
        return f"{realm_id}|{client_id if self.per_app else ''}"

    def limits_for(self, realm_id: str) -> Limits:
        """The limits in force for a realm (its override or the default)."""
        with self._lock:
            return self._overrides.get(realm_id, self.default)

    def set_limits(self, limits: Limits, realm_id: str | None = None) -> None:
        """Change the default, or one realm's limits; also clears the realm's windows."""
        with self._lock:
            if realm_id is None:
                self.default = limits
                self._window.clear()
                self._second.clear()
                self._batches.clear()
            else:
                self._overrides[realm_id] = limits
                for windows in (self._window, self._second, self._batches):
                    for key in [k for k in windows if k.split("|")[0] == realm_id]:
                        del windows[key]

    def acquire(self, realm_id: str, weight: int = 1, client_id: str = "",
                batch: bool = False) -> bool:
        """Take a slot for one request (a batch weighs as many calls as it has items).

        The per-minute window counts the weight; the per-second window counts HTTP
        requests, so a 30-item batch is not refused outright by a 10/s limit.
        """
        now = self.clock()
        app = self._app_key(realm_id, client_id)
        with self._lock:
            limits = self._overrides.get(realm_id, self.default)
            window = _pruned(self._window[realm_id], now - WINDOW_SECONDS)
            second = _pruned(self._second[app], now - SECOND_WINDOW_SECONDS)
            batches = [_pruned(self._batches[key], now - WINDOW_SECONDS)
                       for key in (realm_id, app)] if batch else []
            admitted = (len(window) + weight <= limits.requests_per_minute
                        and len(second) < limits.requests_per_second
                        and self._in_flight[app] < limits.concurrent_requests
                        and (not batch or (len(batches[0]) < limits.batch_requests_per_minute
                                           and len(batches[1])
                                           < limits.batch_requests_per_minute_app)))
            if admitted or self.count_refused:
                window.extend([now] * weight)
                second.append(now)
                for batch_window in batches:
                    batch_window.append(now)
            if admitted:
                self._in_flight[app] += 1
            return admitted

    def add_weight(self, realm_id: str, weight: int) -> bool:
        """Count extra calls of an admitted request (batch items); False if over the limit."""
        now = self.clock()
        with self._lock:
            limits = self._overrides.get(realm_id, self.default)
            window = self._window[realm_id]
            if len(window) + weight > limits.requests_per_minute:
                return False
            window.extend([now] * weight)
            return True

    def in_flight(self, realm_id: str) -> int:
        """Admitted requests of a realm (every app) that have not finished yet; a test waits
        on it instead of guessing how long a request takes to arrive."""
        with self._lock:
            return sum(n for key, n in self._in_flight.items()
                       if key.split("|")[0] == realm_id)

    def release(self, realm_id: str, client_id: str = "") -> None:
        """The admitted request finished."""
        with self._lock:
            self._in_flight[self._app_key(realm_id, client_id)] -= 1

    def describe(self) -> dict[str, object]:
        """Current limits for the control API."""
        with self._lock:
            return {"default": asdict(self.default),
                    "realms": {r: asdict(v) for r, v in self._overrides.items()}}

    def reset(self) -> None:
        """Forget windows and overrides (control API reset)."""
        with self._lock:
            self._overrides.clear()
            self._window.clear()
            self._second.clear()
            self._batches.clear()


def _pruned(window: deque[float], horizon: float) -> deque[float]:
    """Drop the times that have left the window (at or before `horizon`)."""
    while window and window[0] <= horizon:
        window.popleft()
    return window
