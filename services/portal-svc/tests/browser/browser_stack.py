"""Every ClientSynq process of the help page's story, real, behind one gateway origin.

auth-svc and portal-svc run under gunicorn, the auth, sync and portal workers as the
processes they are in production; the QuickBooks sandbox and the mail catcher run in
threads of the test process. Each stack has its own Kafka topic prefix and databases, so
it never sees another test's data. Process output goes to log files in the artifacts
directory: a failed story can be read afterwards.
"""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from localinfra.servers import free_port
from system_env import system_env
from waiting import http_ok, wait_until

PASSWORD = "correct horse battery staple"


@dataclass
class Stack:
    gateway_url: str
    auth_url: str
    portal_url: str
    env: dict[str, str]
    sandbox: Any
    mail: Any
    databases: list[str]
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def control(self) -> Any:
        return self.sandbox.control

    def set_plan(self, tenant_id: str, plan: str) -> None:
        answer = requests.put(f"{self.auth_url}/auth/v1/operator/tenants/{tenant_id}/plan",
                              json={"plan": plan}, timeout=30, headers={
                                  "Authorization": f"Service operator:"
                                                   f"{self.env['AUTH_OPERATOR_SECRET']}"})
        assert answer.status_code == 200, answer.text

    def assert_alive(self) -> None:
        dead = {name: p.returncode for name, p in self.processes.items() if p.poll() is not None}
        assert not dead, f"processes exited: {dead}; see {self.logs}"


def stack_env(infra: Any, *, gateway_url: str, auth_url: str, sandbox_url: str,
              smtp_port: int, prefix: str, client_id: str, client_secret: str,
              webhook_url: str = "http://127.0.0.1:8083",
              sync_url: str = "http://127.0.0.1:8082") -> dict[str, str]:
    """The system's settings (`system_env`) and this story's tuning."""
    return {
        **system_env(infra, prefix=prefix, gateway_url=gateway_url, auth_url=auth_url,
                     sandbox_url=sandbox_url, client_id=client_id, client_secret=client_secret,
                     keys_dir=Path(tempfile.mkdtemp(prefix="clientsynq-browser-keys-")),
                     smtp_port=smtp_port),
        # QuickBooks outages are given up on quickly, so a failed sync shows within seconds,
        # and a 429 pauses the realm for 2 s rather than Intuit's advised minute (the
        # sandbox's per-second window is 1 s): a story, not a soak test.
        "SYNC_QBO_RETRY_ATTEMPTS": "3", "SYNC_QBO_RETRY_INITIAL": "0.2s",
        "SYNC_QBO_RETRY_MAX": "1s", "SYNC_QBO_THROTTLE_PAUSE": "2s",
        # webhook-svc: Settings → Webhooks, endpoints on loopback receivers (development)
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1", "PORTAL_WEBHOOK_URL": webhook_url,
        "PORTAL_SYNC_URL": sync_url,  # Settings → Sync controls
    }


def _start(stack: Stack, name: str, args: list[str], database: str) -> None:
    log = open(stack.logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    env = {**os.environ, **stack.env, "MONGODB_DATABASE": database}
    stack.processes[name] = subprocess.Popen(args, env=env, stdout=log,
                                             stderr=subprocess.STDOUT)


def _gunicorn(port: int, factory: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
            "--threads", "16", "--timeout", "60", factory]


@contextmanager
def running_stack(infra: Any, artifacts: Path) -> Iterator[Stack]:
    """Everything up, the gateway (`deploy/gateway/nginx.conf`) last, as `make run` does."""
    from clientsynq.common.kafka import KafkaConnection, ensure_topics
    from localinfra.gateway import running_gateway
    from mail_sink.testing import running_mail_sink
    from pymongo import MongoClient
    from qbo_sandbox.testing import running_sandbox

    run = uuid.uuid4().hex[:8]
    prefix, logs = f"bw{run}.", artifacts / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    ensure_topics(KafkaConnection(infra.kafka_bootstrap, topic_prefix=prefix,
                                  client_id="browser-tests"))
    ports = {name: free_port() for name in ("gateway", "auth", "portal", "webhook", "sync")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    client_id, client_secret = f"cs-{run}", secrets.token_urlsafe(24)
    databases = {svc: f"test_bw_{run}_{svc}" for svc in ("auth", "sync", "portal",
                                                                  "webhook")}
    with ExitStack() as cleanup:
        sandbox = cleanup.enter_context(running_sandbox())
        mail = cleanup.enter_context(running_mail_sink())
        sandbox.control.register_app(client_id=client_id, client_secret=client_secret,
                                     redirect_uris=[f"{urls['gateway']}/auth/v1/qbo/callback"],
                                     name="ClientSynq")
        env = stack_env(infra, gateway_url=urls["gateway"], auth_url=urls["auth"],
                        sandbox_url=sandbox.base_url, smtp_port=mail.smtp_port, prefix=prefix,
                        client_id=client_id, client_secret=client_secret,
                        webhook_url=urls["webhook"], sync_url=urls["sync"])
        stack = Stack(urls["gateway"], urls["auth"], urls["portal"], env, sandbox, mail,
                      list(databases.values()), logs)
        cleanup.callback(_drop, infra.mongo_uri, stack.databases, MongoClient)
        cleanup.callback(_stop_all, stack)
        _start(stack, "auth", _gunicorn(ports["auth"], "clientsynq.auth.app:create_app_from_env()"),
               databases["auth"])
        _start(stack, "portal", _gunicorn(ports["portal"],
                                          "clientsynq.portal.app:create_app_from_env()"),
               databases["portal"])
        _start(stack, "webhook", _gunicorn(ports["webhook"],
                                           "clientsynq.webhooks.app:create_app_from_env()"),
               databases["webhook"])
        _start(stack, "sync", _gunicorn(ports["sync"], "clientsynq.sync.app:create_app_from_env()"),
               databases["sync"])
        _start(stack, "webhook-worker", [sys.executable, "-m", "clientsynq.webhooks.worker"],
               databases["webhook"])
        _start(stack, "auth-worker", [sys.executable, "-m", "clientsynq.auth.worker"],
               databases["auth"])
        _start(stack, "sync-worker", [sys.executable, "-m", "clientsynq.sync.worker"],
               databases["sync"])
        _start(stack, "portal-worker", [sys.executable, "-m", "clientsynq.portal.worker"],
               databases["portal"])
        cleanup.enter_context(running_gateway(artifacts / "gateway", ports["gateway"], {
            "auth": f"127.0.0.1:{ports['auth']}", "portal": f"127.0.0.1:{ports['portal']}",
            "webhook": f"127.0.0.1:{ports['webhook']}"}))
        for name in ("auth", "portal", "webhook", "sync"):
            wait_until(lambda n=name: http_ok(f"{urls[n]}/healthz")() or stack.assert_alive(),
                       60, f"{name} to answer")
        wait_until(http_ok(f"{urls['gateway']}/login"), 30, "the gateway")
        yield stack


def _stop_all(stack: Stack) -> None:
    for process in stack.processes.values():
        process.terminate()
    for process in stack.processes.values():
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _drop(mongo_uri: str, databases: list[str], client_class: Any) -> None:
    client = client_class(mongo_uri)
    for name in databases:
        client.drop_database(name)
    client.close()
