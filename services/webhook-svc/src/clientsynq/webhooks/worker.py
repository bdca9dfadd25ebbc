"""`python -m clientsynq.webhooks.worker`: Kafka consumer (realm map, fan-out to
deliveries), delivery dispatcher, outbox relay, sweep (retention, old-format deliveries).

SIGTERM stops taking work: the consumer finishes the event in hand and commits, the relay
stops after its round. `/metrics` is served on WEBHOOK_METRICS_PORT.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from clientsynq.common.events import CONNECTION_CHANGED, Event
from clientsynq.common.kafka import ConsumerRunner
from clientsynq.common.outbox import OutboxRelay
from clientsynq.common.service_worker import run_worker, start_thread
from clientsynq.webhooks.bootstrap import (
    OUTBOX_COLLECTIONS,
    WorkerDeps,
    build_worker,
    ensure_webhook_indexes,
)
from clientsynq.webhooks.config import Settings
from clientsynq.webhooks.domain.deliveries import Delivery
from clientsynq.webhooks.domain.public import PUBLIC_SPECS
from clientsynq.webhooks.domain.queue import first_attempt
from clientsynq.webhooks.handlers import on_connection_changed
from clientsynq.webhooks.services.dispatcher import Dispatcher
from clientsynq.webhooks.services.outbound import deliveries_for
from clientsynq.webhooks.services.retention import Sweep

log = logging.getLogger(__name__)
CONSUMER_GROUP = "webhook-svc"
STATS_SECONDS = 15.0
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
        self._pending: list[Delivery] = []
        self._subscribed: dict[tuple[str, str], Sequence[str]] = {}

    def _dispatch(self, event: Event) -> None:
        if event.type == CONNECTION_CHANGED:
            on_connection_changed(event, self.deps.base.intuit.realms)
        self._pending += deliveries_for(self.deps.base.outbound, event, self._subscribers)

    def _subscribers(self, tenant_id: str, event_type: str) -> Sequence[str]:
        """Read once per poll batch per business and type (FerretDB scans endpoints)."""
        key = (tenant_id, event_type)
        if key not in self._subscribed:
            self._subscribed[key] = self.deps.base.outbound.endpoints.subscribed_ids(*key)
        return self._subscribed[key]

    def flush(self) -> None:
        """Before the poll batch's offsets are committed: its deliveries in one write."""
        pending, self._pending, self._subscribed = self._pending, [], {}
        self.deps.base.outbound.deliveries.add_many(pending)
        self.dispatcher.offer([first_attempt(d) for d in pending])  # persisted: hand over

    def sweep_once(self) -> None:
        """Notifications a dead process stored but never recorded; retention of the inbox,
        dedupe keys and finished deliveries; deliveries of the old format taken over."""
        settings, base = self.deps.settings, self.deps.base
        Sweep(base.intuit, base.outbound, self.deps.legacy,
              delivery_retention_seconds=settings.delivery_retention_seconds,
              reprocess_after_seconds=settings.sweep_seconds).once()

    def _sweep(self, stop: threading.Event) -> None:
        """At start (old-format deliveries wait for no interval), then every interval."""
        while not stop.is_set():
            try:
                self.sweep_once()
            except Exception:  # loop edge: logged, tried again next round
                log.exception("webhook.sweep_failed")
            stop.wait(self.deps.settings.sweep_seconds)

    def _stats(self, stop: threading.Event) -> None:
        """Queue depth, oldest due, disabled endpoints: off the delivery thread (slow)."""
        while not stop.wait(STATS_SECONDS):
            try:
                self.dispatcher.record_stats()
            except Exception:  # loop edge: logged, tried again next round
                log.exception("webhook.stats_failed")

    def run(self) -> None:
        """Blocks until `stop()`; the consumer loop runs on the calling thread."""
        ensure_webhook_indexes(self.deps.base)
        stop = self.deps.stop
        self._threads = [start_thread("webhook-outbox", self.relay.run, stop, daemon=True),
                         start_thread("webhook-dispatch", self.dispatcher.run, stop, daemon=True),
                         start_thread("webhook-sweep", self._sweep, stop, daemon=True),
                         start_thread("webhook-stats", self._stats, stop, daemon=True)]
        log.info("webhook.worker_started")
        try:
            self.consumer.run(before_commit=self.flush)
        finally:
            self.stop()
            for thread in self._threads:
                thread.join(timeout=60)
            self.deps.producer.close()
            log.info("webhook.worker_stopped")

    def stop(self) -> None:
        self.deps.stop.set()
        self.consumer.stop()


def main() -> None:
    run_worker("webhook", Settings.from_env, lambda settings: Worker(build_worker(settings)),
               lambda settings: settings.metrics_port)


if __name__ == "__main__":
    main()
