"""Drives the real auth-svc app (Flask test client) against real infrastructure."""
from __future__ import annotations

import json
import re
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from clientsynq.auth.adapters.mongo_connections import COLLECTION
from clientsynq.auth.app import create_app
from clientsynq.auth.bootstrap import Deps, build
from clientsynq.auth.config import Settings
from clientsynq.common.auth import REFRESH_COOKIE, REFRESH_COOKIE_PATH, SESSION_COOKIE
from clientsynq.common.crypto import generate_key
from clientsynq.common.kafka import EventProducer
from clientsynq.common.outbox import OutboxRelay
from clocks import OffsetClock
from flask import Flask
from flask.testing import FlaskClient
from kafka import KafkaConsumer
from mail_sink.testing import wait_for_message

PASSWORD = "correct horse battery staple"
UNIT_ENV = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092", "MONGODB_URI": "mongodb://127.0.0.1/",
            "TOKEN_ENCRYPTION_KEYS": f"k1:{generate_key()}", "TOKEN_ENCRYPTION_ACTIVE_KEY": "k1",
            "SERVICE_SECRET_SYNC": "s" * 32, "QBO_CLIENT_ID": "cid",
            "QBO_CLIENT_SECRET": "very-secret-value", "QBO_BASE_URL": "http://127.0.0.1:8090"}
PUBLIC_URL = "http://127.0.0.1:8081"
PUBLIC_ORIGIN = PUBLIC_URL  # the gateway's origin: pages, the portal and auth-svc share it
REDIRECT_URI = f"{PUBLIC_URL}/auth/v1/qbo/callback"


FakeClock = OffsetClock  # real time plus an offset a test advances (state and link expiry)


def auth_env(infra: Any, kafka_conn: Any, mongo_db: Any, sandbox: Any, mail_sink: Any,
             tmp_path: Any) -> dict[str, str]:
    client_id = f"cs-{uuid.uuid4().hex[:12]}"
    client_secret = secrets.token_urlsafe(24)
    sandbox.control.register_app(client_id=client_id, client_secret=client_secret,
                                 redirect_uris=[REDIRECT_URI], name="ClientSynq")
    return {
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
        "KAFKA_TOPIC_PREFIX": kafka_conn.topic_prefix,
        "MONGODB_URI": infra.mongo_uri, "MONGODB_DATABASE": mongo_db.name,
        "TOKEN_ENCRYPTION_KEYS": f"k1:{generate_key()}", "TOKEN_ENCRYPTION_ACTIVE_KEY": "k1",
        "SERVICE_SECRET_SYNC": secrets.token_urlsafe(24),
        "SERVICE_SECRET_PORTAL": secrets.token_urlsafe(24),
        "AUTH_OPERATOR_SECRET": secrets.token_urlsafe(24),
        "QBO_CLIENT_ID": client_id, "QBO_CLIENT_SECRET": client_secret,
        "QBO_BASE_URL": sandbox.base_url,
        "AUTH_PUBLIC_URL": PUBLIC_URL, "AUTH_COOKIE_SECURE": "false",
        "PORTAL_PUBLIC_URL": "http://127.0.0.1:8080",
        "AUTH_SIGNING_KEYS_DIR": str(tmp_path / "signing-keys"),
        "AUTH_GENERATE_SIGNING_KEY": "true",
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mail_sink.smtp_port),
        "AUTH_ARGON2_TIME_COST": "1", "AUTH_ARGON2_MEMORY_KIB": "1024",
        "AUTH_QBO_REFRESH_WAIT": "20s",
    }


