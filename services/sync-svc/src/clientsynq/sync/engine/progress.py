"""`sync.progress`: how far a running sync is, so the business sees the initial sync move.

At most one event every `interval` seconds per run (a 100 000-invoice sync has 100 pages;
the portal needs a moving bar, not an event per page). Progress is a hint, not state: it
goes straight to Kafka, and a lost one is replaced by the next (or by `sync.completed`).
Rows done start from the run's checkpoints, so a resumed run does not count from zero.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from clientsynq.sync.domain import events

log = logging.getLogger(__name__)
Emit = Callable[[dict[str, Any]], None]


class Progress:
    def __init__(self, emit: Emit, interval: float, *, run: Mapping[str, Any], realm_id: str,
                 source: str, now: Callable[[], datetime],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._emit, self._interval, self._clock, self._now = emit, interval, clock, now
        self._run, self._realm_id, self._source = run, realm_id, source
        self._done: dict[str, int] = {}
        self._expected: dict[str, int] = {}
        self._last: float | None = None
        self._lock = threading.Lock()

    def resume(self, done: Mapping[str, int], states: Mapping[str, Mapping[str, Any]]) -> None:
        self._done.update(done)
        for key, state in states.items():
            if "counted" in state and not key.endswith("#reread"):
                self.expect(str(state.get("entity")), int(state["counted"]))

    def expect(self, entity: str, rows: int) -> None:
        with self._lock:
            self._expected[entity] = self._expected.get(entity, 0) + rows

    def advance(self, entity: str, rows: int) -> None:
        with self._lock:
            self._done[entity] = self._done.get(entity, 0) + rows
            moment = self._clock()
            if self._last is not None and moment - self._last < self._interval:
                return
            self._last = moment
            data = {"run_id": str(self._run["_id"]), "request_id": _request_id(self._run),
                    "entity": entity, "rows_done": self._done[entity],
                    "rows_expected": self._expected.get(entity), "reported_at": self._now()}
            self._send(data)  # under the lock: a run's events leave in the order counted

    def _send(self, data: dict[str, Any]) -> None:
        try:
            self._emit(events.sync_progress(tenant_id=str(self._run["tenant_id"]),
                                            realm_id=self._realm_id, source=self._source,
                                            data=data))
        except Exception:  # loop edge of a hint: the sync itself must go on
            log.warning("sync.progress_not_sent", exc_info=True,
                        extra={"run_id": self._run["_id"]})


def _request_id(run: Mapping[str, Any]) -> str | None:
    ids = run.get("request_ids") or []
    return str(ids[0]) if ids else None
