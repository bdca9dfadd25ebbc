"""``python -m clientsynq.auth.worker``: the outbox relay and the background token refresher.

Two loops in one process, each in its own thread, both stopped by SIGTERM (Kubernetes) or
Ctrl-C; a round that fails is logged and retried next round, never silently dropped.
"""
from __future__ import annotations

import logging
import threading
from functools import partial

from clientsynq.auth.adapters.housekeeping import purge_expired
from clientsynq.auth.adapters.mongo_connections import COLLECTION
from clientsynq.auth.bootstrap import Deps, build_or_exit
from clientsynq.auth.config import Settings
from clientsynq.auth.services.qbo_revocation import retry_pending_revocations
from clientsynq.auth.services.qbo_tokens import refresh_idle_connections
from clientsynq.common.kafka import EventProducer
from clientsynq.common.metrics import counter
from clientsynq.common.outbox import OutboxRelay
from clientsynq.common.service_worker import LoopWorker, run_worker

log = logging.getLogger(__name__)
REFRESHED = counter("clientsynq_auth_idle_refreshes_total",
                    "QBO connections refreshed ahead of their rolling expiry")
ROUND_ERRORS = counter("clientsynq_auth_worker_round_errors_total",
                       "Refresher rounds that failed (retried next round)")


def refresher_round(deps: Deps, stop: threading.Event | None = None) -> int:
    """One sweep: pending revocations first (they free Intuit grants), then idle refreshes.
    `stop` ends it between businesses: a round over many, each an Intuit call that may wait
    for another holder's lease, must not hold SIGTERM past Kubernetes' grace period."""
    stop = stop or threading.Event()
    retry_pending_revocations(deps, stop)
    refreshed = refresh_idle_connections(deps, stop=stop)
    REFRESHED.inc(refreshed)
    if not stop.is_set():
        deps.stores.connections.purge_all_superseded()
        purge_expired(deps.platform.db, deps.clock())
    return refreshed


def run_refresher(deps: Deps, stop: threading.Event) -> None:
    interval = deps.settings.refresh.worker_interval_seconds
    while not stop.is_set():
        try:
            refresher_round(deps, stop)
        except Exception:  # loop edge: log with traceback, count, try again next round
            log.exception("auth.refresher_round_failed")
            ROUND_ERRORS.inc()
        stop.wait(interval)


def run(deps: Deps, stop: threading.Event) -> None:
    """Runs until ``stop`` is set; tests call this with their own event."""
    producer = EventProducer(deps.platform.kafka)
    relay = OutboxRelay(deps.platform.db, [COLLECTION], producer)
    threads = [threading.Thread(target=relay.run, args=(stop,), name="outbox-relay"),
               threading.Thread(target=run_refresher, args=(deps, stop), name="qbo-refresher")]
    for thread in threads:
        thread.start()
    log.info("auth.worker_started")
    try:
        for thread in threads:
            thread.join()
    finally:
        producer.close()
        log.info("auth.worker_stopped")


def main() -> None:
    run_worker("auth", Settings.from_env,
               lambda settings: LoopWorker(partial(run, build_or_exit(settings))),
               lambda settings: settings.worker_metrics_port or None)


if __name__ == "__main__":
    main()