@dataclass
class Account:
    client: FlaskClient
    tenant_id: str
    user_id: str
    email: str
    access_token: str
    refresh_token: str

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@dataclass
class AuthHarness:
    env: dict[str, str]
    deps: Deps
    app: Flask
    sandbox: Any
    mail: Any
    kafka_conn: Any
    clock: FakeClock
    _producer: EventProducer | None = field(default=None, repr=False)
    _relay: OutboxRelay | None = field(default=None, repr=False)

    @classmethod
    def start(cls, env: dict[str, str], sandbox: Any, mail: Any, kafka_conn: Any,
              clock: FakeClock) -> AuthHarness:
        deps = build(Settings.from_env(env), clock=clock)
        return cls(env, deps, create_app(deps), sandbox, mail, kafka_conn, clock)

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close()

    # --- accounts -------------------------------------------------------------------------
    def browser(self) -> FlaskClient:
        """Like a browser on our pages: sends ``Origin``, keeps cookies, never sees tokens."""
        client = self.app.test_client()
        client.environ_base["HTTP_ORIGIN"] = PUBLIC_ORIGIN
        return client

    def api(self) -> FlaskClient:
        """An API client: no ``Origin``, so tokens come in the JSON body."""
        return self.app.test_client()

    def sign_up(self, plan: str = "basic", email: str | None = None) -> Account:
        client = self.browser()
        email = email or f"owner-{uuid.uuid4().hex[:8]}@example.com"
        response = client.post("/auth/v1/signup", json={
            "business_name": "Acme Plumbing", "email": email, "password": PASSWORD})
        assert response.status_code == 202, response.json  # the business exists: sign in
        account = self.log_in(email, client)
        if plan != "basic":
            self.set_plan(account.tenant_id, plan)
            return self.log_in(email, client)
        return account

    def log_in(self, email: str, client: FlaskClient | None = None) -> Account:
        client = client or self.browser()
        response = client.post("/auth/v1/login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.json
        return _account(client, response.json, email)

    def set_plan(self, tenant_id: str, plan: str) -> None:
        response = self.api().put(
            f"/auth/v1/operator/tenants/{tenant_id}/plan", json={"plan": plan},
            headers={"Authorization": f"Service operator:{self.env['AUTH_OPERATOR_SECRET']}"})
        assert response.status_code == 200, response.json

    def add_member(self, owner: Account, role: str) -> Account:
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
        response = owner.client.post(f"/auth/v1/tenants/{owner.tenant_id}/member-invitations",
                                     json={"email": email, "role": role})
        assert response.status_code == 201, response.json
        token = link_token(wait_for_message(self.mail, email)["body"], "join")
        client = self.browser()
        accepted = client.post("/auth/v1/member-invitations/accept",
                               json={"token": token, "password": PASSWORD})
        assert accepted.status_code == 201, accepted.json
        return _account(client, accepted.json, email)

    def change_role(self, actor: Account, user_id: str, role: str) -> Any:
        return actor.client.patch(f"/auth/v1/tenants/{actor.tenant_id}/members/{user_id}",
                                  json={"role": role})

    def remove(self, actor: Account, user_id: str) -> Any:
        return actor.client.delete(f"/auth/v1/tenants/{actor.tenant_id}/members/{user_id}")

    def roles(self, account: Account) -> dict[str, str]:
        """{user_id: role} of the account's business, as its team page shows it."""
        response = account.client.get(f"/auth/v1/tenants/{account.tenant_id}/members")
        assert response.status_code == 200, response.json
        return {m["user_id"]: m["role"] for m in response.json["members"]}

    def audit_events(self, account: Account, action: str) -> list[dict[str, Any]]:
        response = account.client.get(f"/auth/v1/tenants/{account.tenant_id}/audit-events",
                                       query_string={"action": action})
        assert response.status_code == 200, response.json
        return list(response.json["events"])

    # --- QuickBooks -----------------------------------------------------------------------
    def company(self, name: str = "Cool Cars Inc") -> str:
        return str(self.sandbox.control.create_company(customers=2, name=name)["realm_id"])

    def authorize(self, account: Account, realm_id: str, approve: bool = True) -> dict[str, str]:
        """Start the connect as the portal would, then play the user on Intuit's page."""
        started = account.client.post(f"/auth/v1/tenants/{account.tenant_id}/qbo/connect")
        assert started.status_code == 200, started.json
        return dict(self.sandbox.control.authorize(started.json["authorize_url"],
                                                   approve=approve, realm_id=realm_id))

    def callback(self, account: Account, params: dict[str, str]) -> Any:
        return account.client.get("/auth/v1/qbo/callback", query_string=params)

    def connect(self, account: Account, realm_id: str | None = None) -> str:
        realm_id = realm_id or self.company()
        response = self.callback(account, self.authorize(account, realm_id))
        assert response.status_code == 302, response.get_data(as_text=True)
        return realm_id

    def internal(self, method: str, path: str, service: str = "sync-svc",
                 **kwargs: Any) -> Any:
        secret = self.env[{"sync-svc": "SERVICE_SECRET_SYNC",
                           "portal-svc": "SERVICE_SECRET_PORTAL"}[service]]
        headers = {"Authorization": f"Service {service}:{secret}", **kwargs.pop("headers", {})}
        return self.api().open(path, method=method, headers=headers, **kwargs)

    def access_token(self, tenant_id: str) -> Any:
        return self.internal("GET", f"/internal/v1/tenants/{tenant_id}/qbo/access-token")

    def refreshes(self, realm_id: str) -> int:
        return int(self.sandbox.control.counts(realm_id)["token_refreshes"])

    def connection_doc(self, tenant_id: str) -> dict[str, Any]:
        """The latest version document, as stored."""
        doc = self.versions().find_one({"tenant_id": tenant_id}, sort=[("version", -1)])
        assert doc is not None
        return dict(doc)

    def versions(self) -> Any:
        return self.deps.platform.db[COLLECTION]

    # --- events ---------------------------------------------------------------------------
    def relay(self) -> int:
        if self._relay is None:
            self._producer = EventProducer(self.deps.platform.kafka)
            self._relay = OutboxRelay(self.deps.platform.db, [COLLECTION], self._producer)
        return self._relay.relay_once()

    def published(self, expected: int, timeout_ms: int = 10000) -> list[dict[str, Any]]:
        """Relay what is pending, then read connection.changed back from Kafka."""
        self.relay()
        consumer = KafkaConsumer(self.kafka_conn.topic("connection.changed"),
                                 bootstrap_servers=self.kafka_conn.servers,
                                 auto_offset_reset="earliest", consumer_timeout_ms=timeout_ms,
                                 **self.kafka_conn.fetch_options)
        events = []
        for record in consumer:
            events.append(json.loads(record.value))
            if len(events) >= expected:
                break
        consumer.close()
        return events


def _account(client: FlaskClient, body: dict[str, Any], email: str) -> Account:
    """A browser session: the tokens are in its HttpOnly cookies, not in the body."""
    assert "access_token" not in body and "refresh_token" not in body, body
    access = client.get_cookie(SESSION_COOKIE)
    refresh = client.get_cookie(REFRESH_COOKIE, path=REFRESH_COOKIE_PATH)
    assert access is not None and refresh is not None
    return Account(client, body["tenant_id"], body["subject"], email, access.value,
                   refresh.value)


def link_token(body: str, path: str) -> str:
    match = re.search(rf"/{path}/([A-Za-z0-9._-]+)", body)
    assert match, body
    return match.group(1)


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
