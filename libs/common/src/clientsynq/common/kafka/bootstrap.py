"""`python -m clientsynq.common.kafka.bootstrap`: create every topic (a Kubernetes Job, `make run`).

Reads KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC_PREFIX and the KAFKA_SECURITY_PROTOCOL family
(clientsynq.common.kafka_security); safe to run again and again.
"""
from __future__ import annotations

import os
import sys

from clientsynq.common.config import EnvReader, load_or_exit
from clientsynq.common.kafka import KafkaConnection, ensure_topics
from clientsynq.common.kafka_security import KafkaSecurity


def _security() -> KafkaSecurity:
    reader = EnvReader(os.environ)
    security = KafkaSecurity.from_reader(reader)
    reader.raise_if_invalid()
    return security


def main() -> int:
    servers = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    security = load_or_exit(_security)
    conn = KafkaConnection(servers, topic_prefix=os.environ.get("KAFKA_TOPIC_PREFIX", ""),
                           client_id="clientsynq-bootstrap",
                           security=tuple(security.client_options().items()))
    created = ensure_topics(conn)
    print(f"[topics] {len(created)} created, all present on {servers}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
