"""`python /app/check_topics.py`: exit 0 once every topic of the event registry exists.

Where Strimzi's topic operator creates the topics (KafkaTopic resources, replication 3),
this Job is the gate the rollout waits for: creating them here as well would race the
operator with replication 1. Without Strimzi, run `python -m clientsynq.common.kafka.bootstrap`
instead. Reads KAFKA_BOOTSTRAP_SERVERS and KAFKA_TOPIC_PREFIX like the services; the Job's
backoffLimit does the waiting.
"""
from __future__ import annotations

import os
import sys

from clientsynq.common.kafka.topics import wanted_topics
from kafka import KafkaAdminClient


def missing_topics(existing: set[str], prefix: str) -> list[str]:
    return sorted(f"{prefix}{name}" for name in wanted_topics()
                  if f"{prefix}{name}" not in existing)


def main() -> int:
    prefix = os.environ.get("KAFKA_TOPIC_PREFIX", "")
    admin = KafkaAdminClient(bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"].split(","),
                             client_id="clientsynq-topic-check")
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
