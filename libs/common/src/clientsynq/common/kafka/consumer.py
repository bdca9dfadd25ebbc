"""The consumer loop every worker runs: validate, handle, then commit — never the other way.

A message that fails validation is dead-lettered at once (it will never become valid).
A handler that raises is retried a bounded number of times and then dead-lettered, so one
poison message cannot stop a partition. Offsets are committed only after every message of a
poll was handled or dead-lettered: a process that dies in between gets them again.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from clientsynq.common import retry
from clientsynq.common.events import Event, EventValidationError, decode_event, dlq_topic
from clientsynq.common.kafka.connection import KafkaConnection
from clientsynq.common.kafka.producer import EventProducer
from clientsynq.common.logging import bind_event_id
from clientsynq.common.metrics import counter, gauge
from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import (
    CommitFailedError,
    IllegalGenerationError,
    IllegalStateError,
    KafkaConnectionError,
    KafkaTimeoutError,
    RebalanceInProgressError,
    UnknownMemberIdError,
)
from tenacity import RetryError

log = logging.getLogger(__name__)

CONSUMED = counter("clientsynq_kafka_consumed_total", "Events handled", ["topic", "group"])
FAILED = counter("clientsynq_kafka_dead_lettered_total", "Events sent to a dead-letter topic",
                 ["topic", "group", "why"])
LAG = gauge("clientsynq_kafka_consumer_lag", "Messages not yet consumed", ["topic", "group"])
STALLS = counter("clientsynq_kafka_consumer_stalls_total",
                 "Times polls came back empty while assigned partitions held records "
                 "(the partitions were then sought to their positions again)", ["group"])

Handler = Callable[[Event], None]
LAG_INTERVAL_SECONDS = 5.0
STALL_SECONDS = 15.0  # empty polls this long while records wait: the fetcher is stuck
CLOSE_TIMEOUT_MS = 5_000
REBALANCED = (CommitFailedError, RebalanceInProgressError, IllegalGenerationError,
              UnknownMemberIdError)
UNREACHABLE = (KafkaTimeoutError, KafkaConnectionError)  # the broker is down or restarting


class HandlerFailed(RuntimeError):
    """Raised by a handler for a failure that no retry can fix (dead-letter it now)."""


class ConsumerRunner:
    """Runs `handler` for every event on `topics` in consumer group `group_id`."""

    def __init__(self, conn: KafkaConnection, group_id: str, topics: Sequence[str],
                 handler: Handler, *, dlq: EventProducer, max_poll_records: int = 500,
                 handler_attempts: int = 3, stall_seconds: float = STALL_SECONDS,
                 lag_interval: float = LAG_INTERVAL_SECONDS,
                 **consumer_options: Any) -> None:
        self._conn = conn
        self._group = group_id
        self._handler = handler
        self._dlq = dlq
        self._attempts = handler_attempts
        self._stopping = threading.Event()
        self._lag_checked_at = 0.0
        self._lag_interval = lag_interval  # a test asks after every poll (0)
        self._stall_seconds = stall_seconds
        self._behind_since: float | None = None  # idle polls while records wait, since when
        self._counters: dict[str, Any] = {}
        self._consumer = KafkaConsumer(
            *[conn.topic(t) for t in topics], bootstrap_servers=conn.servers,
            group_id=conn.group(group_id), client_id=f"{conn.client_id}-{group_id}",
            enable_auto_commit=False, auto_offset_reset="earliest",
            max_poll_records=max_poll_records, **{**conn.consumer_options, **consumer_options},
        )

    def stop(self) -> None:
        """Finish the poll batch in hand, commit, leave the group (also on SIGTERM)."""
        self._stopping.set()

    def stop_on_signals(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stop())

    def run(self, *, idle_callback: Callable[[], None] | None = None,
            before_commit: Callable[[], None] | None = None) -> None:
        """`before_commit` runs after each poll batch's handlers, before its offsets are
        committed: a handler may batch its writes and persist them there (if it raises,
        nothing is committed and the worker stops; the batch is consumed again)."""
        try:
            while not self._stopping.is_set():
                batches = self._consumer.poll(timeout_ms=500)
                for partition, records in batches.items():
                    self._process_batch(self._conn.logical(partition.topic), records)
                if batches:
                    if before_commit is not None:
                        before_commit()
                    self._commit()
                    self._behind_since = None
                    self._record_lag()
                else:
                    if idle_callback is not None:
                        idle_callback()
                    self._unstick_if_stalled(self._record_lag())
        finally:  # bounded: a coordinator that does not answer cannot hold a stopping worker
            self._consumer.close(autocommit=False, timeout_ms=CLOSE_TIMEOUT_MS)

    def _commit(self) -> None:
        """A rebalance can refuse a commit (another replica joining, a slow broker), and a
        broker that is down or restarting lets it time out: the batch is then handled again
        by whoever gets the partition (at least once; handlers are idempotent), or committed
        with the next batch, and this worker polls on rather than dying."""
        try:
            self._consumer.commit()
        except REBALANCED as err:
            log.warning("kafka.commit_refused_by_rebalance",
                        extra={"group_id": self._group, "error": type(err).__name__})
        except UNREACHABLE as err:  # e2e drill: a broker stopped for 20 s killed the worker
            log.warning("kafka.commit_failed_broker_unreachable",
                        extra={"group_id": self._group, "error": type(err).__name__})

    def _process_batch(self, topic: str, records: Sequence[ConsumerRecord]) -> None:
        """One partition's records of a poll (one topic): the consumed counter moves once
        per batch, not once per event (its lock was a measurable share of the hot path)."""
        handled = 0
        try:
            for record in records:
                handled += self._process(record, topic)
        finally:
            if handled:
                self._consumed(topic).inc(handled)

    def _process(self, record: ConsumerRecord, topic: str) -> bool:
        """True when the handler took the event; False when it was dead-lettered."""
        try:
            event = decode_event(record.value, topic)
        except EventValidationError as err:
            self._dead_letter(record, topic, "invalid", err.reason)
            return False
        with bind_event_id(event.id):
            try:
                self._handle(event)
            except HandlerFailed as err:
                self._dead_letter(record, topic, "handler", f"HandlerFailed: {err}")
                return False
            except RetryError as err:
                cause = err.last_attempt.exception()
                log.error("kafka.handler_gave_up", exc_info=cause,
                          extra={"topic": topic, "offset": record.offset})
                self._dead_letter(record, topic, "handler", f"{type(cause).__name__}: {cause}")
                return False
        return True

    def _handle(self, event: Event) -> None:
        """The first attempt runs bare (the common case, and the hot path); only a failure
        pays for the retry policy, which then makes the remaining attempts."""
        try:
            self._handler(event)
        except HandlerFailed:
            raise
        except Exception as err:  # any handler failure: retried, then dead-lettered
            log.warning("kafka.handler_failed", exc_info=True, extra={"event_type": event.type})
            if self._attempts <= 1:
                raise HandlerFailed(f"{type(err).__name__}: {err}") from err
            retry.handler_policy(self._attempts - 1)(self._handler, event)

    def _consumed(self, topic: str) -> Any:
        child = self._counters.get(topic)
        if child is None:
            child = self._counters[topic] = CONSUMED.labels(topic=topic, group=self._group)
        return child

    def _dead_letter(self, record: ConsumerRecord, topic: str, why: str, reason: str) -> None:
        headers = [("x-dlq-reason", reason[:1000].encode()),
                   ("x-dlq-original-topic", topic.encode()),
                   ("x-dlq-original-partition", str(record.partition).encode()),
                   ("x-dlq-original-offset", str(record.offset).encode()),
                   ("x-dlq-consumer-group", self._group.encode())]
        self._dlq.send_raw(dlq_topic(topic), record.value, record.key, headers)
        FAILED.labels(topic=topic, group=self._group, why=why).inc()
        log.warning("kafka.dead_lettered", extra={"topic": topic, "offset": record.offset,
                                                  "reason": reason[:200]})

    def _record_lag(self) -> dict[TopicPartition, int] | None:
        """At most every few seconds, after a batch and while idle (so a stuck consumer's
        gauge shows its backlog): the positions of partitions with records still to read,
        or None when not checked this time (asking for end offsets costs a round trip)."""
        if time.monotonic() - self._lag_checked_at < self._lag_interval:
            return None
        assigned = list(self._consumer.assignment())
        if not assigned:  # e.g. mid-rebalance: look again at the next poll, not in 5 s
            return None
        self._lag_checked_at = time.monotonic()
        try:
            ends = self._consumer.end_offsets(assigned)
            positions = {tp: self._consumer.position(tp, timeout_ms=1_000) for tp in assigned}
        except (*UNREACHABLE, IllegalStateError) as err:  # not worth the worker (a broker
            # away, a partition revoked meanwhile): try again next time
            log.warning("kafka.lag_unavailable",
                        extra={"group_id": self._group, "error": type(err).__name__})
            return None
        per_topic: dict[str, int] = {}
        waiting: dict[TopicPartition, int] = {}
        for tp in assigned:
            position = positions.get(tp)
            behind = 0 if position is None else max(0, ends.get(tp, 0) - position)
            if behind and position is not None:
                waiting[tp] = position
            name = self._conn.logical(tp.topic)
            per_topic[name] = per_topic.get(name, 0) + behind
        for name, behind in per_topic.items():
            LAG.labels(topic=name, group=self._group).set(behind)
        return waiting

    def _unstick_if_stalled(self, waiting: dict[TopicPartition, int] | None) -> None:
        """kafka-python 3.0.12's consumer sometimes stops fetching partitions that still
        hold records, and polls come back empty for good (a portal worker left a
        `sync.completed` unread for minutes; docs/local-infrastructure.md, "Kafka client").
        Empty polls for `stall_seconds` while records wait: the partitions are resumed and
        sought to their own positions, which restarts their fetching; nothing is skipped
        or read twice that was not already due (at least once, as always)."""
        if waiting is None:
            return
        now = time.monotonic()
        if not waiting:
            self._behind_since = None
            return
        if self._behind_since is None:
            self._behind_since = now
            return
        if now - self._behind_since < self._stall_seconds:
            return
        log.warning("kafka.consumer_stalled", extra={
            "group_id": self._group, "partitions": sorted(f"{tp.topic}:{tp.partition}@{pos}"
                                                          for tp, pos in waiting.items())})
        STALLS.labels(group=self._group).inc()
        self._consumer.resume(*waiting)
        for tp, position in waiting.items():
            self._consumer.seek(tp, position)
        self._behind_since = None

    def assignment(self) -> set[TopicPartition]:
        return set(self._consumer.assignment())
