"""Run threads: find a run someone should be doing, take its realm's lease, do it, repeat.

A run whose worker died stays `running` in the database, but its lease lapses; the next
thread to take the lease resumes it from its checkpoints.

Idle threads take turns: one poll of the work queue per IDLE_SECONDS per process, however
many run threads wait (each of them polling was most of the queries a worker sent; the
scale model's profile, docs/capacity.md). A thread that has just finished a run looks
for the next at once.

A tenant whose realm's lease was found taken is not tried again for a few seconds (at
most until that lease expires): the head of the queue is mostly runs in progress on other
replicas, and each try cost a tenant read and a lease read (the scale model's profile of
1,000 initial syncs: 60 % of the run threads' time). A run whose worker died is still
resumed once its lease lapses; a tenant's next run waits at most HELD_SKIP_SECONDS more.

A process's threads share one poll for up to SNAPSHOT_SECONDS (minus the runs they took
from it): the work queue is one query across tenants (on the local FerretDB, before its
filter pushdown, a scan of every run), so one poll per finished run per thread was most
of its load when the queue was long. A new request is picked up within about a second;
one this process's consumer has just handled (`nudge`: a business connecting, Sync Now, a
webhook) within an idle turn, since its shared poll cannot have seen it
(bench/initial_sync: its runs started 0.2-1.2 s after `connection.changed`, up to a tenth
of a large company's sync).

Because that poll can be a second old, a run is read again by `_id` before it is tried:
one finished by another process meanwhile is dropped at the cost of that read, not of a
tenant read, a lease taken and released and the read under the lease (117 of 349 tries
in the 1,000-business scale model found their run finished). The runner still reads it
again under the lease, which is what decides.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from clientsynq.sync.domain.run_status import PENDING, RUNNING
from clientsynq.sync.engine.ports import Runs
from clientsynq.sync.engine.runner import Held, SyncRunner

log = logging.getLogger(__name__)
IDLE_SECONDS = 0.3
HELD_SKIP_SECONDS = 5.0
SNAPSHOT_SECONDS = 1.0


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
        self._held: dict[str, float] = {}  # tenant -> (monotonic) not tried again before
        self._snapshot: list[dict[str, Any]] = []  # the last poll, shared by the threads
        self._polled_at: float | None = None
        self._taken: set[str] = set()  # runs of the snapshot this process took
        self._nudged = threading.Event()  # a request handled here: idle threads poll now

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
                self._nudged.wait(IDLE_SECONDS / 3)
                continue
            worked = self.run_next()
            if not worked:
                self._nudged.wait(IDLE_SECONDS)

    def nudge(self) -> None:
        """This process has just queued a run (its consumer handled a request): the shared
        poll predates it, so the next idle turn polls again, and idle threads wake for it.
        Turns stay at most one per IDLE_SECONDS however many requests come."""
        with self._lock:
            self._polled_at = None
        self._nudged.set()
        self._nudged.clear()

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
        for run in self._candidates():
            tenant_id = str(run["tenant_id"])
            with self._lock:
                if (tenant_id in tried or tenant_id in self._busy or run["_id"] in self._taken
                        or self._held.get(tenant_id, 0.0) > self._monotonic()):
                    continue
                tried.add(tenant_id)
                self._busy.add(tenant_id)
                self._taken.add(run["_id"])
            try:
                outcome = self.execute_one(run)
            finally:
                with self._lock:
                    self._busy.discard(tenant_id)
            if not isinstance(outcome, Held):
                return True
            self._hold(tenant_id, outcome.seconds)
        return False

    def _candidates(self) -> list[dict[str, Any]]:
        """The process's last poll while it is fresh, else a new one (shared from then)."""
        with self._lock:
            if (self._polled_at is not None
                    and self._monotonic() - self._polled_at < SNAPSHOT_SECONDS):
                return list(self._snapshot)
        runs = self._runs.candidates(datetime.now(UTC))
        with self._lock:
            self._snapshot, self._polled_at, self._taken = runs, self._monotonic(), set()
        return list(runs)

    def _hold(self, tenant_id: str, seconds: float) -> None:
        with self._lock:
            now = self._monotonic()
            self._held = {t: at for t, at in self._held.items() if at > now}  # stays small
            if seconds > 0:
                self._held[tenant_id] = now + min(seconds, HELD_SKIP_SECONDS)

    def execute_one(self, run: dict[str, Any]) -> str | Held:
        """Loop edge: an unexpected error fails the run (with sync.failed) and the thread
        goes on to the next one."""
        try:
            fresh = self._runs.get(str(run["tenant_id"]), str(run["_id"]))
            if fresh is None or fresh["status"] not in (PENDING, RUNNING):
                return "gone"
            return self._runner.try_run(fresh)
        except Exception as err:
            log.exception("sync.run_crashed", extra={"run_id": run["_id"]})
            return self._runner.fail_unexpected(run, err)
