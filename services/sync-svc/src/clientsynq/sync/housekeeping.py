"""Housekeeping, once per `housekeeping_seconds` (an hour) on one replica: forget old
schedule claims and prune run history (`adapters/run_history.py`).

Off the scheduler's tick: both are scans, which a tick must not cost. Which replica does
it is decided like a scheduled sync, by the unique insert of the interval's slot claim,
so every replica may run this loop.
"""
from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from clientsynq.sync.adapters.run_history import Retention, RunHistory
from clientsynq.sync.adapters.schedule_claims import ScheduleClaims
from clientsynq.sync.bootstrap import Deps
from clientsynq.sync.domain.schedule import slot_of

log = logging.getLogger(__name__)
OWNER, KIND = "_housekeeping", "housekeeping"


class Housekeeping:
    def __init__(self, claims: ScheduleClaims, history: RunHistory, retention: Retention,
                 interval: float, wake_seconds: float) -> None:
        self._claims = claims
        self._history = history
        self._retention = retention
        self._interval = interval
        self._wake = wake_seconds
        self._slot: int | None = None

    def run(self, stop: threading.Event) -> None:
        """Loop edge: a failed pass is logged and the next slot tries again."""
        while not stop.wait(self._wake):
            try:
                self.tick(datetime.now(UTC))
            except Exception:
                log.exception("sync.housekeeping_failed")

    def tick(self, now: datetime) -> dict[str, int] | None:
        """Prunes if this replica wins the current slot; what was deleted, else None."""
        slot = slot_of(OWNER, KIND, self._interval, now)
        if slot == self._slot or not self._claims.claim(OWNER, KIND, self._interval, now, []):
            self._slot = slot
            return None
        self._slot = slot
        self._claims.forget_old(now)
        deleted = self._history.prune(now, self._retention)
        log.info("sync.history_pruned", extra={"deleted": deleted})
        return deleted


def housekeeping_for(base: Deps) -> Housekeeping:
    settings = base.settings
    return Housekeeping(base.claims, RunHistory(base.platform.db),
                        Retention(settings.run_history_keep,
                                  settings.run_history_min_age_seconds),
                        settings.housekeeping_seconds, settings.schedule.tick_seconds)
