"""`python -m clientsynq.common.kafka.bootstrap`: create every topic (a Kubernetes Job, `make run`).

Reads KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC_PREFIX and the KAFKA_SECURITY_PROTOCOL family
(clientsynq.common.kafka_security); safe to run again and again.
"""
from __future__ import annotations

import sys

from clientsynq.common.config import KafkaSettings, load_or_exit
from clientsynq.common.kafka import KafkaConnection, ensure_topics

LOCAL_BROKER = "127.0.0.1:9092"


def main() -> int:
    settings = load_or_exit(lambda: KafkaSettings.from_env(default_servers=LOCAL_BROKER))
    conn = KafkaConnection(settings.bootstrap_servers, topic_prefix=settings.topic_prefix,
                           client_id="clientsynq-bootstrap",
                           security=tuple(settings.security.client_options().items()))
    created = ensure_topics(conn)
    print(f"[topics] {len(created)} created, all present on {settings.bootstrap_servers}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
