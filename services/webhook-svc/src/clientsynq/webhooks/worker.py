"""`python -m clientsynq.webhooks.worker`: Kafka consumer (realm map, fan-out to
deliveries), delivery dispatcher, outbox relay, inbox sweep.

SIGTERM stops taking work: the consumer finishes the event in hand and commits, the relay
stops after its round. `/metrics` is served on WEBHOOK_METRICS_PORT.
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import timedelta

from clientsynq.common.config import load_or_exit
from clientsynq.common.events import CONNECTION_CHANGED, Event
from clientsynq.common.kafka import ConsumerRunner
from clientsynq.common.logging import configure_logging
from clientsynq.common.metrics import serve_metrics
from clientsynq.common.outbox import OutboxRelay
from clientsynq.webhooks.bootstrap import (
    OUTBOX_COLLECTIONS,
    WorkerDeps,
    build_worker,
    ensure_webhook_indexes,
)
from clientsynq.webhooks.config import Settings
from clientsynq.webhooks.domain.public import PUBLIC_SPECS
from clientsynq.webhooks.handlers import on_connection_changed
from clientsynq.webhooks.services.dispatcher import Dispatcher
from clientsynq.webhooks.services.intuit import reprocess_pending
from clientsynq.webhooks.services.outbound import fan_out

log = logging.getLogger(__name__)
CONSUMER_GROUP = "webhook-svc"
TOPICS = tuple(PUBLIC_SPECS)  # connection.changed is among them


class Worker:
    """Everything the worker process runs; tests start one in a thread."""

    def __init__(self, deps: WorkerDeps) -> None:
        self.deps = deps
        base = deps.base
        self.consumer = ConsumerRunner(base.platform.kafka, CONSUMER_GROUP, TOPICS,
                                       self._dispatch, dlq=deps.producer)
        self.relay = OutboxRelay(base.platform.db, OUTBOX_COLLECTIONS, deps.producer,
                                 lease_seconds=10)
        self.dispatcher = Dispatcher(base.outbound, deps.leases)
        self._threads: list[threading.Thread] = []

    def _dispatch(self, event: Event) -> None:
        if event.type == CONNECTION_CHANGED:
            on_connection_changed(event, self.deps.base.intuit.realms)
        fan_out(self.deps.base.outbound, event)

    def sweep_once(self) -> None:
        """Notifications a dead process stored but never recorded; expired inbox entries."""
        intuit = self.deps.base.intuit
        reprocess_pending(intuit, older_than=timedelta(seconds=self.deps.settings.sweep_seconds))
        intuit.inbox.purge(intuit.clock())
        intuit.changes.purge(intuit.clock())

    def _sweep(self, stop: threading.Event) -> None:
        while not stop.wait(self.deps.settings.sweep_seconds):
            try:
                self.sweep_once()
            except Exception:  # loop edge: logged, tried again next round
                log.exception("webhook.sweep_failed")

    def run(self) -> None:
        """Blocks until `stop()`; the consumer loop runs on the calling thread."""
        ensure_webhook_indexes(self.deps.base)
        stop = self.deps.stop
        self._threads = [_thread("webhook-outbox", self.relay.run, stop),
                         _thread("webhook-dispatch", self.dispatcher.run, stop),
                         _thread("webhook-sweep", self._sweep, stop)]
        log.info("webhook.worker_started")
        try:
            self.consumer.run()
        finally:
            self.stop()
            for thread in self._threads:
                thread.join(timeout=60)
            self.deps.producer.close()
            log.info("webhook.worker_stopped")

    def stop(self) -> None:
        self.deps.stop.set()
        self.consumer.stop()


def _thread(name: str, target: Callable[[threading.Event], None],
            stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(target=target, args=(stop,), name=name, daemon=True)
    thread.start()
    return thread


def main() -> None:
    settings = load_or_exit(Settings.from_env)
    configure_logging("webhook-worker", settings.common.log_level)
    worker = Worker(build_worker(settings))
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: worker.stop())
    if settings.metrics_port:
        serve_metrics(settings.metrics_port)
    worker.run()


if __name__ == "__main__":
    main()
