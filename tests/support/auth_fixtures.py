"""auth-svc for any service's tests: the one way to start it, and the one place its test
settings are built (issue 9).

`start_auth_service(...)` builds auth-svc in this process (its `deps` and Flask `app`, the
settings of `auth_env`, a QuickBooks app registered at the sandbox) on a database the caller
names. How it is reached is the one option:
- `serve=True` (the default): also served over HTTP on a loopback port in a thread, for
  other services' tests and for benchmarks (`base_url`);
- `serve=False`: the app only, driven through Flask's test client (auth-svc's own tests,
  `auth_harness.AuthHarness`); nothing listens on `base_url`.
`AuthService.variant(**settings)` is the same service (database, keys, sandbox app) with some
settings changed; `AuthService.process(**settings)` runs its settings as a real gunicorn
process, for tests that need HTTP between processes (two replicas, the internal listener).

Fixtures (registered in the root conftest): `mail_sink` (session, one mail catcher),
`auth_service` (served, on a database of its own, dropped afterwards), `auth_with_mail`
(`(auth_service, mail_sink)`). `UNIT_ENV`: a valid configuration that reaches nothing, for
unit tests of `Settings`.
"""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from clientsynq.common.crypto import generate_key
from localinfra.servers import free_port
from threads import ServedApp
from waiting import http_ok, wait_until

PASSWORD = "correct horse battery staple"
UNIT_ENV = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092", "MONGODB_URI": "mongodb://127.0.0.1/",
            "TOKEN_ENCRYPTION_KEYS": f"k1:{generate_key()}", "TOKEN_ENCRYPTION_ACTIVE_KEY": "k1",
            "SERVICE_SECRET_SYNC": "s" * 32, "QBO_CLIENT_ID": "cid",
            "QBO_CLIENT_SECRET": "very-secret-value", "QBO_BASE_URL": "http://127.0.0.1:8090"}
GUNICORN_APPS = {False: "clientsynq.auth.app:create_app_from_env()",
                 True: "clientsynq.auth.app:create_internal_app_from_env()"}
SERVICE_SECRETS = {"sync-svc": "SERVICE_SECRET_SYNC", "portal-svc": "SERVICE_SECRET_PORTAL",
                   "webhook-svc": "SERVICE_SECRET_WEBHOOK", "operator": "AUTH_OPERATOR_SECRET"}


def auth_env(*, kafka_bootstrap: str, topic_prefix: str, mongo_uri: str, database: str,
             sandbox: Any, public_url: str, smtp_port: int | None = None,
             keys_dir: Path | None = None) -> dict[str, str]:
    """auth-svc's settings on this Kafka and database, with a QuickBooks app of its own
    registered at the sandbox for `public_url`'s callback."""
    client_id, client_secret = f"cs-{uuid.uuid4().hex[:12]}", secrets.token_urlsafe(24)
    sandbox.control.register_app(client_id=client_id, client_secret=client_secret,
                                 redirect_uris=[f"{public_url}/auth/v1/qbo/callback"],
                                 name="ClientSynq")
    return {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "KAFKA_TOPIC_PREFIX": topic_prefix,
            "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": database,
            **auth_settings(public_url=public_url, sandbox_url=sandbox.base_url,
                            client_id=client_id, client_secret=client_secret,
                            smtp_port=smtp_port, keys_dir=keys_dir)}


def auth_settings(*, public_url: str, sandbox_url: str, client_id: str, client_secret: str,
                  smtp_port: int | None = None, keys_dir: Path | None = None) -> dict[str, str]:
    """auth-svc's own settings and the secrets its callers share with it (the whole-system
    stacks start from these too), loopback-sized: the cheapest argon2, a generated signing
    key. Mail goes to `smtp_port` (a mail sink), or nowhere."""
    keys = keys_dir or Path(tempfile.mkdtemp(prefix="clientsynq-auth-keys-"))
    return {
        "TOKEN_ENCRYPTION_KEYS": f"k1:{generate_key()}", "TOKEN_ENCRYPTION_ACTIVE_KEY": "k1",
        **{name: secrets.token_urlsafe(24) for name in SERVICE_SECRETS.values()},
        "QBO_CLIENT_ID": client_id, "QBO_CLIENT_SECRET": client_secret,
        "QBO_BASE_URL": sandbox_url, "AUTH_PUBLIC_URL": public_url,
        "AUTH_COOKIE_SECURE": "false", "PORTAL_PUBLIC_URL": "http://127.0.0.1:8080",
        "AUTH_GENERATE_SIGNING_KEY": "true", "AUTH_SIGNING_KEYS_DIR": str(keys),
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port or free_port()),
        "AUTH_ARGON2_TIME_COST": "1", "AUTH_ARGON2_MEMORY_KIB": "1024",
    }


