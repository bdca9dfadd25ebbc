"""`python -m clientsynq.portal.worker`: the projections and the outbox relay.

Consumes the snapshot, connection, sync and command topics into the read models (group
`portal-projections`), reports each projection's lag
(`clientsynq_portal_projection_lag_messages{projection}`, every 5 s, from the group's
committed offsets), and relays what the API saved with an outbox (Sync Now, Pro
commands). SIGTERM finishes the poll batch in hand and commits. `/metrics` on
PORTAL_METRICS_PORT.
"""
from __future__ import annotations

import logging
import threading

from clientsynq.common.kafka import ConsumerRunner
from clientsynq.common.outbox import OutboxRelay
from clientsynq.common.service_worker import run_worker
from clientsynq.portal.adapters.kafka_lag import KafkaGroupLag
from clientsynq.portal.adapters.wiring import OUTBOX_COLLECTIONS, ensure_read_model_indexes
from clientsynq.portal.bootstrap import WorkerDeps, build_worker
from clientsynq.portal.config import Settings
from clientsynq.portal.projections.handlers import TOPICS, dispatcher, record_lag

log = logging.getLogger(__name__)
CONSUMER_GROUP = "portal-projections"
LAG_INTERVAL_SECONDS = 5.0


class Worker:
    """Everything the worker process runs; tests start one in a thread."""

    def __init__(self, deps: WorkerDeps, group_id: str = CONSUMER_GROUP) -> None:
        self.deps = deps
        self.stop_event = threading.Event()
        self.consumer = ConsumerRunner(deps.platform.kafka, group_id, TOPICS,
                                       dispatcher(deps.read, deps.clock), dlq=deps.producer)
        self.relay = OutboxRelay(deps.store.base, OUTBOX_COLLECTIONS, deps.producer)
        self.group_id = group_id
        self._threads: list[threading.Thread] = []

    def run(self) -> None:
        """Blocks until `stop()`; the consumer loop runs on the calling thread."""
        ensure_read_model_indexes(self.deps.store)
        self._threads = [
            threading.Thread(target=self.relay.run, args=(self.stop_event,), name="portal-outbox"),
            threading.Thread(target=self.report_lag, name="portal-lag")]
        for thread in self._threads:
            thread.start()
        log.info("portal.worker_started")
        try:
            self.consumer.run()
        finally:
            self.stop()
            for thread in self._threads:
                thread.join(timeout=30)
            self.deps.producer.close()
            log.info("portal.worker_stopped")

    def report_lag(self) -> None:
        """Loop edge: the lag gauge per projection, every LAG_INTERVAL seconds."""
        lag = KafkaGroupLag(self.deps.platform.kafka, self.group_id, TOPICS)
        try:
            while not self.stop_event.wait(LAG_INTERVAL_SECONDS):
                try:
                    record_lag(lag.per_topic())
                except Exception:  # a broker hiccup must not stop the worker
                    log.warning("portal.lag_check_failed", exc_info=True)
        finally:
            lag.close()

    def stop(self) -> None:
        self.stop_event.set()
        self.consumer.stop()


def main() -> None:
    run_worker("portal", Settings.from_env, lambda settings: Worker(build_worker(settings)),
               lambda settings: settings.api.worker_metrics_port)


if __name__ == "__main__":
    main()
