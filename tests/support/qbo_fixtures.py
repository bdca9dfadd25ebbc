"""A QuickBooks-connected tenant for any service's tests: the sandbox, the real auth-svc
over HTTP, and a business that went through the real OAuth connect flow.

Fixtures (register with `pytest_plugins = [..., "qbo_fixtures"]` in the root conftest):
- `qbo_sandbox` (session): a running qbo-sandbox (`SandboxHandle`: base_url, control).
- `auth_service`: auth-svc serving on a loopback port with its own database, wired to this
  test's Kafka topics and to the sandbox (`AuthService`).
- `connect_tenant`: a factory, `connect_tenant(plan="pro", customers=20, invoices=60,
  payments=30, seed=7, publish=True)` → `ConnectedTenant`; it signs a business up, sets its
  plan, seeds a sandbox company, connects it through authorize + callback and (with
  `publish`) relays auth-svc's `connection.changed` to Kafka.
- `connected_tenant`: `connect_tenant()` with those defaults.
- `auth_with_mail`: `(AuthService, mail sink)`, auth-svc sending its mail to a running mail
  sink, for tests that follow an emailed link (`admin_joins`).

The same steps are plain functions (`start_auth_service`, `connect_new_tenant`) for
benchmarks and scripts that are not pytest.
"""
from __future__ import annotations

import contextlib
import re
import secrets
import socket
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class AuthService:
    base_url: str
    env: dict[str, str]
    deps: Any
    _server: Any = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _producer: Any = field(default=None, repr=False)
    _relay: Any = field(default=None, repr=False)

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
        secret = {"sync-svc": self.sync_secret, "portal-svc": self.portal_secret,
                  "webhook-svc": self.webhook_secret}[service]
        return {"Authorization": f"Service {service}:{secret}"}

    def set_plan(self, tenant_id: str, plan: str) -> None:
        response = requests.put(f"{self.base_url}/auth/v1/operator/tenants/{tenant_id}/plan",
                                json={"plan": plan}, timeout=30, headers={
                                    "Authorization":
                                        f"Service operator:{self.env['AUTH_OPERATOR_SECRET']}"})
        assert response.status_code == 200, response.text

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

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        if self._producer is not None:
            self._producer.close()


@dataclass(frozen=True)
class ConnectedTenant:
    tenant_id: str
    realm_id: str
    plan: str
    counts: dict[str, int]
    session: requests.Session = field(repr=False)
    auth: AuthService = field(repr=False)
    sandbox: Any = field(repr=False)

    @property
    def control(self) -> Any:
        return self.sandbox.control


def start_auth_service(*, kafka_bootstrap: str, topic_prefix: str, mongo_uri: str,
                       database: str, sandbox: Any,
                       extra_env: dict[str, str] | None = None) -> AuthService:
    """auth-svc on a free loopback port (werkzeug, threaded), its app registered with the
    sandbox so the OAuth redirect URI matches. `extra_env`: more AUTH_* settings."""
    from clientsynq.auth.app import create_app
    from clientsynq.auth.bootstrap import build
    from clientsynq.auth.config import Settings
    from clientsynq.common.crypto import generate_key
    from werkzeug.serving import make_server

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    client_id, client_secret = f"cs-{uuid.uuid4().hex[:12]}", secrets.token_urlsafe(24)
    sandbox.control.register_app(client_id=client_id, client_secret=client_secret,
                                 redirect_uris=[f"{base_url}/auth/v1/qbo/callback"],
                                 name="ClientSynq")
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "KAFKA_TOPIC_PREFIX": topic_prefix,
        "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": database,
        "TOKEN_ENCRYPTION_KEYS": f"k1:{generate_key()}", "TOKEN_ENCRYPTION_ACTIVE_KEY": "k1",
        "SERVICE_SECRET_SYNC": secrets.token_urlsafe(24),
        "SERVICE_SECRET_PORTAL": secrets.token_urlsafe(24),
        "SERVICE_SECRET_WEBHOOK": secrets.token_urlsafe(24),
        "AUTH_OPERATOR_SECRET": secrets.token_urlsafe(24),
        "QBO_CLIENT_ID": client_id, "QBO_CLIENT_SECRET": client_secret,
        "QBO_BASE_URL": sandbox.base_url, "AUTH_PUBLIC_URL": base_url,
        "AUTH_COOKIE_SECURE": "false", "PORTAL_PUBLIC_URL": "http://127.0.0.1:8080",
        "AUTH_GENERATE_SIGNING_KEY": "true",
        "AUTH_SIGNING_KEYS_DIR": tempfile.mkdtemp(prefix="clientsynq-auth-keys-"),
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(free_port()),
        "AUTH_ARGON2_TIME_COST": "1", "AUTH_ARGON2_MEMORY_KIB": "1024", **(extra_env or {}),
    }
    deps = build(Settings.from_env(env))
    server = make_server("127.0.0.1", port, create_app(deps), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="auth-svc", daemon=True)
    thread.start()
    return AuthService(base_url, env, deps, server, thread)


def sign_up_owner(base_url: str, business_name: str, *, http: Any = requests,
                  password: str = PASSWORD) -> tuple[str, dict[str, Any]]:
    """Sign a business up and log its owner in: (email, the login's body). Sign-up answers
    a new and a known email alike, 202 without a session (issue 12, finding 7), so the
    session comes from logging in. `http`: a requests.Session to keep its cookies."""
    email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    signed = http.post(f"{base_url}/auth/v1/signup", timeout=30, json={
        "business_name": business_name, "password": password, "email": email})
    assert signed.status_code in (201, 202), signed.text
    return email, log_in(base_url, email, http=http, password=password)


