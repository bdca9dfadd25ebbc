"""Create every topic of the architecture (and its dead-letter topic) with its partitions."""
from __future__ import annotations

import logging
from collections.abc import Iterable

from clientsynq.common.events import TOPICS, dlq_topic
from clientsynq.common.kafka.connection import KafkaConnection
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import NoError, TopicAlreadyExistsError, for_code

log = logging.getLogger(__name__)

DLQ_PARTITIONS = 1


def wanted_topics(names: Iterable[str] | None = None) -> dict[str, int]:
    """Logical topic name → partition count, dead letters included."""
    wanted: dict[str, int] = {}
    for name in names if names is not None else TOPICS:
        wanted[name] = TOPICS[name].partitions
        wanted[dlq_topic(name)] = DLQ_PARTITIONS
    return wanted


def ensure_topics(conn: KafkaConnection, extra: dict[str, int] | None = None,
                  replication_factor: int = 1) -> list[str]:
    """Safe to run twice (or by two processes at once): existing topics are left as they are.

    Returns the physical names created by this call.
    """
    wanted = {**wanted_topics(), **(extra or {})}
    admin = KafkaAdminClient(bootstrap_servers=conn.servers, client_id=f"{conn.client_id}-admin",
                             **conn.client_options)
    try:
        existing = set(admin.list_topics())
        missing = [NewTopic(conn.topic(name), partitions, replication_factor)
                   for name, partitions in wanted.items() if conn.topic(name) not in existing]
        created = _create(admin, missing) if missing else []
        if created:
            log.info("kafka.topics_created", extra={"topics": created})
        return created
    finally:
        admin.close()


def _create(admin: KafkaAdminClient, topics: list[NewTopic]) -> list[str]:
    """One CreateTopics request for them all (one at a time cost ~50 ms each, every test and
    every process start); a topic a concurrent creator made first is simply not ours."""
    answer = admin.create_topics(topics, raise_errors=False)
    created = []
    for topic in answer["topics"]:
        error = for_code(topic["error_code"])
        if error is NoError:
            created.append(topic["name"])
        elif error is not TopicAlreadyExistsError:
            raise error(f"{topic['name']}: {topic.get('error_message')}")
    return created
