"""SIGTERM stops a worker cleanly: the batch in hand is finished and committed, then it exits."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from clientsynq.common.kafka import EventProducer
from clientsynq.common.testing import a_customer_event
from kafka import KafkaConsumer, TopicPartition

pytestmark = pytest.mark.integration

WORKER = textwrap.dedent("""
    import os, sys
    from clientsynq.common.kafka import ConsumerRunner, EventProducer, KafkaConnection
    conn = KafkaConnection(os.environ["SERVERS"], topic_prefix=os.environ["PREFIX"])
    def handle(event):
        print("handled", event.id, flush=True)
    runner = ConsumerRunner(conn, "shutdown", ["customer.updated"], handle,
                            dlq=EventProducer(conn))
    runner.stop_on_signals()
    runner.run()
    print("stopped cleanly", flush=True)
""")


def committed_offsets(conn, group: str) -> int:
    consumer = KafkaConsumer(bootstrap_servers=conn.servers, group_id=conn.group(group),
                             enable_auto_commit=False)
    try:
        topic = conn.topic("customer.updated")
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        return sum(consumer.committed(tp) or 0 for tp in partitions)
    finally:
        consumer.close()


def test_sigterm_finishes_commits_and_exits_zero(kafka_conn):
    producer = EventProducer(kafka_conn)
    events = [a_customer_event(tenant_id=f"tenant-{i}") for i in range(10)]
    producer.publish_many(events)
    producer.close()
    env = {**os.environ, "SERVERS": kafka_conn.bootstrap_servers,
           "PREFIX": kafka_conn.topic_prefix}
    worker = subprocess.Popen([sys.executable, "-c", WORKER], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    handled = 0
    deadline = time.monotonic() + 60
    while handled < len(events) and time.monotonic() < deadline:
        if worker.stdout.readline().startswith("handled"):
            handled += 1
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err[-2000:]
    assert "stopped cleanly" in out
    assert committed_offsets(kafka_conn, "shutdown") == len(events)
