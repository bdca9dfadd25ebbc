"""The delivery loop: which queued attempts go out now, from which replica, on which thread.

- Exactly once per attempt, across replicas, by construction: an attempt is sent only by
  the replica whose insert of its claim (`_id` `<delivery>#<n>`) succeeded, and only
  inside the claim's send window by that replica's clock (`domain/queue.py`). Leases,
  timings and slow writes decide who *tries*, never who sends: a replica whose endpoint
  lease lapsed mid-write, or that read a stale queue, finds the claim taken and sends
  nothing. A claim left by a replica that died is judged abandoned only after its send
  window, the delivery timeout and a grace (`WEBHOOK_CLAIM_GRACE`) have passed; the
  attempt is then recorded as lost and the message goes out again as the next attempt (at
  least once: receivers dedupe on `webhook-id`).
- Endpoint leases now only spread the work: one replica at a time usually delivers for an
  endpoint, so the per-endpoint cap holds and only one replica writes its health.
- Isolation: each endpoint has at most `per_endpoint_in_flight` attempts on the shared
  thread pool, so a slow or dead endpoint ties up only its own few threads (each bounded
  by the timeout) and never queues in front of another endpoint or business.
- Batching, for FerretDB (where each write round trip is dear): one read of the queue per
  many attempts; one claim insert per round, claiming ahead up to `MAX_AHEAD` times an
  endpoint's cap when its recent answers are fast (`_ahead`; attempts already answered
  leave room, so claiming and sending go on while outcomes are saved); up to the cap of sender loops
  per endpoint, each sending the next claimed attempt as soon as the last is answered, so
  sends never wait for this thread's writes; the outcomes of every attempt finished since
  the last round recorded together (`DeliveryStore.finish`), on this thread, which also
  keeps endpoint health: one writer, no races. An outcome that failed to save is kept and
  saved again next round; its attempt counts as in flight until then. Their queue entries
  are deleted together every `FORGET_SECONDS` (`forget`) by a thread of their own while
  `run` runs: on FerretDB each delete is a scan of the queue and a write transaction, the
  dearest step, which claims and outcomes no longer wait for. Until then this replica
  skips them (and, once deleted, until a read begun after the delete); another replica
  reading one finds its claim taken and leaves it (as for any attempt in flight); after a
  crash they are completed like any entry whose outcome is recorded.
- Fresh work is handed over, not scanned for: the worker's fan-out `offer`s the queue
  entries it has just inserted (persisted first; claimed like any other; up to
  `OFFERED_MAX` held, so a burst is not left to reads of the queue), and while such
  offers keep coming the whole queue is read only when the last read's duration, divided
  by QUEUE_READ_SHARE, has passed (retries, other replicas' and crashed work come from
  these reads). On FerretDB the read is a scan of the queue, the dispatch thread's largest
  cost when a backlog builds; on MongoDB it is an index range and stays about every round.
- Queue statistics are read by the worker's own stats thread (`record_stats`).
"""
from __future__ import annotations

import logging
import queue
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from clientsynq.common.metrics import counter, gauge
from clientsynq.webhooks.domain.endpoints import Endpoint
from clientsynq.webhooks.domain.ports import EndpointLeases
from clientsynq.webhooks.domain.queue import (
    Claim,
    Due,
    Outcome,
    lost,
    new_claim,
    not_sent,
)
from clientsynq.webhooks.services.outbound import (
    Outbound,
    attempt_delivery,
    cancel_pending,
    track_health,
)

log = logging.getLogger(__name__)
QUEUE_DEPTH = gauge("clientsynq_webhook_queue_depth", "Deliveries due now")
OLDEST_DUE = gauge("clientsynq_webhook_oldest_due_seconds", "Age of the oldest due delivery")
DISABLED_ENDPOINTS = gauge("clientsynq_webhook_disabled_endpoints", "Endpoints disabled now")
CLAIMS_TAKEN = counter("clientsynq_webhook_claims_taken_total",
                       "Attempts this replica found claimed already, by what it did",
                       ["action"])
