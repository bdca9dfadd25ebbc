"""Produce→consume throughput through clientsynq.common versus raw kafka-python, same run.

Both paths move the same customer.updated events through the same broker: ours validates
every event on the way out (marshmallow), keys it by tenant, waits for acks=all, and on the
way in decodes, validates and commits after handling; raw kafka-python json.dumps the same
dicts, sends them with the same acks and reads them back with json.loads. The ratio is the
cost of validation and bookkeeping.
"""
from __future__ import annotations

import json
import threading
import time
import uuid

from _infra import choose_infra, progress
from clientsynq.common.kafka import ConsumerRunner, EventProducer, KafkaConnection, ensure_topics
from clientsynq.common.testing import a_customer_event
from kafka import KafkaConsumer, KafkaProducer

MESSAGES = 20_000
BATCH = 1_000
TARGET_RATIO = 0.7


def ours(conn: KafkaConnection, events: list[dict]) -> float:
    producer = EventProducer(conn)
    seen = 0
    done = threading.Event()

    def handle(_event: object) -> None:
        nonlocal seen
        seen += 1
        if seen >= len(events):
            done.set()

    runner = ConsumerRunner(conn, f"bench-{uuid.uuid4().hex[:6]}", ["customer.updated"], handle,
                            dlq=producer, max_poll_records=1000)
    consumer = threading.Thread(target=runner.run, daemon=True)
    started = time.perf_counter()
    consumer.start()
    for i in range(0, len(events), BATCH):
        producer.publish_many(events[i:i + BATCH])
        progress("clientsynq.common produce", i + BATCH, len(events))
    done.wait(300)
    elapsed = time.perf_counter() - started
    runner.stop()
    consumer.join(10)
    producer.close()
    return len(events) / elapsed


def raw(conn: KafkaConnection, events: list[dict]) -> float:
    topic = conn.topic("customer.updated")
    producer = KafkaProducer(bootstrap_servers=conn.servers, acks="all", linger_ms=5)
    consumer = KafkaConsumer(topic, bootstrap_servers=conn.servers, group_id=f"raw-{uuid.uuid4()}",
                             auto_offset_reset="latest", enable_auto_commit=False,
                             max_poll_records=1000)
    while not consumer.assignment():  # join the group before producing, like ours
        consumer.poll(timeout_ms=100)
    started = time.perf_counter()
    seen = 0
    reader = threading.Thread(target=lambda: _drain(consumer, len(events)), daemon=True)
    reader.start()
    for i in range(0, len(events), BATCH):  # the same dicts in, json.dumps as any producer must
        futures = [producer.send(topic, key=e["tenantid"].encode(), value=json.dumps(e).encode())
                   for e in events[i:i + BATCH]]
        producer.flush()
        for f in futures:
            f.get(timeout=30)
        progress("raw kafka-python produce", i + BATCH, len(events))
    reader.join(300)
    seen = len(events)
    elapsed = time.perf_counter() - started
    producer.close()
    return seen / elapsed


def _drain(consumer: KafkaConsumer, expected: int) -> None:
    seen = 0
    while seen < expected:
        for records in consumer.poll(timeout_ms=500).values():
            for record in records:
                json.loads(record.value)
                seen += 1
        consumer.commit()
    consumer.close()


def main() -> int:
    print(f"kafka_roundtrip: {MESSAGES} customer.updated events, produce→consume")
    infra = choose_infra()
    try:
        print(f"  infrastructure: {infra.kind} ({infra.kafka_bootstrap})")
        events = [a_customer_event(tenant_id=f"tenant-{i % 50}") for i in range(MESSAGES)]
        ours_conn = KafkaConnection(infra.kafka_bootstrap, topic_prefix="bench-ours.")
        raw_conn = KafkaConnection(infra.kafka_bootstrap, topic_prefix="bench-raw.")
        ensure_topics(ours_conn)
        ensure_topics(raw_conn)
        raw_rate = raw(raw_conn, events)
        ours_rate = ours(ours_conn, events)
    finally:
        infra.stop()
    ratio = ours_rate / raw_rate
    print(f"  raw kafka-python:    {raw_rate:10,.0f} msg/s  (ceiling, same run)")
    print(f"  clientsynq.common:   {ours_rate:10,.0f} msg/s")
    print(f"  ratio:               {ratio:10.2f}  (aim ≥ {TARGET_RATIO})"
          f"  {'OK' if ratio >= TARGET_RATIO else 'BELOW AIM'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
