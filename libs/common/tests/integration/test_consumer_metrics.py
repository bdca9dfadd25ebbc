"""A worker's /metrics tells how much it consumed, how much it dead-lettered, and its lag."""
from __future__ import annotations

import threading

import pytest
from clientsynq.common.events import Event
from clientsynq.common.kafka import ConsumerRunner, EventProducer
from clientsynq.common.metrics import exposition
from clientsynq.common.testing import a_customer_event

pytestmark = pytest.mark.integration


def test_consumed_dead_lettered_and_lag_are_exposed(kafka_conn):
    producer = EventProducer(kafka_conn)
    good = [a_customer_event() for _ in range(5)]
    producer.publish_many(good)
    producer.send_raw("customer.updated", b"not json", b"t", [])
    seen: list[Event] = []
    done = threading.Event()
    # The lag after every poll: at the default 5 s cadence, an idle poll just after the
    # group join could record the backlog and the check after the batch come too soon.
    runner = ConsumerRunner(kafka_conn, "metrics-group", ["customer.updated"],
                            lambda e: (seen.append(e), len(seen) == 5 and done.set()),
                            dlq=producer, lag_interval=0)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    done.wait(30)
    runner.stop()
    thread.join(10)
    producer.close()
    text = exposition()[0].decode()
    labels = 'group="metrics-group",topic="customer.updated"'
    assert f"clientsynq_kafka_consumed_total{{{labels}}} 5.0" in text
    assert f'clientsynq_kafka_dead_lettered_total{{{labels},why="invalid"}} 1.0' in text
    assert f"clientsynq_kafka_consumer_lag{{{labels}}} 0.0" in text
