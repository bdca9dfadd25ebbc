"""The delivery loop: which deliveries go out now, from which replica, on which thread.

- One replica at a time delivers for an endpoint (a per-endpoint lease), and that replica
  never has one delivery in flight twice, so several replicas never send one attempt twice.
  A replica killed mid-delivery leaves the delivery pending; its lease expires and the
  next holder sends it (at least once: the receiver dedupes on `webhook-id`).
- Isolation: each endpoint has at most `per_endpoint_in_flight` deliveries on the shared
  thread pool, so a slow or dead endpoint ties up only its own few threads (each bounded
  by the 15 s timeout) and never queues in front of another endpoint or business.
- Completions come back to this one thread, which records health: one writer, no races.

Correctness of "never twice": a round first takes the finished deliveries off the in-flight
set (their result is already saved), then reads what is due; a delivery finishing after
that read is still in flight, so the stale read cannot resubmit it.
"""
from __future__ import annotations

import dataclasses
import logging
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from clientsynq.common.metrics import gauge
from clientsynq.webhooks.domain.deliveries import CANCELLED, Delivery
from clientsynq.webhooks.domain.endpoints import Endpoint
from clientsynq.webhooks.domain.ports import EndpointLeases
from clientsynq.webhooks.services.outbound import Outbound, attempt_delivery, track_health

log = logging.getLogger(__name__)
QUEUE_DEPTH = gauge("clientsynq_webhook_queue_depth", "Deliveries due now")
OLDEST_DUE = gauge("clientsynq_webhook_oldest_due_seconds", "Age of the oldest due delivery")
DISABLED_ENDPOINTS = gauge("clientsynq_webhook_disabled_endpoints", "Endpoints disabled now")
STATS_EVERY_ROUNDS = 100


@dataclass(frozen=True)
class Finished:
    endpoint: Endpoint
    delivery: Delivery | None  # None: the attempt raised (logged; it stays due)
    delivery_id: str


class Dispatcher:
    def __init__(self, deps: Outbound, leases: EndpointLeases) -> None:
        self._deps = deps
        self._leases = leases
        self._settings = deps.settings
        self._pool = ThreadPoolExecutor(self._settings.workers, thread_name_prefix="webhook-out")
        self._finished: queue.Queue[Finished] = queue.Queue()
        self._in_flight: set[str] = set()
        self._per_endpoint: dict[str, int] = {}
        self._endpoints: dict[str, Endpoint] = {}
        self._rounds = 0

    def run(self, stop: threading.Event) -> None:
        """Loop edge: a failed round is logged and the next one tries again."""
        try:
            while not stop.is_set():
                try:
                    submitted = self.round()
                except Exception:
                    log.exception("webhook.dispatch_round_failed")
                    submitted = 0
                if not submitted:
                    self._wait_for_completion(self._settings.poll_seconds)
        finally:
            self._pool.shutdown(wait=True)
            self._drain()
            self._leases.release_all()

    def round(self) -> int:
        """Submit what is due now; returns how many deliveries were handed to threads."""
        self._drain()
        now = self._deps.clock()
        submitted = 0
        for endpoint_id in self._deps.deliveries.endpoints_due(now, limit=1000):
            submitted += self._submit_for(endpoint_id)
        self._rounds += 1
        if self._rounds % STATS_EVERY_ROUNDS == 1:
            self.record_stats()
        return submitted

    def idle(self) -> bool:
        self._drain()
        return not self._in_flight

    def record_stats(self) -> None:
        now = self._deps.clock()
        depth, oldest = self._deps.deliveries.queue_stats(now)
        QUEUE_DEPTH.set(depth)
        OLDEST_DUE.set((now - oldest).total_seconds() if oldest is not None else 0)
        DISABLED_ENDPOINTS.set(self._deps.endpoints.count_disabled())

    def _submit_for(self, endpoint_id: str) -> int:
        room = self._settings.per_endpoint_in_flight - self._per_endpoint.get(endpoint_id, 0)
        if room <= 0 or not self._leases.hold(endpoint_id):
            return 0
        endpoint = self._deps.endpoints.get_any(endpoint_id)
        if endpoint is None:
            self._cancel(endpoint_id)
            return 0
        self._endpoints[endpoint_id] = endpoint
        if not endpoint.accepts_deliveries:
            return 0  # paused or disabled: kept pending until resumed
        busy = self._per_endpoint.get(endpoint_id, 0)
        due = self._deps.deliveries.due(endpoint_id, self._deps.clock(), limit=room + busy)
        fresh = [d for d in due if d.id not in self._in_flight][:room]
        for delivery in fresh:
            self._in_flight.add(delivery.id)
            self._per_endpoint[endpoint_id] = self._per_endpoint.get(endpoint_id, 0) + 1
            self._pool.submit(self._attempt, endpoint, delivery)
        return len(fresh)

    def _attempt(self, endpoint: Endpoint, delivery: Delivery) -> None:
        done: Delivery | None = None
        try:
            if self._leases.is_held(endpoint.id):  # fencing: a lost lease sends nothing
                done = attempt_delivery(self._deps, endpoint, delivery)
        except Exception:  # loop edge: the delivery stays due and is tried again
            log.exception("webhook.attempt_failed", extra={"delivery_id": delivery.id})
        finally:
            self._finished.put(Finished(endpoint, done, delivery.id))

    def _wait_for_completion(self, timeout: float) -> None:
        try:
            item = self._finished.get(timeout=timeout)
        except queue.Empty:
            return
        self._finish(item)

    def _drain(self) -> None:
        while True:
            try:
                item = self._finished.get_nowait()
            except queue.Empty:
                return
            self._finish(item)

    def _finish(self, item: Finished) -> None:
        endpoint_id = item.endpoint.id
        self._in_flight.discard(item.delivery_id)
        self._per_endpoint[endpoint_id] = self._per_endpoint.get(endpoint_id, 1) - 1
        if item.delivery is not None and item.delivery.attempts:
            current = self._endpoints.get(endpoint_id, item.endpoint)
            self._endpoints[endpoint_id] = track_health(self._deps, current, item.delivery)

    def _cancel(self, endpoint_id: str) -> None:
        """The endpoint was deleted: its pending deliveries will never go out."""
        for delivery in self._deps.deliveries.due(endpoint_id, self._deps.clock(), 500):
            self._deps.deliveries.record(dataclasses.replace(delivery, status=CANCELLED,
                                                             next_attempt_at=None))
