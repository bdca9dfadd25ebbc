"""A worker killed inside its handler, before the commit, gets the message again."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading

import pytest
from clientsynq.common.events import Event
from clientsynq.common.kafka import ConsumerRunner, EventProducer
from clientsynq.common.testing import a_customer_event

pytestmark = pytest.mark.integration

DYING_WORKER = textwrap.dedent("""
    import os, sys
    from clientsynq.common.kafka import ConsumerRunner, EventProducer, KafkaConnection
    conn = KafkaConnection(os.environ["SERVERS"], topic_prefix=os.environ["PREFIX"])
    def handle(event):
        print("handling", event.id, flush=True)
        os._exit(137)  # the process dies mid-handler: no commit can happen
    ConsumerRunner(conn, "redelivery", ["customer.updated"], handle,
                   dlq=EventProducer(conn), session_timeout_ms=6000).run()
""")
# The dead member holds its partitions until its session times out (kafka-python's default
# is 45 s): the broker's minimum, 6 s, is what the next member of the group waits here.


def test_an_event_whose_handler_died_is_delivered_again(kafka_conn):
    producer = EventProducer(kafka_conn)
    event = a_customer_event()
    producer.publish(event)
    env = {**os.environ, "SERVERS": kafka_conn.bootstrap_servers, "PREFIX": kafka_conn.topic_prefix}
    dying = subprocess.run([sys.executable, "-c", DYING_WORKER], env=env, capture_output=True,
                           text=True, timeout=120, check=False)
    assert dying.returncode == 137, dying.stderr[-2000:]
    assert f"handling {event['id']}" in dying.stdout

    seen: list[Event] = []
    done = threading.Event()
    runner = ConsumerRunner(kafka_conn, "redelivery", ["customer.updated"],
                            lambda e: (seen.append(e), done.set()), dlq=producer)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    done.wait(60)
    runner.stop()
    thread.join(10)
    producer.close()
    assert [e.id for e in seen] == [event["id"]]
