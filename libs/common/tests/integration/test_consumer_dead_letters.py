"""A poison message goes to `<topic>.dlq` with its reason, and the consumer carries on."""
from __future__ import annotations

import threading

import pytest
from clientsynq.common.events import Event
from clientsynq.common.kafka import ConsumerRunner, EventProducer, HandlerFailed
from clientsynq.common.testing import a_customer_event
from kafka import KafkaConsumer

pytestmark = pytest.mark.integration


def run_until(runner: ConsumerRunner, done: threading.Event, timeout: float = 30) -> None:
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    done.wait(timeout)
    runner.stop()
    thread.join(10)


def dead_letters(conn, topic: str, count: int) -> list:
    consumer = KafkaConsumer(conn.topic(f"{topic}.dlq"), bootstrap_servers=conn.servers,
                             auto_offset_reset="earliest", consumer_timeout_ms=10000,
                             group_id=None, **conn.fetch_options)
    records = []
    for record in consumer:
        records.append(record)
        if len(records) >= count:
            break
    consumer.close()
    return records


def test_an_invalid_message_is_dead_lettered_and_the_next_one_is_handled(kafka_conn):
    producer = EventProducer(kafka_conn)
    first, last = a_customer_event(), a_customer_event()
    producer.publish(first)
    producer.send_raw("customer.updated", b'{"specversion": "1.0", "type": "nope"', b"t1", [])
    producer.publish(last)
    seen: list[Event] = []
    done = threading.Event()

    def handle(event: Event) -> None:
        seen.append(event)
        if event.id == last["id"]:
            done.set()

    run_until(ConsumerRunner(kafka_conn, "dlq-invalid", ["customer.updated"], handle,
                             dlq=producer), done)
    assert [e.id for e in seen] == [first["id"], last["id"]]
    [letter] = dead_letters(kafka_conn, "customer.updated", 1)
    headers = dict(letter.headers)
    assert letter.value == b'{"specversion": "1.0", "type": "nope"'
    assert b"JSON" in headers["x-dlq-reason"] or b"json" in headers["x-dlq-reason"]
    assert headers["x-dlq-original-topic"] == b"customer.updated"
    producer.close()


def test_a_handler_that_keeps_failing_is_dead_lettered_after_bounded_retries(kafka_conn):
    producer = EventProducer(kafka_conn)
    poison, healthy = a_customer_event(), a_customer_event()
    producer.publish_many([poison, healthy])
    attempts: dict[str, int] = {}
    done = threading.Event()

    def handle(event: Event) -> None:
        attempts[event.id] = attempts.get(event.id, 0) + 1
        if event.id == poison["id"]:
            raise RuntimeError("projection store refused the write")
        done.set()

    run_until(ConsumerRunner(kafka_conn, "dlq-handler", ["customer.updated"], handle,
                             dlq=producer, handler_attempts=3), done)
    assert attempts == {poison["id"]: 3, healthy["id"]: 1}
    [letter] = dead_letters(kafka_conn, "customer.updated", 1)
    assert b"projection store refused the write" in dict(letter.headers)["x-dlq-reason"]
    producer.close()


def test_a_permanent_failure_is_dead_lettered_without_retries(kafka_conn):
    producer = EventProducer(kafka_conn)
    event = a_customer_event()
    producer.publish(event)
    calls: list[str] = []
    done = threading.Event()

    def handle(received: Event) -> None:
        calls.append(received.id)
        done.set()
        raise HandlerFailed("tenant unknown")

    run_until(ConsumerRunner(kafka_conn, "dlq-permanent", ["customer.updated"], handle,
                             dlq=producer), done)
    assert calls == [event["id"]]
    [letter] = dead_letters(kafka_conn, "customer.updated", 1)
    assert dict(letter.headers)["x-dlq-reason"] == b"HandlerFailed: tenant unknown"
    producer.close()