ENDPOINT_CACHE_SECONDS = 1.0
AHEAD_SECONDS = 2.0  # claim about this much sending time ahead per endpoint ...
MAX_AHEAD = 64  # ... at most this many times its in-flight cap
UNRECORDED_AHEADS = 4  # answered, outcome not saved yet: at most this many claims' worth
FORGET_SECONDS = 1.0  # finished queue entries are deleted together at most this often
QUEUE_READ_SHARE = 0.25  # while fed by offers, reads of the queue take about this share
OFFERED_MAX = 4096  # offered entries held at once (memory); more are found by reads


@dataclass(frozen=True)
class Finished:
    endpoint: Endpoint
    due: Due
    outcome: Outcome | None  # None: the attempt raised (logged; recovered once abandoned)


class Dispatcher:
    def __init__(self, deps: Outbound, leases: EndpointLeases,
                 endpoint_cache_seconds: float = ENDPOINT_CACHE_SECONDS,
                 holder: str | None = None) -> None:
        self._deps = deps
        self._leases = leases
        self._settings = deps.settings
        self._holder = holder or f"{socket.gethostname()}/{uuid.uuid4().hex[:12]}"
        self._pool = ThreadPoolExecutor(self._settings.workers, thread_name_prefix="webhook-out")
        self._finished: queue.Queue[Finished] = queue.Queue()
        self._unrecorded: list[Finished] = []
        self._to_forget: set[str] = set()  # finished, their queue entries not deleted yet
        self._gone: dict[str, float] = {}  # deleted at (monotonic): earlier reads may hold them
        self._forget_lock = threading.Lock()  # guards _to_forget and _gone (the forget thread)
        self._forget_in_round = True  # False while run()'s forget thread deletes them
        self._offered: deque[Due] = deque()  # appended by the consumer thread
        self._fed = False  # offers arrived since the last read of the queue
        self._read_at, self._read_seconds = -1e9, 0.0
        self._forgot_at = time.monotonic()
        self._in_flight: set[str] = set()
        self._per_endpoint: dict[str, int] = {}  # claimed, outcome not recorded yet
        self._answered: dict[str, int] = {}  # of those, answered (or refused): under _lock
        self._endpoints: dict[str, Endpoint] = {}
        self._loaded_at: dict[str, float] = {}
        self._set_aside: dict[str, float] = {}
        self._buffer: dict[str, deque[Due]] = {}
        self._buffered: set[str] = set()
        self._parked: dict[str, datetime] = {}  # claimed elsewhere: left alone until then
        self._claimed: dict[str, deque[tuple[Endpoint, Due, Claim]]] = {}  # ours, unsent
        self._sending: dict[str, int] = {}  # sender loops per endpoint (at most the cap)
        self._lock = threading.Lock()  # guards _claimed, _sending, _answered (with loops)
        self._latency: dict[str, float] = {}  # seconds, a moving average per endpoint
        self._cache_seconds = endpoint_cache_seconds
        self._recheck_seconds = max(0.5, self._settings.lease_seconds / 4)

    def run(self, stop: threading.Event) -> None:
        """Loop edge: a failed round is logged and the next one tries again."""
        self._forget_in_round = False
        forgetting = threading.Thread(target=self._forget_loop, args=(stop,), daemon=True,
                                      name="webhook-forget")
        forgetting.start()
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
            forgetting.join(timeout=60)
            self._delete_finished(flush=True)
            self._leases.release_all()

    def round(self) -> int:
        """Record what finished, read what is due (one query, kept in a per-endpoint buffer
        until threads are free), claim this round's picks in one insert, submit the won."""
        now_mono = time.monotonic()
        self._submit_claimed(now_mono)  # sends need no database: free loops first
        self._drain()
        if self._forget_in_round:
            self._delete_finished()
        self._keep_leases(now_mono)
        self._take_offered(now_mono)
        if len(self._buffered) < self._settings.workers and self._may_read(now_mono):
            self._refill(now_mono)
        picked: list[tuple[Endpoint, Due]] = []
        for endpoint_id in list(self._buffer):
            picked += self._pick(endpoint_id, now_mono)
        self._claim(picked)
        return self._submit_claimed(now_mono)

    def idle(self) -> bool:
        """Nothing claimed, in flight or unrecorded (waiting claims are handed to threads
        freed since the round: tests wait on this between rounds)."""
        self._drain()
        self._delete_finished(flush=True)
        self._submit_claimed(time.monotonic())
        return not self._in_flight

    def record_stats(self) -> None:
        now = self._deps.clock()
        depth, oldest = self._deps.deliveries.queue_stats(now)
        QUEUE_DEPTH.set(depth)
        OLDEST_DUE.set((now - oldest).total_seconds() if oldest is not None else 0)
        DISABLED_ENDPOINTS.set(self._deps.endpoints.count_disabled())

    def _keep_leases(self, now_mono: float) -> None:
        """Renew (a write only past half the lease) while attempts are in flight."""
        busy = {e for e, n in self._per_endpoint.items() if n > 0}
        for endpoint_id in busy:
            if not self._leases.hold(endpoint_id):
                self._set_aside[endpoint_id] = now_mono + self._recheck_seconds

    def offer(self, entries: Sequence[Due]) -> None:
        """Queue entries this process has just inserted (thread-safe): sent without waiting
        for a read of the queue. Those it has no room for are found by a later read."""
        self._offered.extend(entries)

    def _take_offered(self, now_mono: float) -> None:
        room = OFFERED_MAX - len(self._buffered)
        with self._forget_lock:
            while self._offered:
                entry = self._offered.popleft()
                key, endpoint_id = entry.key, entry.delivery.endpoint_id
                if room <= 0 or self._set_aside.get(endpoint_id, 0.0) > now_mono \
                        or key in self._in_flight or key in self._buffered \
                        or key in self._parked or key in self._to_forget:
                    continue
                self._buffer.setdefault(endpoint_id, deque()).append(entry)
                self._buffered.add(key)
                self._fed, room = True, room - 1

    def _may_read(self, now_mono: float) -> bool:
        return not self._fed or \
            now_mono - self._read_at >= self._read_seconds / QUEUE_READ_SHARE

    def _refill(self, now_mono: float) -> None:
        started = time.monotonic()
        self._fed, self._read_at = False, started
        now = self._deps.clock()
        self._parked = {key: until for key, until in self._parked.items() if until > now}
        due = self._deps.deliveries.all_due(now, self._read_limit(),
                                            skip_endpoints=self._skipped(now_mono))
        with self._forget_lock:
            for entry in due:
                key = entry.key
                if key not in self._in_flight and key not in self._buffered \
                        and key not in self._parked and key not in self._to_forget \
                        and key not in self._gone:
                    self._buffer.setdefault(entry.delivery.endpoint_id, deque()).append(entry)
                    self._buffered.add(key)
            # deleted before this read began: no later read can return them
            self._gone = {key: at for key, at in self._gone.items() if at >= started}
        self._read_seconds = time.monotonic() - started

    def _read_limit(self) -> int:
        """Room for a read's worth of new entries beside those this replica knows (in
        flight, buffered, finished but not yet deleted): the oldest due come first, and
        those known would otherwise fill the read and starve it."""
        known = len(self._in_flight) + len(self._buffered) + len(self._to_forget)
        return self._settings.workers * 32 + known

    def _skipped(self, now_mono: float) -> set[str]:
        """Endpoints whose due entries must not fill this round's read: at their cap,
        leased by another replica, or paused/disabled (looked at again after a while)."""
        busy = {e for e in self._per_endpoint if self._room(e) <= 0}
        busy |= {e for e, waiting in self._buffer.items() if len(waiting) >= self._ahead(e)}
        self._set_aside = {e: until for e, until in self._set_aside.items() if until > now_mono}
        return busy | set(self._set_aside)

    def _pick(self, endpoint_id: str, now_mono: float) -> list[tuple[Endpoint, Due]]:
        waiting = self._buffer.get(endpoint_id)
        room = self._room(endpoint_id)
        if not waiting or room <= 0:
            return []
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
        picked: list[tuple[Endpoint, Due]] = []
        while waiting and len(picked) < room:
            entry = waiting.popleft()
            self._buffered.discard(entry.key)
            picked.append((endpoint, entry))
        if not waiting:
            del self._buffer[endpoint_id]
        return picked

    def _ahead(self, endpoint_id: str) -> int:
        """How many attempts to claim ahead for an endpoint: its cap, times how many of its
        recent answers fit in AHEAD_SECONDS (1 while unknown). Bigger claims mean fewer
        writes per attempt; claims kept too long would pass their send window."""
        latency = self._latency.get(endpoint_id)
        factor = 1 if latency is None else int(AHEAD_SECONDS / max(latency, 0.001))
        return self._settings.per_endpoint_in_flight * min(MAX_AHEAD, max(1, factor))

    def _room(self, endpoint_id: str) -> int:
        """Claims to make now: attempts answered but not yet recorded leave room (sending
        goes on while this thread records them), up to UNRECORDED_AHEADS claims' worth."""
        ahead, held = self._ahead(endpoint_id), self._per_endpoint.get(endpoint_id, 0)
        with self._lock:
            unanswered = held - self._answered.get(endpoint_id, 0)
        return min(ahead - unanswered, UNRECORDED_AHEADS * ahead - held)

    def _claim(self, picked: Sequence[tuple[Endpoint, Due]]) -> None:
        """One insert claims the whole round's picks; the won wait for a thread."""
        if not picked:
            return
        claim = self._new_claim()
        won = self._deps.deliveries.claim([entry for _, entry in picked], claim)
        for endpoint, entry in picked:
            if entry.key in won:
                self._in_flight.add(entry.key)
                self._per_endpoint[endpoint.id] = self._per_endpoint.get(endpoint.id, 0) + 1
                with self._lock:
                    self._claimed.setdefault(endpoint.id, deque()).append(
                        (endpoint, entry, claim))
            else:
                self._claimed_elsewhere(entry)

    def _submit_claimed(self, now_mono: float) -> int:
        """Start sender loops (up to the cap per endpoint) for claimed attempts; a loop
        sends its endpoint's next claimed attempt as soon as the last one is answered, so
        sending never waits for this thread's database writes. An endpoint paused or
        deleted since the claim sends nothing: those attempts are recorded not sent."""
        started, cap = 0, self._settings.per_endpoint_in_flight
        with self._lock:
            endpoint_ids = list(self._claimed)
        for endpoint_id in endpoint_ids:
            current = self._endpoint(endpoint_id, now_mono)
            with self._lock:
                waiting = self._claimed.get(endpoint_id) or deque()
                refused = [] if current is not None and current.accepts_deliveries \
                    else list(waiting)
                if refused:
                    waiting.clear()
                loops = min(len(waiting), cap - self._sending.get(endpoint_id, 0))
                self._sending[endpoint_id] = self._sending.get(endpoint_id, 0) + max(loops, 0)
            for endpoint, entry, _ in refused:
                self._answer(Finished(endpoint, entry, not_sent(entry, self._deps.clock())))
            for _ in range(max(loops, 0)):
                self._pool.submit(self._send_loop, endpoint_id)
            started += max(loops, 0)
        return started

    def _send_loop(self, endpoint_id: str) -> None:
        while True:
            with self._lock:
                waiting = self._claimed.get(endpoint_id)
                if not waiting:
                    self._claimed.pop(endpoint_id, None)
                    self._sending[endpoint_id] -= 1
                    return
                endpoint, entry, claim = waiting.popleft()
            self._attempt(endpoint, entry, claim)

    def _new_claim(self) -> Claim:
        return new_claim(self._holder, self._deps.clock(), self._settings.timeout_seconds,
                         self._settings.claim_grace_seconds)

    def _claimed_elsewhere(self, entry: Due) -> None:
        """A stale read (our own finished attempt), another replica's attempt in flight, or
        a dead replica's: only the last, once abandoned, is recorded as lost here."""
        claim = self._deps.deliveries.claim_of(entry.key)
        now = self._deps.clock()
        if claim is None or now < claim.abandon_at:  # None: not readable yet; look later
            CLAIMS_TAKEN.labels(action="left").inc()
            self._parked[entry.key] = claim.abandon_at if claim else now + timedelta(
                seconds=self._recheck_seconds)
            return
        CLAIMS_TAKEN.labels(action="recorded_lost").inc()
        settings = self._settings
        self._deps.deliveries.finish([lost(entry, now, settings.retry_schedule,
                                           settings.jitter_ratio, self._deps.random)])

    def _forget(self, endpoint_id: str) -> list[tuple[Endpoint, Due]]:
        for entry in self._buffer.pop(endpoint_id, ()):
            self._buffered.discard(entry.key)
        return []

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

    def _attempt(self, endpoint: Endpoint, entry: Due, claim: Claim) -> None:
        outcome: Outcome | None = None
        try:
            outcome = attempt_delivery(self._deps, endpoint, entry, claim)
        except Exception:  # loop edge: the claim is recovered once abandoned
            log.exception("webhook.attempt_failed", extra={"delivery_id": entry.delivery.id})
        finally:
            self._answer(Finished(endpoint, entry, outcome))

    def _answer(self, item: Finished) -> None:
        with self._lock:
            self._answered[item.endpoint.id] = self._answered.get(item.endpoint.id, 0) + 1
        self._finished.put(item)

    def _wait_for_completion(self, timeout: float) -> None:
        try:
            item = self._finished.get(timeout=timeout)
        except queue.Empty:
            return
        self._unrecorded.append(item)
        self._drain()

    def _drain(self) -> None:
        """Save every finished outcome in one `finish`; only then do they leave the
        in-flight set (before the next read of what is due)."""
        items = self._unrecorded
        while True:
            try:
                items.append(self._finished.get_nowait())
            except queue.Empty:
                break
        if not items:
            return
        try:
            recorded = self._deps.deliveries.finish([i.outcome for i in items if i.outcome],
                                                    delete=False)
        except Exception:  # loop edge: kept, saved again next round
            log.exception("webhook.record_failed", extra={"count": len(items)})
            self._unrecorded = items
            return
        self._unrecorded = []
        with self._forget_lock:
            self._to_forget.update(i.due.key for i in items if i.outcome)
        for item in items:
            self._done(item, item.due.key in recorded)

    def _forget_loop(self, stop: threading.Event) -> None:
        """run()'s deletes of finished entries, every FORGET_SECONDS on a thread of their
        own: on FerretDB each is a scan of the queue, which the dispatch thread (claims,
        outcomes, sends) no longer waits for."""
        while not stop.wait(FORGET_SECONDS):
            self._delete_finished(flush=True)

    def _delete_finished(self, flush: bool = False) -> None:
        """The queue entries of recorded outcomes, in one delete at most every
        FORGET_SECONDS (at once when `flush`); a failed delete is tried again later.
        Deleted keys stay known (`_gone`) until a read begun after the delete: one begun
        before may still return them, and they must not be claimed again."""
        due = flush or time.monotonic() - self._forgot_at >= FORGET_SECONDS
        with self._forget_lock:
            keys = sorted(self._to_forget) if due else []
        if not keys:
            return
        try:
            self._deps.deliveries.forget(keys)
        except Exception:  # loop edge: kept, deleted again next time
            log.exception("webhook.forget_failed", extra={"count": len(keys)})
            return
        deleted_at = self._forgot_at = time.monotonic()
        with self._forget_lock:
            self._gone.update(dict.fromkeys(keys, deleted_at))
            self._to_forget.difference_update(keys)

    def _done(self, item: Finished, recorded: bool) -> None:
        endpoint_id = item.endpoint.id
        self._in_flight.discard(item.due.key)
        self._per_endpoint[endpoint_id] = self._per_endpoint.get(endpoint_id, 1) - 1
        with self._lock:
            self._answered[endpoint_id] = self._answered.get(endpoint_id, 1) - 1
        attempt = item.outcome.attempt if item.outcome is not None else None
        if attempt is not None:
            seconds = attempt.latency_ms / 1000
            self._latency[endpoint_id] = 0.8 * self._latency.get(endpoint_id, seconds) \
                + 0.2 * seconds
        if recorded and attempt is not None:
            current = self._endpoints.get(endpoint_id, item.endpoint)
            self._endpoints[endpoint_id] = track_health(self._deps, current, attempt)

    def _cancel(self, endpoint_id: str) -> None:
        """The endpoint was deleted: its queued entries are claimed and recorded cancelled
        (the API's delete did so already for all but those in flight or beyond a batch)."""
        self._endpoints.pop(endpoint_id, None)
        cancel_pending(self._deps, endpoint_id, self._holder)
