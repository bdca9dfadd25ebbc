"""Run threads: claim a run (pending, or abandoned by a dead worker), execute it, repeat."""
from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any

from clientsynq.sync.adapters.runs import RunStore
from clientsynq.sync.engine.runner import SyncRunner

log = logging.getLogger(__name__)
IDLE_SECONDS = 0.5


class RunExecutor:
    def __init__(self, runs: RunStore, runner: SyncRunner, holder: str, lease_ttl: float,
                 threads: int) -> None:
        self._runs = runs
        self._runner = runner
        self._holder = holder
        self._ttl = lease_ttl
        self._threads = threads

    def start(self, stop: threading.Event) -> list[threading.Thread]:
        started = []
        for n in range(self._threads):
            thread = threading.Thread(target=self.loop, args=(stop,), name=f"sync-run-{n}")
            thread.start()
            started.append(thread)
        return started

    def loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            run = self._runs.claim(self._holder, self._ttl, datetime.now(UTC))
            if run is None:
                stop.wait(IDLE_SECONDS)
                continue
            self.execute_one(run)

    def execute_one(self, run: dict[str, Any]) -> str:
        """Loop edge: an unexpected error fails the run (with sync.failed) and the thread
        goes on to the next one."""
        try:
            return self._runner.execute(run)
        except Exception as err:
            log.exception("sync.run_crashed", extra={"run_id": run["_id"]})
            return self._runner.fail_unexpected(run, err)
