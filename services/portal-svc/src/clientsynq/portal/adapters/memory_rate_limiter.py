"""A fixed-window rate limiter per key, in this process's memory: the fake of
`MongoRateLimiter` (held to the same contract tests), for unit tests of the API.

It counts for one process only; production uses the MongoDB one, shared by every worker and
replica.
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
