"""`python /app/check_topics.py`: exit 0 once every topic of the event registry exists.

Where Strimzi's topic operator creates the topics (KafkaTopic resources, replication 3),
this Job is the gate the rollout waits for: creating them here as well would race the
operator with replication 1. Without Strimzi, run `python -m clientsynq.common.kafka.bootstrap`
instead. Reads the Kafka settings as the services do (servers, prefix, SASL); the Job's
backoffLimit does the waiting.
"""
from __future__ import annotations

import os
import sys

from clientsynq.common.config import EnvReader, KafkaSettings, load_or_exit
from clientsynq.common.kafka.topics import wanted_topics
from kafka import KafkaAdminClient


def missing_topics(existing: set[str], prefix: str) -> list[str]:
    return sorted(f"{prefix}{name}" for name in wanted_topics()
                  if f"{prefix}{name}" not in existing)


def _settings() -> KafkaSettings:
    reader = EnvReader(os.environ)
    settings = KafkaSettings.from_reader(reader)
    reader.raise_if_invalid()
    return settings


def main() -> int:
    settings = load_or_exit(_settings)
    prefix = settings.topic_prefix
    admin = KafkaAdminClient(bootstrap_servers=settings.servers,
                             client_id="clientsynq-topic-check",
                             **settings.security.client_options())
    try:
        missing = missing_topics(set(admin.list_topics()), prefix)
    finally:
        admin.close()
    if missing:
        print(f"[topics] missing: {', '.join(missing)}", file=sys.stderr)
        return 1
    print(f"[topics] all {len(wanted_topics())} topics present", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
