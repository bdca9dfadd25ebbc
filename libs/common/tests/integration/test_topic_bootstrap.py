"""Every topic of the architecture exists with its partitions; bootstrapping twice is safe."""
from __future__ import annotations

import pytest
from clientsynq.common.events import TOPICS
from clientsynq.common.kafka import ensure_topics
from kafka import KafkaConsumer

pytestmark = pytest.mark.integration


def test_every_topic_and_its_dead_letter_topic_exist_with_their_partitions(kafka_conn):
    assert ensure_topics(kafka_conn) == []  # the fixture already ran it: nothing new
    consumer = KafkaConsumer(bootstrap_servers=kafka_conn.servers)
    try:
        for name, spec in TOPICS.items():
            assert len(consumer.partitions_for_topic(kafka_conn.topic(name))) == spec.partitions
            assert consumer.partitions_for_topic(kafka_conn.topic(f"{name}.dlq")) == {0}
    finally:
        consumer.close()
    assert len(TOPICS) == 13
    assert {"command.succeeded", "sync.progress"} <= set(TOPICS)
