"""A stopping worker is never held by a publish that kafka-python is still waiting on.

A fresh-clone CI run once saw the auth worker still alive 30 s after SIGTERM: its outbox
relay was inside a publish kafka-python could not finish yet (an idempotent producer waits
for its producer id before it sends anything, and kafka-python's own waits run 60-120 s),
and `EventProducer.close` could wait on that too. The shared broker cannot be put back into
"no producer id yet", so these tests hold a publish the same way with a topic that does not
exist (the broker does not create topics on demand): kafka-python waits for its metadata.
"""
from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from clientsynq.common.kafka import EventProducer, KafkaConnection, PublishFailed, ensure_topics
from clientsynq.common.outbox import OutboxRelay, outbox_fields
from clientsynq.common.testing import a_connection_event, a_customer_event
from kafka_reader import KafkaReader
from waiting import wait_until

pytestmark = pytest.mark.integration


def nowhere(kafka_conn: KafkaConnection) -> KafkaConnection:
    """The same broker, topics that were never created."""
    return KafkaConnection(kafka_conn.bootstrap_servers,
                           topic_prefix=f"{kafka_conn.topic_prefix}never-{uuid.uuid4().hex[:6]}.")


def waiting_for_metadata(producer: EventProducer, topic: str) -> None:
    """Until kafka-python is asking the broker about the topic, i.e. `send` is waiting (a
    look at kafka-python's metadata, read only: there is no public way to see it)."""
    physical = producer._conn.topic(topic)
    wait_until(lambda: physical in producer._producer._metadata._topics,
               what=f"a send to {physical} waiting for metadata")


def in_thread(target: Any) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(target())
        except Exception as err:  # the test looks at what it was
            outcome.append(err)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_close_ends_a_publish_still_waiting_and_returns(kafka_conn):
    producer = EventProducer(nowhere(kafka_conn), max_block_ms=1000)
    publisher, published = in_thread(lambda: producer.publish(a_customer_event()))
    waiting_for_metadata(producer, "customer.updated")
    closer, _ = in_thread(lambda: producer.close(timeout=1))
    wait_until(lambda: not closer.is_alive(), timeout=20, what="close() returned")
    wait_until(lambda: not publisher.is_alive(), timeout=20, what="the publish gave up")
    assert isinstance(published[0], PublishFailed)


def test_a_stopping_outbox_relay_is_not_held_by_a_waiting_publish(mongo_db, kafka_conn):
    producer = EventProducer(nowhere(kafka_conn), max_block_ms=1000)
    event = a_connection_event(tenant_id="t1")
    mongo_db.connections.insert_one({"_id": "t1", **outbox_fields([event])})
    relay = OutboxRelay(mongo_db, ["connections"], producer)
    stop = threading.Event()
    worker, _ = in_thread(lambda: relay.run(stop))
    waiting_for_metadata(producer, "connection.changed")
    stop.set()
    wait_until(lambda: not worker.is_alive(), timeout=20, what="the relay stopped")
    closer, _ = in_thread(lambda: producer.close(timeout=1))
    wait_until(lambda: not closer.is_alive(), timeout=20, what="close() returned")
    assert mongo_db.connections.find_one({"_id": "t1"})["_outbox_pending"] is True  # kept


def test_a_producer_that_failed_every_retry_is_renewed_and_publishing_goes_on(
        kafka_conn, caplog):
    """After every retry failed, the next publish uses a new kafka-python producer: one that
    failed that way may never deliver again (it did not after the e2e drill's 20 s broker
    outage). Here the failure is a topic that does not exist yet, then is created."""
    conn = nowhere(kafka_conn)
    producer = EventProducer(conn, max_block_ms=500)
    try:
        with (caplog.at_level("WARNING", logger="clientsynq.common.kafka.producer"),
              pytest.raises(PublishFailed)):
            producer.publish(a_customer_event(tenant_id="t1"))
        assert "kafka.producer_renewed" in caplog.messages
        ensure_topics(conn)
        landed = a_customer_event(tenant_id="t1")
        producer.publish(landed)
    finally:
        producer.close(timeout=2)
    reader = KafkaReader(conn, ["customer.updated"])
    try:
        reader.until(lambda events: landed["id"] in {e["id"] for e in events})
    finally:
        reader.close()
