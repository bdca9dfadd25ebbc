"""Webhook delivery as messy as Intuit warns it can be, each behaviour with a rate.

Intuit's webhook guidance says notifications can arrive late, more than once, out of order,
and that apps must reconcile with CDC because some never arrive. Each rate is the chance
per delivery (a batch of events for one app and realm):

- first_delay_seconds: every batch waits this long more before its first attempt (late);
- duplicate_rate: an acknowledged delivery is sent once more;
- reorder_rate: a delivery is held back until the next one for the channel has gone
  (or for hold_seconds), and its events are listed newest first;
- drop_rate: a delivery is discarded, never sent (logged with "dropped": true).

All default to 0 (today's tidy delivery). `seed` makes the choices reproducible.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class MessSettings:
    """Rates in [0, 1]; a seed for reproducible runs (None: a random one)."""

    first_delay_seconds: float = 0.0
    duplicate_rate: float = 0.0
    reorder_rate: float = 0.0
    drop_rate: float = 0.0
    hold_seconds: float = 2.0
    seed: int | None = None


class Mess:
    """Thread-safe dice for the dispatcher."""

    def __init__(self, settings: MessSettings) -> None:
        self.settings = settings
        self._rng = random.Random(settings.seed)
        self._lock = threading.Lock()

    def _roll(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._lock:
            return self._rng.random() < rate

    def drop(self) -> bool:
        """Discard this delivery."""
        return self._roll(self.settings.drop_rate)

    def duplicate(self) -> bool:
        """Send this delivery a second time after it was acknowledged."""
        return self._roll(self.settings.duplicate_rate)

    def reorder(self) -> bool:
        """Hold this delivery back behind the next one."""
        return self._roll(self.settings.reorder_rate)
