"""The delivery loop: which deliveries go out now, from which replica, on which thread.

- One replica at a time delivers for an endpoint (a per-endpoint lease), and that replica
  never has one delivery in flight twice, so several replicas never send one attempt twice.
  A replica killed mid-delivery leaves the delivery pending; its lease expires and the
  next holder sends it (at least once: the receiver dedupes on `webhook-id`).
- Isolation: each endpoint has at most `per_endpoint_in_flight` deliveries on the shared
  thread pool, so a slow or dead endpoint ties up only its own few threads (each bounded
  by the 15 s timeout) and never queues in front of another endpoint or business.
- Completions come back to this one thread, which records health: one writer, no races.
- The lease of every endpoint with a delivery in flight is kept every round, not only when
  more is submitted: an endpoint at its cap whose attempts are slow to record would
  otherwise let its lease lapse, and another replica would send those same attempts again.
- Queue statistics are read by the worker's own stats thread (`record_stats`): counting a
  large collection on FerretDB takes seconds and would stall deliveries.

Correctness of "never twice": a round first takes the finished deliveries off the in-flight
set (their result is already saved), then reads what is due; a delivery finishing after
that read is still in flight, so the stale read cannot resubmit it. What was read waits in
a buffer (never holding a delivery that is in flight) and leaves it when submitted; the
endpoint's lease and state are checked again at that moment.
"""
from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
from collections import deque
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
ENDPOINT_CACHE_SECONDS = 1.0


@dataclass(frozen=True)
class Finished:
    endpoint: Endpoint
    delivery: Delivery | None  # None: the attempt raised (logged; it stays due)
    delivery_id: str


class Dispatcher:
    def __init__(self, deps: Outbound, leases: EndpointLeases,
                 endpoint_cache_seconds: float = ENDPOINT_CACHE_SECONDS) -> None:
        self._deps = deps
        self._leases = leases
        self._settings = deps.settings
        self._pool = ThreadPoolExecutor(self._settings.workers, thread_name_prefix="webhook-out")
        self._finished: queue.Queue[Finished] = queue.Queue()
        self._in_flight: set[str] = set()
        self._per_endpoint: dict[str, int] = {}
        self._endpoints: dict[str, Endpoint] = {}
        self._loaded_at: dict[str, float] = {}
        self._set_aside: dict[str, float] = {}
        self._buffer: dict[str, deque[Delivery]] = {}
        self._buffered: set[str] = set()
        self._cache_seconds = endpoint_cache_seconds
        self._recheck_seconds = max(0.5, self._settings.lease_seconds / 4)

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
        """Submit what is due now; returns how many deliveries were handed to threads.

        What is due is read in one query and kept in a per-endpoint buffer until threads
        are free, so a slow read (FerretDB scans) is paid once per many deliveries."""
        self._drain()
        now_mono = time.monotonic()
        self._keep_leases(now_mono)
        if len(self._buffered) < self._settings.workers:
            self._refill(now_mono)
        submitted = sum(self._submit_for(endpoint_id, now_mono)
                        for endpoint_id in list(self._buffer))
        return submitted

    def _keep_leases(self, now_mono: float) -> None:
        """Renew (a write only past half the lease) while attempts are in flight; a lost
        lease stops new submissions, and `_attempt`'s fence stops the queued ones."""
        for endpoint_id, count in self._per_endpoint.items():
            if count > 0 and not self._leases.hold(endpoint_id):
                self._set_aside[endpoint_id] = now_mono + self._recheck_seconds

    def _refill(self, now_mono: float) -> None:
        due = self._deps.deliveries.all_due(self._deps.clock(), self._settings.workers * 8,
                                            skip_endpoints=self._skipped(now_mono))
        for delivery in due:
            if delivery.id not in self._in_flight and delivery.id not in self._buffered:
                self._buffer.setdefault(delivery.endpoint_id, deque()).append(delivery)
                self._buffered.add(delivery.id)

    def idle(self) -> bool:
        self._drain()
        return not self._in_flight

    def record_stats(self) -> None:
        now = self._deps.clock()
        depth, oldest = self._deps.deliveries.queue_stats(now)
        QUEUE_DEPTH.set(depth)
        OLDEST_DUE.set((now - oldest).total_seconds() if oldest is not None else 0)
        DISABLED_ENDPOINTS.set(self._deps.endpoints.count_disabled())

    def _skipped(self, now_mono: float) -> set[str]:
        """Endpoints whose due deliveries must not fill this round's read: at their cap,
        leased by another replica, or paused/disabled (looked at again after a while)."""
        cap = self._settings.per_endpoint_in_flight
        busy = {e for e, n in self._per_endpoint.items() if n >= cap}
        busy |= {e for e, waiting in self._buffer.items() if len(waiting) >= cap}
        self._set_aside = {e: until for e, until in self._set_aside.items() if until > now_mono}
        return busy | set(self._set_aside)

    def _submit_for(self, endpoint_id: str, now_mono: float) -> int:
        waiting = self._buffer.get(endpoint_id)
        room = self._settings.per_endpoint_in_flight - self._per_endpoint.get(endpoint_id, 0)
        if not waiting or room <= 0:
            return 0
        if not self._leases.hold(endpoint_id):
            self._set_aside[endpoint_id] = now_mono + self._recheck_seconds
            return self._forget(endpoint_id)
        endpoint = self._endpoint(endpoint_id, now_mono)
        if endpoint is None:
            self._cancel(endpoint_id)
            return self._forget(endpoint_id)
        if not endpoint.accepts_deliveries:  # paused or disabled: kept pending until resumed
            self._set_aside[endpoint_id] = now_mono + self._cache_seconds
            return self._forget(endpoint_id)
        submitted = 0
        while waiting and submitted < room:
            delivery = waiting.popleft()
            self._buffered.discard(delivery.id)
            self._in_flight.add(delivery.id)
            self._per_endpoint[endpoint_id] = self._per_endpoint.get(endpoint_id, 0) + 1
            self._pool.submit(self._attempt, endpoint, delivery)
            submitted += 1
        if not waiting:
            del self._buffer[endpoint_id]
        return submitted

    def _forget(self, endpoint_id: str) -> int:
        for delivery in self._buffer.pop(endpoint_id, ()):
            self._buffered.discard(delivery.id)
        return 0

    def _endpoint(self, endpoint_id: str, now_mono: float) -> Endpoint | None:
        """Read at most once a second per endpoint: a pause or an edit applies within it."""
        cached = self._endpoints.get(endpoint_id)
        fresh = now_mono - self._loaded_at.get(endpoint_id, -1e9) < self._cache_seconds
        if cached is not None and fresh:
            return cached
        endpoint = self._deps.endpoints.get_any(endpoint_id)
        if endpoint is not None:
            self._endpoints[endpoint_id] = endpoint
            self._loaded_at[endpoint_id] = now_mono
        return endpoint

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
        self._endpoints.pop(endpoint_id, None)
        for delivery in self._deps.deliveries.due(endpoint_id, self._deps.clock(), 500):
            self._deps.deliveries.record(dataclasses.replace(delivery, status=CANCELLED,
                                                             next_attempt_at=None))
