"""Intuit's per-realm throttles: requests per minute (sliding window) and concurrent requests."""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import asdict, dataclass

WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Limits:
    """500 requests/min and 10 concurrent per realm unless configured otherwise."""

    requests_per_minute: int = 500
    concurrent_requests: int = 10


class Throttle:
    """Admits or refuses each API request of a realm; refused requests are not counted."""

    def __init__(self, default: Limits) -> None:
        self.default = default
        self._overrides: dict[str, Limits] = {}
        self._window: defaultdict[str, deque[float]] = defaultdict(deque)
        self._in_flight: Counter[str] = Counter()
        self._lock = threading.Lock()

    def limits_for(self, realm_id: str) -> Limits:
        """The limits in force for a realm (its override or the default)."""
        with self._lock:
            return self._overrides.get(realm_id, self.default)

    def set_limits(self, limits: Limits, realm_id: str | None = None) -> None:
        """Change the default, or one realm's limits; also clears the realm's window."""
        with self._lock:
            if realm_id is None:
                self.default = limits
                self._window.clear()
            else:
                self._overrides[realm_id] = limits
                self._window.pop(realm_id, None)

    def acquire(self, realm_id: str, weight: int = 1) -> bool:
        """Take a slot for one request (a batch weighs as many calls as it has items)."""
        now = time.monotonic()
        with self._lock:
            limits = self._overrides.get(realm_id, self.default)
            window = self._window[realm_id]
            while window and window[0] <= now - WINDOW_SECONDS:
                window.popleft()
            if len(window) + weight > limits.requests_per_minute:
                return False
            if self._in_flight[realm_id] >= limits.concurrent_requests:
                return False
            window.extend([now] * weight)
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