@dataclass
class AuthService:
    """auth-svc built in this process; `base_url` answers only when it was served."""

    env: dict[str, str]
    deps: Any
    app: Any
    sandbox: Any
    clock: Any = None
    _served: ServedApp | None = field(default=None, repr=False)
    _relay: Any = field(default=None, repr=False)
    _producer: Any = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return self.env["AUTH_PUBLIC_URL"]

    @property
    def sync_secret(self) -> str:
        return self.env["SERVICE_SECRET_SYNC"]

    @property
    def portal_secret(self) -> str:
        """portal-svc's secret towards auth-svc only: portal→sync has its own
        (SERVICE_SECRET_PORTAL_SYNC, sync_harness.PORTAL_SYNC_SECRET), so sync-svc never
        holds this one (issue 12, finding 10)."""
        return self.env["SERVICE_SECRET_PORTAL"]

    @property
    def webhook_secret(self) -> str:
        return self.env["SERVICE_SECRET_WEBHOOK"]

    def service_headers(self, service: str = "sync-svc") -> dict[str, str]:
        """A caller's credential at the internal and operator API ("operator" included)."""
        return {"Authorization": f"Service {service}:{self.env[SERVICE_SECRETS[service]]}"}

    def set_plan(self, tenant_id: str, plan: str) -> None:
        response = self.app.test_client().put(
            f"/auth/v1/operator/tenants/{tenant_id}/plan", json={"plan": plan},
            headers=self.service_headers("operator"))
        assert response.status_code == 200, response.get_data(as_text=True)

    def relay_events(self) -> int:
        """Publish auth-svc's pending outbox (connection.changed) as its worker would (one
        relay for the service's life: relays elect a leader by lease)."""
        from clientsynq.auth.adapters.mongo_connections import COLLECTION
        from clientsynq.common.kafka import EventProducer
        from clientsynq.common.outbox import OutboxRelay

        if self._relay is None:
            self._producer = EventProducer(self.deps.platform.kafka)
            self._relay = OutboxRelay(self.deps.platform.db, [COLLECTION], self._producer)
        return int(self._relay.relay_once())

    def variant(self, **settings: str) -> AuthService:
        """The same service with `settings` changed, built anew and not served (a test of
        one setting's effect, e.g. a lower rate limit or another signing key). Its database
        has the indexes already."""
        return _build({**self.env, **settings}, self.sandbox, self.clock, create_indexes=False)

    @contextmanager
    def process(self, *, internal: bool = False, **settings: str) -> Iterator[str]:
        """These settings (plus `settings`) as a gunicorn process on a free loopback port:
        the public listener, or with `internal` the internal one. Yields its base URL."""
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--threads", "12", "--log-level", "warning", "--no-control-socket",
             GUNICORN_APPS[internal]],
            env={**os.environ, **self.env, **settings, "PYTHONUNBUFFERED": "1"})
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until(http_ok(f"{base}/healthz", process), 30, f"auth-svc at {base}")
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)

    def close(self) -> None:
        if self._served is not None:
            self._served.close()
        if self._producer is not None:
            self._producer.close()


def start_auth_service(*, kafka_bootstrap: str, topic_prefix: str, mongo_uri: str,
                       database: str, sandbox: Any, serve: bool = True, clock: Any = None,
                       smtp_port: int | None = None, keys_dir: Path | None = None,
                       extra_env: dict[str, str] | None = None) -> AuthService:
    """auth-svc on `database`, its public URL on a free loopback port, served there in a
    thread (werkzeug, threaded) when `serve`. `clock`: an injectable clock (e.g.
    `clocks.OffsetClock`); `extra_env`: more settings."""
    public_url = f"http://127.0.0.1:{free_port()}"
    env = auth_env(kafka_bootstrap=kafka_bootstrap, topic_prefix=topic_prefix,
                   mongo_uri=mongo_uri, database=database, sandbox=sandbox,
                   public_url=public_url, smtp_port=smtp_port, keys_dir=keys_dir)
    service = _build({**env, **(extra_env or {})}, sandbox, clock)
    return _serve(service) if serve else service


def _build(env: dict[str, str], sandbox: Any, clock: Any,
           create_indexes: bool = True) -> AuthService:
    from clientsynq.auth.app import create_app
    from clientsynq.auth.bootstrap import build
    from clientsynq.auth.config import Settings
    from clientsynq.common.clock import utc_now

    deps = build(Settings.from_env(env), clock=clock or utc_now, create_indexes=create_indexes)
    return AuthService(env, deps, create_app(deps), sandbox, clock)


def _serve(service: AuthService) -> AuthService:
    port = int(service.base_url.rsplit(":", 1)[1])
    service._served = ServedApp(service.app, port, name="auth-svc")
    return service


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[Any]:
    """One mail catcher for the session (every test's recipients are its own)."""
    from mail_sink.testing import running_mail_sink

    with running_mail_sink() as sink:
        yield sink


@pytest.fixture
def auth_service(infra: Any, kafka_conn: Any, mongo_client: Any, qbo_sandbox: Any,
                 mail_sink: Any, tmp_path: Path) -> Iterator[AuthService]:
    """auth-svc served over HTTP on a database of its own, dropped afterwards."""
    database = f"test_auth_{uuid.uuid4().hex[:10]}"
    service = start_auth_service(
        kafka_bootstrap=infra.kafka_bootstrap, topic_prefix=kafka_conn.topic_prefix,
        mongo_uri=infra.mongo_uri, database=database, sandbox=qbo_sandbox,
        smtp_port=mail_sink.smtp_port, keys_dir=tmp_path / "auth-signing-keys")
    try:
        yield service
    finally:
        service.close()
        mongo_client.drop_database(database)


@pytest.fixture
def auth_with_mail(auth_service: AuthService, mail_sink: Any) -> tuple[AuthService, Any]:
    return auth_service, mail_sink
