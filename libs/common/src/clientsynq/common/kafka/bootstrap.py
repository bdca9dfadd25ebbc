"""`python -m clientsynq.common.kafka.bootstrap`: create every topic (a Kubernetes Job, `make run`).

Reads KAFKA_BOOTSTRAP_SERVERS and KAFKA_TOPIC_PREFIX; safe to run again and again.
"""
from __future__ import annotations

import os
import sys

from clientsynq.common.kafka import KafkaConnection, ensure_topics


def main() -> int:
    servers = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    conn = KafkaConnection(servers, topic_prefix=os.environ.get("KAFKA_TOPIC_PREFIX", ""),
                           client_id="clientsynq-bootstrap")
    created = ensure_topics(conn)
    print(f"[topics] {len(created)} created, all present on {servers}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
