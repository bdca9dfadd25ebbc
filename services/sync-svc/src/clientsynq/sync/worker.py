"""`python -m clientsynq.sync.worker`: Kafka consumers, run threads, scheduler, outbox relay.

SIGTERM (Kubernetes stopping the pod) stops taking work: the consumer finishes the event in
hand and commits, running syncs stop at their next page with every finished page
checkpointed (another replica, or this one restarted, resumes them), the relay stops after
its round. `/metrics` is served on SYNC_METRICS_PORT.
"""
from __future__ import annotations

import logging
import threading

from clientsynq.common.events import Event
from clientsynq.common.kafka import ConsumerRunner
from clientsynq.common.outbox import OutboxRelay
from clientsynq.common.service_worker import run_worker, start_thread
from clientsynq.sync.bootstrap import (
    OUTBOX_COLLECTIONS,
    WorkerDeps,
    build_worker,
    ensure_sync_indexes,
)
from clientsynq.sync.config import Settings
from clientsynq.sync.engine.executor import RunExecutor
from clientsynq.sync.engine.runner import RunnerDeps, SyncRunner
from clientsynq.sync.handlers import TOPICS, dispatcher
from clientsynq.sync.handlers.commands import resolve_open_commands
from clientsynq.sync.housekeeping import housekeeping_for
from clientsynq.sync.scheduler import Scheduler, scheduler_lease

log = logging.getLogger(__name__)
CONSUMER_GROUP = "sync-svc"


class Worker:
    """Everything the worker process runs; tests start one in a thread."""

    def __init__(self, deps: WorkerDeps) -> None:
        self.deps = deps
        base = deps.base
        self.consumer = ConsumerRunner(base.platform.kafka, CONSUMER_GROUP, TOPICS,
                                       self._handle, dlq=deps.producer)
        self._dispatch = dispatcher(deps)
        runner = SyncRunner(RunnerDeps(
            settings=deps.settings, tenants=base.tenants, runs=base.runs, leases=base.leases,
            qbo=deps.qbo, publisher=deps.publisher, holder=deps.holder, stop=deps.stop,
            plan_of=deps.plan_of, emit=deps.producer.publish, links=deps.links,
            claims=base.claims))
        self.executor = RunExecutor(base.runs, runner, deps.settings.max_concurrent_runs)
        self.scheduler = Scheduler(base.tenants, base.claims, deps.settings.schedule,
                                   deps.settings.source, deps.plan_of, scheduler_lease(deps))
        self.relay = OutboxRelay(base.platform.db, OUTBOX_COLLECTIONS, deps.producer)
        self._threads: list[threading.Thread] = []

    def run(self) -> None:
        """Blocks until `stop()`; the consumer loop runs on the calling thread."""
        ensure_sync_indexes(self.deps.base)
        base, stop = self.deps.base, self.deps.stop
        self._threads = [*self.executor.start(stop),
                         start_thread("sync-scheduler", self.scheduler.run, stop),
                         start_thread("sync-housekeeping", housekeeping_for(base).run, stop),
                         start_thread("sync-outbox", self.relay.run, stop),
                         start_thread("sync-commands", self._resolve_commands, stop)]
        log.info("sync.worker_started", extra={"holder": self.deps.holder})
        try:
            self.consumer.run()
        finally:
            self.stop()
            for thread in self._threads:
                thread.join(timeout=60)
            self.deps.publisher.close()
            self.deps.producer.close()
            log.info("sync.worker_stopped", extra={"holder": self.deps.holder})

    def _handle(self, event: Event) -> None:
        """Most events queue a run (a connection, Sync Now, a webhook's change): the run
        threads here look for it now rather than at their next shared poll."""
        self._dispatch(event)
        self.executor.nudge()

    def _resolve_commands(self, stop: threading.Event) -> None:
        """Loop edge: commands whose outcome QBO left unknown are replayed until settled."""
        while not stop.wait(self.deps.settings.command_resolve_seconds):
            try:
                resolve_open_commands(self.deps)
            except Exception:
                log.exception("sync.command_resolver_failed")

    def stop(self) -> None:
        self.deps.stop.set()
        self.consumer.stop()


def main() -> None:
    run_worker("sync", Settings.from_env, lambda settings: Worker(build_worker(settings)),
               lambda settings: settings.metrics_port)


if __name__ == "__main__":
    main()
