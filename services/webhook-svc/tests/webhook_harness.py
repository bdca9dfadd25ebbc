"""webhook-svc over real infrastructure: settings for a test, the web app on a loopback
port, the worker in a thread or a subprocess, and a reader of what reached Kafka."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

from clientsynq.common.crypto import generate_key
from clientsynq.webhooks.app import create_app
from clientsynq.webhooks.bootstrap import build, build_worker, ensure_webhook_indexes
from clientsynq.webhooks.config import Settings
from clientsynq.webhooks.worker import Worker
from kafka_reader import KafkaReader
from threads import ServedApp, WorkerThread
from waiting import wait_until  # tests/support: the one bounded wait

__all__ = ["KafkaReader", "wait_until"]


def webhook_env(infra: Any, kafka_conn: Any, mongo_db: Any, **overrides: str) -> dict[str, str]:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
        "KAFKA_TOPIC_PREFIX": kafka_conn.topic_prefix,
        "MONGODB_URI": infra.mongo_uri, "MONGODB_DATABASE": mongo_db.name,
        "QBO_WEBHOOK_VERIFIER_TOKEN": secrets.token_urlsafe(18),
        "TOKEN_ENCRYPTION_KEYS": f"k1:{generate_key()}", "TOKEN_ENCRYPTION_ACTIVE_KEY": "k1",
        "WEBHOOK_METRICS_PORT": "0", "WEBHOOK_SWEEP_INTERVAL": "3600s",
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    env.update(overrides)
    return env


@dataclass
class WebService:
    """webhook-svc's web app served by werkzeug (threaded) on a free loopback port."""

    env: dict[str, str]
    base_url: str = ""
    deps: Any = None
    _served: ServedApp | None = field(default=None, repr=False)

    def __enter__(self) -> WebService:
        self.deps = build(Settings.from_env(self.env))
        ensure_webhook_indexes(self.deps)
        self._served = ServedApp(create_app(self.deps), name="webhook-http")
        self.base_url = self._served.base_url
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._served is not None
        self._served.close()

    @property
    def intuit_url(self) -> str:
        return f"{self.base_url}/webhooks/intuit"


class ThreadWorker(WorkerThread):
    """The real worker (consumer, relay, sweep, deliveries) in this process."""

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(Worker(build_worker(Settings.from_env(env))), "webhook-worker")


def worker_process(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`python -m clientsynq.webhooks.worker`, as a container would run it."""
    log = open(os.environ.get("WEBHOOK_TEST_WORKER_LOG", os.devnull), "ab")  # noqa: SIM115
    return subprocess.Popen([sys.executable, "-m", "clientsynq.webhooks.worker"],
                            env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
                            stdout=log, stderr=log)


def enterprise_business(auth: Any, plan: str = "enterprise", with_email: bool = False) -> Any:
    """Sign a business up on the real auth-svc, set its plan, log in again (the plan is a
    claim of the token): (tenant id, Authorization header)."""
    from qbo_fixtures import log_in, sign_up_owner

    email, login = sign_up_owner(auth.base_url, "Acme Hooks")
    tenant_id = login["tenant_id"]
    if plan != "basic":
        auth.set_plan(tenant_id, plan)
        login = log_in(auth.base_url, email)
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    return (tenant_id, headers, email) if with_email else (tenant_id, headers)
