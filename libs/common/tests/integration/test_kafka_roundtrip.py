"""Events go through the real broker and come back equal: kafka-python speaks to Kafka 4."""
from __future__ import annotations

import threading

import pytest
from clientsynq.common.events import Event
from clientsynq.common.kafka import ConsumerRunner, EventProducer
from clientsynq.common.testing import a_customer_event
from waiting import wait_until

pytestmark = pytest.mark.integration


def consume_until(runner: ConsumerRunner, seen: list[Event], count: int,
                  timeout: float = 30) -> None:
    """Run the consumer on a thread until `count` events were handled (fails after
    `timeout`)."""
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: len(seen) >= count, timeout, f"{count} events consumed")
    finally:
        runner.stop()
        thread.join(10)


def test_a_published_event_is_consumed_unchanged(kafka_conn):
    producer = EventProducer(kafka_conn)
    sent = [a_customer_event(tenant_id=f"tenant-{i % 3}", balance=f"{i}.50") for i in range(20)]
    producer.publish_many(sent)
    seen: list[Event] = []
    runner = ConsumerRunner(kafka_conn, "roundtrip", ["customer.updated"], seen.append,
                            dlq=producer)
    consume_until(runner, seen, len(sent))
    producer.close()
    assert sorted(e.id for e in seen) == sorted(e["id"] for e in sent)
    by_id = {e.id: e for e in seen}
    for envelope in sent:
        assert by_id[envelope["id"]].to_envelope() == envelope


def test_events_of_one_tenant_keep_their_order(kafka_conn):
    producer = EventProducer(kafka_conn)
    sent = [a_customer_event(tenant_id="tenant-ordered", sync_token=str(i)) for i in range(30)]
    for envelope in sent:
        producer.publish(envelope)
    seen: list[Event] = []
    runner = ConsumerRunner(kafka_conn, "ordering", ["customer.updated"], seen.append,
                            dlq=producer)
    consume_until(runner, seen, len(sent))
    producer.close()
    assert [e.id for e in seen] == [e["id"] for e in sent]
