"""The one way events leave a service: validated, keyed by tenant, acknowledged by all replicas."""
from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from clientsynq.common import retry
from clientsynq.common.events import encode_event
from clientsynq.common.kafka.connection import KafkaConnection
from clientsynq.common.metrics import counter
from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError
from tenacity import RetryError

log = logging.getLogger(__name__)

PUBLISHED = counter("clientsynq_kafka_published_total", "Events acknowledged by Kafka", ["topic"])
PUBLISH_FAILURES = counter("clientsynq_kafka_publish_failures_total",
                           "Events Kafka did not acknowledge after every retry", ["topic"])


class PublishFailed(RuntimeError):
    """Kafka did not acknowledge an event after the bounded retries; the caller keeps it
    (outbox entry, checkpoint) and tries again later, so nothing is lost."""


class _Interrupted(Exception):
    """The producer is closing, or the caller's stop event is set: stop waiting (not a Kafka
    error, so the retry policy does not try again)."""


# The producer's batch size (also what bench/kafka_roundtrip gives raw kafka-python).
BATCH_BYTES = 256 * 1024
# How long one wait inside kafka-python lasts before we look at the stop flags again.
_WAIT_SLICE_SECONDS = 0.2


class EventProducer:
    """acks=all and idempotence-friendly settings: a publish that returned is durable.

    The key is the tenant id, so one business's events stay in order on one partition.
    """

    def __init__(self, conn: KafkaConnection, *, linger_ms: int = 5,
                 request_timeout_ms: int = 15000, max_block_ms: int = 5000) -> None:
        self._conn = conn
        self._closing = threading.Event()
        # Every wait is bounded: `send` waits for a topic's metadata at most max_block_ms
        # (kafka-python's default is 60 s, and nothing interrupts it), and a batch that
        # cannot be delivered (e.g. no producer id yet) is failed after one request timeout
        # plus linger instead of kafka-python's 120 s, so a stopping worker is never held.
        self._attempt_seconds = (request_timeout_ms + linger_ms) / 1000 + 1
        self._settings = {"linger_ms": linger_ms, "request_timeout_ms": request_timeout_ms,
                          "max_block_ms": max_block_ms}
        self._producer_lock = threading.Lock()
        self._producer: KafkaProducer | None = None
        self._current()  # made now, as before: a wrong address shows when the service starts

    def _new_kafka_producer(self) -> KafkaProducer:
        linger_ms, request_timeout_ms = (self._settings["linger_ms"],
                                         self._settings["request_timeout_ms"])
        return KafkaProducer(
            bootstrap_servers=self._conn.servers, client_id=f"{self._conn.client_id}-producer",
            # Kafka's own advice for an idempotent producer: retry until the delivery timeout
            # (the broker drops duplicates by sequence number). Five quick retries gave up on
            # a new topic whose leader was not elected yet, and our policy then sent the whole
            # batch again, so events that had already landed were published twice.
            acks="all", retries=2**31 - 1, linger_ms=linger_ms,
            request_timeout_ms=request_timeout_ms,
            delivery_timeout_ms=request_timeout_ms + linger_ms,
            max_block_ms=self._settings["max_block_ms"],
            # Idempotence keeps per-partition order across retries with 5 requests in flight.
            # A sync page is 1000 events of one tenant, so of one partition (1.5 MB of
            # invoices): 256 KiB batches carry it in 6 requests instead of 23, and cost a
            # sixth less client CPU per page (fewer batches built, woken, sent and acked;
            # docs/benchmarks.md). Well under kafka-python's 1 MiB request limit.
            enable_idempotence=True, max_in_flight_requests_per_connection=5,
            batch_size=BATCH_BYTES, **self._conn.client_options,
        )

    def _current(self) -> KafkaProducer:
        """The kafka-python producer to send with, made anew after `_renew` dropped one (a
        broker still down makes this raise NoBrokersAvailable, which the policy retries)."""
        with self._producer_lock:
            if self._producer is None:
                self._producer = self._new_kafka_producer()
            return self._producer

    def _renew(self, failed: KafkaProducer) -> None:
        """Drop a producer that could not deliver after every retry; the next publish makes a
        new one (a new producer id, fresh sequence numbers and connections).

        Why: after the broker was down long enough for batches to expire, kafka-python's
        idempotent producer can stay unable to deliver anything again (every later publish
        timed out, a minute after the broker was back, until the process restarted: the e2e
        drill stopping Kafka 20 s, and test_producer_outage on a private broker). Nothing is
        lost by renewing: every caller keeps what it could not publish and tries again, and
        consumers are idempotent to an event that did land twice."""
        with self._producer_lock:
            renewed_already = self._producer is not failed
            if renewed_already or self._closing.is_set():
                return  # by another publisher, or we are closing (close() ends it)
            self._producer = None
        log.warning("kafka.producer_renewed")
        self._abandon_unsent(failed)
        try:
            failed.close(timeout=0)
        except KafkaError:
            log.warning("kafka.producer_close_incomplete", exc_info=True)

    def publish(self, envelope: Mapping[str, Any]) -> None:
        """Validate, send and wait for the acknowledgement of one event."""
        self.publish_many([envelope])

    def publish_many(self, envelopes: Iterable[Mapping[str, Any]], *,
                     until: threading.Event | None = None) -> int:
        """Validate everything first (a bad event sends nothing), then send all and wait once.

        Waiting once per batch instead of once per event is what makes a 1000-row sync
        page cost one round trip rather than a thousand. `until` (a worker's stop event)
        and `close()` end the wait early with PublishFailed: the caller keeps the events
        (some may still arrive; consumers are idempotent), and the worker can stop now.
        """
        prepared = [(self._conn.topic(e["type"]), e["tenantid"].encode(), encode_event(e))
                    for e in envelopes]
        if not prepared:
            return 0
        used: list[KafkaProducer] = []
        try:
            retry.kafka_publish_policy()(self._send_and_wait, prepared, until, used)
        except (RetryError, _Interrupted) as err:
            if isinstance(err, RetryError) and used:
                self._renew(used[-1])
            self._count(PUBLISH_FAILURES, prepared)
            why = "stopping" if isinstance(err, _Interrupted) else "after every retry"
            raise PublishFailed(
                f"Kafka did not acknowledge {len(prepared)} event(s) ({why})") from err
        self._count(PUBLISHED, prepared)
        return len(prepared)

    def _count(self, metric: Any, prepared: list[tuple[str, bytes, bytes]]) -> None:
        """One increment per topic of the batch, not one label lookup per event."""
        for topic, count in Counter(topic for topic, _, _ in prepared).items():
            metric.labels(topic=self._conn.logical(topic)).inc(count)

    def send_raw(self, topic: str, value: bytes, key: bytes | None,
                 headers: list[tuple[str, bytes]]) -> None:
        """For dead letters: bytes that did not validate must still be kept, as they came."""
        self._current().send(self._conn.topic(topic), value=value, key=key,
                             headers=headers).get(timeout=30)

    def _send_and_wait(self, prepared: list[tuple[str, bytes, bytes]],
                       until: threading.Event | None, used: list[KafkaProducer]) -> None:
        """One attempt; `used` collects the producer it sent with (the one to renew if every
        attempt fails)."""
        self._check_going_on(until)
        producer = self._current()
        used.append(producer)
        futures = [producer.send(topic, value=value, key=key) for topic, key, value in prepared]
        self._flush(producer, time.monotonic() + self._attempt_seconds, until)
        for future in futures:
            try:
                future.get(timeout=1)  # done once flushed: this only reads the outcome
            except KafkaError:
                self._check_going_on(until)
                log.warning("kafka.publish_retry", exc_info=True)
                raise

    def _check_going_on(self, until: threading.Event | None) -> None:
        if self._closing.is_set() or (until is not None and until.is_set()):
            raise _Interrupted

    def _flush(self, producer: KafkaProducer, deadline: float,
               until: threading.Event | None = None) -> None:
        """kafka-python's flush, in short waits so that a stop or close is seen at once;
        raises KafkaTimeoutError at `deadline` (retried by the publish policy; by then every
        batch has met its delivery timeout, so nothing still on its way is sent twice).

        Any error of a short wait only means "not done yet" (besides KafkaTimeoutError,
        kafka-python can raise UnknownError("Future not done") when a batch completes just
        as the wait ends): the outcome of each event is read from its future afterwards.
        Letting such an error reach the retry policy resent batches that were delivered."""
        while True:
            try:
                producer.flush(timeout=_WAIT_SLICE_SECONDS)
                return
            except KafkaError:
                if until is not None or self._closing.is_set():
                    self._check_going_on(until)
                if time.monotonic() >= deadline:
                    raise KafkaTimeoutError(f"not acknowledged by {deadline:.0f}") from None

    def close(self, timeout: float = 10) -> None:
        """Deliver what is pending within `timeout`, then give up on the rest: returns within
        about `timeout` + 1 s whatever state kafka-python is in (even still waiting for its
        idempotent producer id). Publishes still waiting end with PublishFailed."""
        self._closing.set()
        with self._producer_lock:
            producer = self._producer
        if producer is None:
            return
        deadline = time.monotonic() + timeout
        try:
            self._flush(producer, deadline)
        except KafkaTimeoutError:
            log.warning("kafka.producer_close_unsent", extra={"timeout_seconds": timeout})
            self._abandon_unsent(producer)
        try:
            producer.close(timeout=max(0.0, deadline - time.monotonic()))
        except KafkaError:  # kafka-python's own flush inside close found batches not yet failed
            log.warning("kafka.producer_close_incomplete", exc_info=True)

    @staticmethod
    def _abandon_unsent(producer: KafkaProducer) -> None:
        """Stop kafka-python's I/O thread without sending: it fails every unsent batch, which
        wakes their publishers. kafka-python's close() would flush again first (raising on
        a batch still waiting), so its sender is stopped directly."""
        sender = getattr(producer, "_sender", None)
        if sender is not None:
            sender.force_close()
            sender.join(1.0)
