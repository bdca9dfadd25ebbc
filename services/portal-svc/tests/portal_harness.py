"""portal-svc over real infrastructure: settings for a test, the projection worker in a
thread, and a bounded wait (never a fixed sleep)."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from clientsynq.portal.bootstrap import build_worker
from clientsynq.portal.config import Settings
from clientsynq.portal.worker import Worker


def portal_env(infra: Any, topic_prefix: str, database: str, **overrides: str) -> dict[str, str]:
    env = {"KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap, "KAFKA_TOPIC_PREFIX": topic_prefix,
           "MONGODB_URI": infra.mongo_uri, "MONGODB_DATABASE": database,
           "PORTAL_METRICS_PORT": "0"}
    env.update(overrides)
    return env


class ThreadWorker:
    """The real projection worker (consumer + outbox relay) in this process."""

    def __init__(self, env: dict[str, str], group_id: str = "portal-projections") -> None:
        self.settings = Settings.from_env(env)
        self.worker = Worker(build_worker(self.settings), group_id=group_id)
        self.thread = threading.Thread(target=self.worker.run, name="portal-worker",
                                       daemon=True)

    def __enter__(self) -> ThreadWorker:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.worker.stop()
        self.thread.join(timeout=60)


def wait_until(condition: Callable[[], bool], timeout: float = 60,
               what: str = "condition") -> None:
    """Bounded wait for another process or thread."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
