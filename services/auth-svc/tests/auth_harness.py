"""Drives auth-svc (Flask test client) against real infrastructure: accounts, members, the
QuickBooks connect, events. The service itself is started by `auth_fixtures` (the one way
tests start auth-svc), here with `serve=False`."""
from __future__ import annotations

import json
import re
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from auth_fixtures import PASSWORD, AuthService
from clientsynq.auth.adapters.mongo_connections import COLLECTION
from clientsynq.common.auth import REFRESH_COOKIE, REFRESH_COOKIE_PATH, SESSION_COOKIE
from flask.testing import FlaskClient
from kafka import KafkaConsumer
from mail_sink.testing import wait_for_message


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
    service: AuthService
    mail: Any
    kafka_conn: Any

    @property
    def env(self) -> dict[str, str]:
        return self.service.env

    @property
    def deps(self) -> Any:
        return self.service.deps

    @property
    def app(self) -> Any:
        return self.service.app

    @property
    def sandbox(self) -> Any:
        return self.service.sandbox

    @property
    def clock(self) -> Any:
        return self.service.clock

    @property
    def origin(self) -> str:
        """The public origin (the gateway's: pages, the portal and auth-svc share it)."""
        return self.service.base_url

    def variant(self, **settings: str) -> AuthHarness:
        """This harness on the same database, sandbox app and clock, `settings` changed."""
        return AuthHarness(self.service.variant(**settings), self.mail, self.kafka_conn)

    def process(self, *, internal: bool = False,
                **settings: str) -> AbstractContextManager[str]:
        """These settings as a real gunicorn process (`AuthService.process`)."""
        return self.service.process(internal=internal, **settings)

    def close(self) -> None:
        self.service.close()

    # --- accounts -------------------------------------------------------------------------
    def browser(self) -> FlaskClient:
        """Like a browser on our pages: sends ``Origin``, keeps cookies, never sees tokens."""
        client = self.app.test_client()
        client.environ_base["HTTP_ORIGIN"] = self.origin
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
        self.service.set_plan(tenant_id, plan)

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
        headers = {**self.service.service_headers(service), **kwargs.pop("headers", {})}
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
        return self.service.relay_events()

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
