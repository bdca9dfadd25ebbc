"""The whole system as production runs it, on loopback: the QuickBooks sandbox, the gateway
(nginx, `deploy/gateway/nginx.conf`), gunicorn web processes for auth, sync, webhook and
portal, and the four workers (`python -m clientsynq.<svc>.worker`), over the session's Kafka
and MongoDB-wire server with a topic prefix and databases of the stack's own.

Each process writes to `<logs>/<name>.log`; `Process.kill()` is a SIGKILL (a crash) and
`Process.start()` brings it back with the same command and settings, so fault drills can do
to a process what an OOM killer or a node loss would.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import requests
from gateway_fixtures import free_port
from system_env import system_env
from waiting import wait_until

STOP_BOUND = 30  # seconds a process gets after SIGTERM before SIGKILL
WEB = {"auth": "clientsynq.auth.app", "sync": "clientsynq.sync.app",
       "webhook": "clientsynq.webhooks.app", "portal": "clientsynq.portal.app"}
WORKERS = {"auth-worker": "clientsynq.auth.worker", "sync-worker": "clientsynq.sync.worker",
           "webhook-worker": "clientsynq.webhooks.worker",
           "portal-worker": "clientsynq.portal.worker"}
DATABASE_OF = {"auth": "auth", "sync": "sync", "webhook": "webhook", "portal": "portal"}


@dataclass
class Process:
    """One production process; SIGKILL it and start it again at will."""

    name: str
    args: list[str]
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self._log = self.log_path.open("ab")
        self.popen = subprocess.Popen(self.args, env=self.env, stdout=self._log,
                                      stderr=subprocess.STDOUT)

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, nothing is flushed or committed."""
        assert self.popen is not None
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=STOP_BOUND)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after STOP_BOUND seconds."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=STOP_BOUND)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=STOP_BOUND)
        if self._log is not None:
            self._log.close()

    def tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() \
            else ""


@dataclass
class Stack:
    gateway_url: str
    urls: dict[str, str]
    env: dict[str, str]
    sandbox: Any
    kafka: Any
    databases: dict[str, str]
    logs: Path
    processes: dict[str, Process] = field(default_factory=dict)
    infra: Any = None  # the Kafka and MongoDB-wire server under it

    def service_headers(self, service: str = "sync-svc") -> dict[str, str]:
        """A service's credential at auth-svc's internal API (portal→sync has its own,
        SERVICE_SECRET_PORTAL_SYNC, which auth-svc never accepts)."""
        key = {"sync-svc": "SYNC", "portal-svc": "PORTAL", "webhook-svc": "WEBHOOK"}[service]
        return {"Authorization": f"Service {service}:{self.env[f'SERVICE_SECRET_{key}']}"}

    def set_plan(self, tenant_id: str, plan: str) -> None:
        answer = requests.put(f"{self.urls['auth']}/auth/v1/operator/tenants/{tenant_id}/plan",
                              json={"plan": plan}, timeout=30, headers={
                                  "Authorization": f"Service operator:"
                                                   f"{self.env['AUTH_OPERATOR_SECRET']}"})
        assert answer.status_code == 200, answer.text

    def dead(self) -> dict[str, int | None]:
        return {n: p.popen.returncode if p.popen else None
                for n, p in self.processes.items() if not p.alive()}

    def assert_alive(self) -> None:
        assert not self.dead(), f"processes exited: {self.dead()}\n{self.tails()}"

    def tails(self, chars: int = 2500) -> str:
        return "\n".join(f"----- {name} ({p.log_path})\n{p.tail(chars)}"
                         for name, p in self.processes.items())


def stack_env(infra: Any, *, prefix: str, urls: dict[str, str], sandbox_url: str,
              client_id: str, client_secret: str, verifier: str) -> dict[str, str]:
    """Every setting of every process (each reads only its own prefix), loopback-sized:
    the system's (`system_env`) and this stack's tuning."""
    return {
        **os.environ,
        **system_env(infra, prefix=prefix, gateway_url=urls["gateway"], auth_url=urls["auth"],
                     sandbox_url=sandbox_url, client_id=client_id, client_secret=client_secret,
                     keys_dir=Path(urls["logs"]) / "signing-keys", verifier=verifier),
        "PORTAL_TRUSTED_PROXY_HOPS": "1", "SYNC_LEASE_TTL": "10s",
        "SYNC_QBO_PAGE_SIZE": "50",  # many pages and checkpoints: a kill lands mid-sync
        "SYNC_QBO_RETRY_INITIAL": "0.05s", "SYNC_QBO_RETRY_MAX": "0.5s",
        "SYNC_QBO_THROTTLE_PAUSE": "1s", "SYNC_RUN_RETRY_INITIAL": "1s",  # storms: seconds
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1,localhost", "WEBHOOK_RETRY_TIME_SCALE": "0.01",
        "WEBHOOK_DELIVERY_LEASE": "5s", "WEBHOOK_SWEEP_INTERVAL": "5s",
    }


