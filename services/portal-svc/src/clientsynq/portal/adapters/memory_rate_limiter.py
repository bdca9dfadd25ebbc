"""A fixed-window rate limiter per key, in this process's memory.

Each API replica counts on its own, so the effective limit is the configured one times the
replicas (documented in the README); a shared store would cost a database round trip on
every request, which the read path's latency budget does not have.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from clientsynq.portal.api.ports import RateDecision


class FixedWindowLimiter:
    def __init__(self, limit: int, window_seconds: int = 60,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._limit, self._window, self._clock = limit, window_seconds, clock
        self._counts: dict[str, tuple[int, int]] = {}  # key → (window number, hits)
        self._lock = threading.Lock()

    def hit(self, key: str) -> RateDecision:
        now = self._clock()
        window = math.floor(now / self._window)
        reset = max(1, math.ceil((window + 1) * self._window - now))
        with self._lock:
            current, hits = self._counts.get(key, (window, 0))
            if current != window:
                hits = 0
                if len(self._counts) > 100_000:  # forget keys of past windows
                    self._counts = {k: v for k, v in self._counts.items() if v[0] == window}
            hits += 1
            self._counts[key] = (window, hits)
        return RateDecision(allowed=hits <= self._limit, limit=self._limit,
                            remaining=max(0, self._limit - hits), reset_seconds=reset)