def log_in(base_url: str, email: str, *, http: Any = requests,
           password: str = PASSWORD) -> dict[str, Any]:
    """The login's body (tenant_id, access_token, refresh_token, ...)."""
    login = http.post(f"{base_url}/auth/v1/login", timeout=30,
                      json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    return dict(login.json())


def connect_new_tenant(auth: AuthService, sandbox: Any, *, plan: str = "pro",
                       customers: int = 20, invoices: int = 60, payments: int = 30,
                       seed: int = 7, publish: bool = True, **company: Any) -> ConnectedTenant:
    """Sign up, set the plan, seed a company, connect it as the owner would. `company`:
    more create_company options (e.g. tie_fraction=0.3, shuffle_ties=True: messy ties)."""
    session = requests.Session()
    _, owner = sign_up_owner(auth.base_url, "Acme Plumbing", http=session)
    tenant_id = owner["tenant_id"]
    session.headers["Authorization"] = f"Bearer {owner['access_token']}"
    if plan != "basic":
        auth.set_plan(tenant_id, plan)
    company = sandbox.control.create_company(customers=customers, invoices=invoices,
                                             payments=payments, seed=seed, **company)
    started = session.post(f"{auth.base_url}/auth/v1/tenants/{tenant_id}/qbo/connect",
                           timeout=30)
    assert started.status_code == 200, started.text
    params = sandbox.control.authorize(started.json()["authorize_url"], approve=True,
                                       realm_id=company["realm_id"])
    callback = session.get(f"{auth.base_url}/auth/v1/qbo/callback", params=params,
                           allow_redirects=False, timeout=30)
    assert callback.status_code == 302, callback.text
    if publish:
        assert auth.relay_events() >= 1
    return ConnectedTenant(tenant_id, str(company["realm_id"]), plan,
                           dict(company.get("counts") or {}), session, auth, sandbox)


@pytest.fixture(scope="session")
def qbo_sandbox() -> Iterator[Any]:
    """QBO_SANDBOX_MESSY=1 runs the suite against the messy sandbox (tied seconds shuffled,
    webhooks late/duplicated/reordered/dropped, CDC live-first cut, the other void shape,
    Pacific time); QBO_SANDBOX_OPTIONS='{...}' sets any option (qbo_sandbox.testing)."""
    from qbo_sandbox.testing import options_from_env, running_sandbox

    with running_sandbox(**options_from_env()) as handle:
        yield handle


@contextlib.contextmanager
def _test_auth_service(infra: Any, kafka_conn: Any, mongo_client: Any, qbo_sandbox: Any,
                       extra_env: dict[str, str] | None = None) -> Iterator[AuthService]:
    """auth-svc on a database of its own, dropped afterwards."""
    database = f"test_auth_{uuid.uuid4().hex[:10]}"
    service = start_auth_service(kafka_bootstrap=infra.kafka_bootstrap,
                                 topic_prefix=kafka_conn.topic_prefix, mongo_uri=infra.mongo_uri,
                                 database=database, sandbox=qbo_sandbox, extra_env=extra_env)
    try:
        yield service
    finally:
        service.close()
        mongo_client.drop_database(database)


@pytest.fixture
def auth_service(infra: Any, kafka_conn: Any, mongo_client: Any, qbo_sandbox: Any
                 ) -> Iterator[AuthService]:
    with _test_auth_service(infra, kafka_conn, mongo_client, qbo_sandbox) as service:
        yield service


@pytest.fixture
def auth_with_mail(infra: Any, kafka_conn: Any, mongo_client: Any, qbo_sandbox: Any
                   ) -> Iterator[tuple[AuthService, Any]]:
    from mail_sink.testing import running_mail_sink

    with running_mail_sink() as sink, _test_auth_service(
            infra, kafka_conn, mongo_client, qbo_sandbox,
            extra_env={"SMTP_PORT": str(sink.smtp_port)}) as service:
        yield service, sink


def admin_joins(auth: AuthService, sink: Any, tenant_id: str,
                owner: dict[str, str]) -> dict[str, Any]:
    """Invited by the owner, accepted from the emailed link: the admin's session body."""
    from mail_sink.testing import wait_for_message

    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    invited = requests.post(f"{auth.base_url}/auth/v1/tenants/{tenant_id}/member-invitations",
                            json={"email": email, "role": "admin"}, headers=owner, timeout=30)
    assert invited.status_code == 201, invited.text
    link = re.search(r"/join/([A-Za-z0-9._-]+)", wait_for_message(sink, email)["body"])
    assert link, "no invitation link in the mail"
    accepted = requests.post(f"{auth.base_url}/auth/v1/member-invitations/accept", timeout=30,
                             json={"token": link.group(1), "password": PASSWORD})
    assert accepted.status_code == 201, accepted.text
    return dict(accepted.json())


@pytest.fixture
def connect_tenant(auth_service: AuthService, qbo_sandbox: Any
                   ) -> Callable[..., ConnectedTenant]:
    def connect(**options: Any) -> ConnectedTenant:
        return connect_new_tenant(auth_service, qbo_sandbox, **options)
    return connect


@pytest.fixture
def connected_tenant(connect_tenant: Callable[..., ConnectedTenant]) -> ConnectedTenant:
    return connect_tenant()
