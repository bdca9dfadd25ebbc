"""Run threads: find a run someone should be doing, take its realm's lease, do it, repeat.

A run whose worker died stays `running` in the database, but its lease lapses; the next
thread to take the lease resumes it from its checkpoints.

Idle threads take turns: one poll of the work queue per IDLE_SECONDS per process, however
many run threads wait (each of them polling was most of the queries a worker sent; the
scale model's profile, docs/capacity.md). A thread that has just finished a run looks
for the next at once.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from clientsynq.sync.engine.ports import Runs
from clientsynq.sync.engine.runner import SyncRunner

log = logging.getLogger(__name__)
IDLE_SECONDS = 0.3


class RunExecutor:
    def __init__(self, runs: Runs, runner: SyncRunner, threads: int,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._runs = runs
        self._runner = runner
        self._threads = threads
        self._busy: set[str] = set()  # tenants a thread of this process is running
        self._lock = threading.Lock()
        self._monotonic = monotonic
        self._next_idle_poll = 0.0

    def start(self, stop: threading.Event) -> list[threading.Thread]:
        started = []
        for n in range(self._threads):
            thread = threading.Thread(target=self.loop, args=(stop,), name=f"sync-run-{n}")
            thread.start()
            started.append(thread)
        return started

    def loop(self, stop: threading.Event) -> None:
        worked = True
        while not stop.is_set():
            if not worked and not self.idle_turn():
                stop.wait(IDLE_SECONDS / 3)
                continue
            worked = self.run_next()
            if not worked:
                stop.wait(IDLE_SECONDS)

    def idle_turn(self) -> bool:
        """Whether this idle thread is the one to poll now (at most one per IDLE_SECONDS)."""
        with self._lock:
            now = self._monotonic()
            if now < self._next_idle_poll:
                return False
            self._next_idle_poll = now + IDLE_SECONDS
            return True

    def run_next(self) -> bool:
        """True if a run was executed (or at least taken).

        A tenant is tried once a poll, and not at all while another thread here runs it:
        its runs share the realm's lease, so a second try would only cost the reads that
        find the lease taken (the oldest candidates are mostly runs in progress)."""
        tried: set[str] = set()
        for run in self._runs.candidates(datetime.now(UTC)):
            tenant_id = str(run["tenant_id"])
            with self._lock:
                if tenant_id in tried or tenant_id in self._busy:
                    continue
                tried.add(tenant_id)
                self._busy.add(tenant_id)
            try:
                outcome = self.execute_one(run)
            finally:
                with self._lock:
                    self._busy.discard(tenant_id)
            if outcome is not None:
                return True
        return False

    def execute_one(self, run: dict[str, Any]) -> str | None:
        """Loop edge: an unexpected error fails the run (with sync.failed) and the thread
        goes on to the next one."""
        try:
            return self._runner.try_run(run)
        except Exception as err:
            log.exception("sync.run_crashed", extra={"run_id": run["_id"]})
            return self._runner.fail_unexpected(run, err)