def _gunicorn(port: int, module: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
            "--threads", "8", "--timeout", "60", "--no-control-socket",
            f"{module}:create_app_from_env()"]


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


@contextmanager
def running_stack(infra: Any, workdir: Path, *, settings: dict[str, str] | None = None,
                  sandbox_options: dict[str, Any] | None = None) -> Iterator[Stack]:
    """Everything up (gateway last, as `make run` does); everything down afterwards.
    `settings` override the processes' environment (e.g. a compressed schedule) and
    `sandbox_options` are the sandbox's (e.g. its webhook mess)."""
    from clientsynq.common.kafka import KafkaConnection, ensure_topics
    from infra_fixtures import delete_topics
    from localinfra.gateway import running_gateway
    from pymongo import MongoClient
    from qbo_sandbox.testing import running_sandbox

    run = uuid.uuid4().hex[:8]
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    kafka = KafkaConnection(infra.kafka_bootstrap, topic_prefix=f"e2e{run}.",
                            client_id="clientsynq-e2e")
    ensure_topics(kafka)
    ports = {name: free_port() for name in ("gateway", *WEB)}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    databases = {svc: f"test_e2e_{run}_{svc}" for svc in DATABASE_OF}
    client_id, client_secret = f"cs-{run}", secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(18)
    with ExitStack() as cleanup:
        cleanup.callback(delete_topics, kafka)
        cleanup.callback(_drop, infra.mongo_uri, list(databases.values()), MongoClient)
        sandbox = cleanup.enter_context(running_sandbox(
            **{"webhook_batch_seconds": 0.05, **(sandbox_options or {})}))
        sandbox.control.register_app(
            client_id=client_id, client_secret=client_secret, name="ClientSynq",
            redirect_uris=[f"{urls['gateway']}/auth/v1/qbo/callback"],
            webhook_url=f"{urls['gateway']}/webhooks/intuit", webhook_verifier_token=verifier)
        env = stack_env(infra, prefix=kafka.topic_prefix, urls={**urls, "logs": str(logs)},
                        sandbox_url=sandbox.base_url, client_id=client_id,
                        client_secret=client_secret, verifier=verifier) | (settings or {})
        stack = Stack(urls["gateway"], urls, env, sandbox, kafka, databases, logs, infra=infra)
        cleanup.callback(_stop_all, stack)
        for svc, module in WEB.items():
            _add(stack, svc, _gunicorn(ports[svc], module), databases[svc])
        for name, module in WORKERS.items():
            _add(stack, name, [sys.executable, "-m", module],
                 databases[name.removesuffix("-worker")])
        cleanup.enter_context(running_gateway(workdir / "gateway", ports["gateway"], {
            svc: f"127.0.0.1:{ports[svc]}" for svc in ("auth", "portal", "webhook")}))
        for svc in WEB:
            wait_until(lambda s=svc: _answers(f"{urls[s]}/healthz") or stack.assert_alive(),
                       120, f"{svc} to answer /healthz")
        wait_until(lambda: _answers(f"{urls['gateway']}/healthz"), 30, "the gateway")
        yield stack


def _add(stack: Stack, name: str, args: list[str], database: str) -> None:
    process = Process(name, args, {**stack.env, "MONGODB_DATABASE": database},
                      stack.logs / f"{name}.log")
    stack.processes[name] = process
    process.start()


def _stop_all(stack: Stack) -> None:
    for process in stack.processes.values():
        if process.alive():
            assert process.popen is not None
            process.popen.terminate()
    for process in stack.processes.values():
        process.stop()


def _drop(mongo_uri: str, databases: list[str], client_class: Any) -> None:
    client = client_class(mongo_uri)
    for name in databases:
        client.drop_database(name)
    client.close()
