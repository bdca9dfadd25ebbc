"""Intuit's per-realm throttles: requests per minute, requests per second, concurrent requests.

Both rate limits are sliding windows ("no more than N in any 60 s / any 1 s"), not token
buckets: a bucket lets a full burst through and then refills, which would admit more than
Intuit's numbers within one window.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import asdict, dataclass

WINDOW_SECONDS = 60.0
SECOND_WINDOW_SECONDS = 1.0


@dataclass(frozen=True)
class Limits:
    """500 requests/min, 10 requests/s and 10 concurrent per realm unless configured."""

    requests_per_minute: int = 500
    concurrent_requests: int = 10
    requests_per_second: int = 10


class Throttle:
    """Admits or refuses each API request of a realm; refused requests are not counted."""

    def __init__(self, default: Limits) -> None:
        self.default = default
        self._overrides: dict[str, Limits] = {}
        self._window: defaultdict[str, deque[float]] = defaultdict(deque)
        self._second: defaultdict[str, deque[float]] = defaultdict(deque)
        self._in_flight: Counter[str] = Counter()
        self._lock = threading.Lock()

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
            else:
                self._overrides[realm_id] = limits
                self._window.pop(realm_id, None)
                self._second.pop(realm_id, None)

    def acquire(self, realm_id: str, weight: int = 1) -> bool:
        """Take a slot for one request (a batch weighs as many calls as it has items).

        The per-minute window counts the weight; the per-second window counts HTTP
        requests, so a 30-item batch is not refused outright by a 10/s limit.
        """
        now = time.monotonic()
        with self._lock:
            limits = self._overrides.get(realm_id, self.default)
            window = _pruned(self._window[realm_id], now - WINDOW_SECONDS)
            second = _pruned(self._second[realm_id], now - SECOND_WINDOW_SECONDS)
            if len(window) + weight > limits.requests_per_minute:
                return False
            if len(second) + 1 > limits.requests_per_second:
                return False
            if self._in_flight[realm_id] >= limits.concurrent_requests:
                return False
            window.extend([now] * weight)
            second.append(now)
            self._in_flight[realm_id] += 1
            return True

    def add_weight(self, realm_id: str, weight: int) -> bool:
        """Count extra calls of an admitted request (batch items); False if over the limit."""
        now = time.monotonic()
        with self._lock:
            limits = self._overrides.get(realm_id, self.default)
            window = self._window[realm_id]
            if len(window) + weight > limits.requests_per_minute:
                return False
            window.extend([now] * weight)
            return True

    def release(self, realm_id: str) -> None:
        """The admitted request finished."""
        with self._lock:
            self._in_flight[realm_id] -= 1

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


def _pruned(window: deque[float], horizon: float) -> deque[float]:
    """Drop the times that have left the window (at or before `horizon`)."""
    while window and window[0] <= horizon:
        window.popleft()
    return window
