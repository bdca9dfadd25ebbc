"""portal-svc over real infrastructure: settings for a test, the projection worker in a
thread, and the shared bounded wait (tests/support/waiting.py)."""
from __future__ import annotations

from typing import Any

from clientsynq.portal.bootstrap import build_worker
from clientsynq.portal.config import Settings
from clientsynq.portal.worker import Worker
from threads import WorkerThread
from waiting import wait_until

__all__ = ["ThreadWorker", "portal_env", "wait_until"]


def portal_env(infra: Any, topic_prefix: str, database: str, **overrides: str) -> dict[str, str]:
    env = {"KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap, "KAFKA_TOPIC_PREFIX": topic_prefix,
           "MONGODB_URI": infra.mongo_uri, "MONGODB_DATABASE": database,
           "PORTAL_METRICS_PORT": "0"}
    env.update(overrides)
    return env


class ThreadWorker(WorkerThread):
    """The real projection worker (consumer + outbox relay) in this process."""

    def __init__(self, env: dict[str, str], group_id: str = "portal-projections") -> None:
        self.settings = Settings.from_env(env)
        super().__init__(Worker(build_worker(self.settings), group_id=group_id),
                         "portal-worker")
