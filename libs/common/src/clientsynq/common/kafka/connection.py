"""Where Kafka is and which namespace of topics this deployment (or test) uses."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class KafkaConnection:
    """`topic_prefix` lets several test runs (or tenants of a shared cluster) share one broker
    without seeing each other's messages; production leaves it empty."""

    bootstrap_servers: str
    topic_prefix: str = ""
    client_id: str = "clientsynq"
    # kafka-python's security arguments (KafkaSecurity.client_options()); may hold a password.
    security: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    session_timeout_ms: int = 45_000  # kafka-python's default; KAFKA_CONSUMER_SESSION_TIMEOUT_MS

    @property
    def client_options(self) -> dict[str, Any]:
        """Passed to every kafka-python client this connection makes."""
        return dict(self.security)

    @property
    def fetch_options(self) -> dict[str, Any]:
        """Passed to every consumer that reads records (group members and replays).

        Incremental fetch sessions (KIP-227) are off: with them, kafka-python 3.0.12's
        consumer sometimes stopped fetching for good while its partitions still had records
        (a portal worker polled idle for minutes with sync.completed unread; the browser
        story failed in CI that way). Full fetch requests cost a few bytes per partition
        and never stall (docs/local-infrastructure.md, "Kafka client")."""
        return {**self.client_options, "enable_incremental_fetch_sessions": False}

    @property
    def consumer_options(self) -> dict[str, Any]:
        """Passed to every group consumer (heartbeats well inside the session, as Kafka asks)."""
        return {**self.fetch_options, "session_timeout_ms": self.session_timeout_ms,
                "heartbeat_interval_ms": min(3_000, self.session_timeout_ms // 3)}

    def group(self, name: str) -> str:
        """A consumer group's name on the broker: prefixed like the topics, so two test runs
        (or two tests) on one broker never share a group and its rebalances."""
        return f"{self.topic_prefix}{name}"

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def logical(self, physical: str) -> str:
        """The architecture's topic name for a prefixed physical one."""
        if self.topic_prefix and physical.startswith(self.topic_prefix):
            return physical[len(self.topic_prefix):]
        return physical

    @property
    def servers(self) -> list[str]:
        return [s.strip() for s in self.bootstrap_servers.split(",") if s.strip()]
