"""A consumer whose fetching stopped while records wait gets going again by itself.

kafka-python 3.0.12 sometimes stopped fetching partitions that still held records (polls
empty for good: docs/local-infrastructure.md, "Kafka client"). The runner notices empty
polls while its partitions are behind and seeks them to their positions again. A paused
partition is the one way to make a real consumer behave like that on purpose: here the
consumer pauses its own partitions (on its own thread, through `idle_callback`) once, as the
stall did, and every event must still be handled, with the stall counted."""
from __future__ import annotations

import threading

import pytest
from clientsynq.common.events import Event
from clientsynq.common.kafka import ConsumerRunner, EventProducer
from clientsynq.common.metrics import exposition
from clientsynq.common.testing import a_customer_event
from waiting import wait_until

pytestmark = pytest.mark.integration


def test_a_consumer_that_stops_fetching_is_sought_again_and_handles_everything(kafka_conn):
    producer = EventProducer(kafka_conn)
    seen: list[Event] = []
    runner: ConsumerRunner

    def stall_once() -> None:
        assigned = runner.assignment()
        if assigned and not stalled.is_set():
            runner._consumer.pause(*assigned)  # the fault, made on the consumer's thread
            stalled.set()
            producer.publish_many(events)  # records arrive while fetching is stopped

    stalled = threading.Event()
    events = [a_customer_event() for _ in range(5)]
    runner = ConsumerRunner(kafka_conn, "stall-group", ["customer.updated"], seen.append,
                            dlq=producer, stall_seconds=1.0)
    thread = threading.Thread(target=runner.run, kwargs={"idle_callback": stall_once},
                              daemon=True)
    thread.start()
    try:
        wait_until(lambda: len(seen) >= len(events), 60, "the events after the stall")
    finally:
        runner.stop()
        thread.join(15)
        producer.close()
    assert sorted(e.id for e in seen) == sorted(e["id"] for e in events)
    assert 'clientsynq_kafka_consumer_stalls_total{group="stall-group"}' in \
        exposition()[0].decode()
