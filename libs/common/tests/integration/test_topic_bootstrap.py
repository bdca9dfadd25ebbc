"""Every topic of the architecture exists with its partitions; bootstrapping twice is safe."""
from __future__ import annotations

import pytest
from clientsynq.common.events import TOPICS
from clientsynq.common.kafka import ensure_topics
from kafka import KafkaConsumer
from waiting import wait_until

pytestmark = pytest.mark.integration


def test_every_topic_and_its_dead_letter_topic_exist_with_their_partitions(kafka_conn):
    assert ensure_topics(kafka_conn) == []  # the fixture already ran it: nothing new
    consumer = KafkaConsumer(bootstrap_servers=kafka_conn.servers)

    def partitions(topic: str) -> set[int]:
        """A fresh metadata answer each time: a topic just created can be listed before
        its partitions are (a loaded CI run once read an empty set)."""
        consumer.topics()
        return set(consumer.partitions_for_topic(topic))

    try:
        for name, spec in TOPICS.items():
            topic, dlq = kafka_conn.topic(name), kafka_conn.topic(f"{name}.dlq")
            wait_until(lambda: partitions(topic) == set(range(spec.partitions)), 30,  # noqa: B023
                       f"{topic}'s {spec.partitions} partitions")
            wait_until(lambda: partitions(dlq) == {0}, 30, f"{dlq}'s partition")  # noqa: B023
    finally:
        consumer.close()
    assert len(TOPICS) == 13
    assert {"command.succeeded", "sync.progress"} <= set(TOPICS)
