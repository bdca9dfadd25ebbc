"""The pages over in-memory fakes: a Flask test client, a signer for session cookies, and
fakes of the web layer's own ports (auth-svc's invitation call, the invitation ledger)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from clientsynq.common.auth import JwtSigner, StaticKeySource, TokenVerifier, generate_signing_key
from clientsynq.common.auth.web import SESSION_COOKIE
from clientsynq.common.problems import NotFound
from clientsynq.common.service import create_service_app
from clientsynq.portal.services.branding import Branding
from clientsynq.portal.services.commands import CommandDeps
from clientsynq.portal.services.invitations import SentInvitation
from clientsynq.portal.web import routes
from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from portal_app_pool import AppPool
from portal_fakes import FakeSyncRequests, fake_read_models

ISSUER, AUDIENCE, ORIGIN = "clientsynq-auth", "clientsynq", "http://localhost"


@dataclass
class FakeAuthClient:
    sent: list[tuple[str, str, str]] = field(default_factory=list)
    brandings: list[dict[str, Any] | None] = field(default_factory=list)

    def invite_client(self, access_token: str, tenant_id: str, customer_id: str,
                      email: str, branding: dict[str, Any] | None = None) -> SentInvitation:
        self.sent.append((tenant_id, customer_id, email))
        self.brandings.append(branding)
        return SentInvitation(f"inv-{len(self.sent)}", email, None)


    members_of: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    keys_of: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def members(self, access_token: str, tenant_id: str) -> list[dict[str, Any]]:
        return self.members_of.get(tenant_id, [])

    def api_keys(self, access_token: str, tenant_id: str) -> list[dict[str, Any]]:
        return self.keys_of.get(tenant_id, [])


@dataclass
class FakeWebhookClient:
    """`WebhookClient` in memory: per tenant, endpoints and each endpoint's deliveries."""

    endpoints_of: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    deliveries_of: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def endpoints(self, access_token: str, tenant_id: str) -> list[dict[str, Any]]:
        self.calls.append(tenant_id)
        return self.endpoints_of.get(tenant_id, [])

    def endpoint(self, access_token: str, tenant_id: str, endpoint_id: str) -> dict[str, Any]:
        self.calls.append(tenant_id)
        for found in self.endpoints_of.get(tenant_id, []):
            if found["id"] == endpoint_id:
                return found
        raise NotFound("No such resource.")

    def deliveries(self, access_token: str, tenant_id: str,
                   endpoint_id: str) -> list[dict[str, Any]]:
        self.endpoint(access_token, tenant_id, endpoint_id)
        return self.deliveries_of.get(endpoint_id, [])


@dataclass
class FakeSyncControls:
    """`SyncControlsClient` in memory: sync-svc's controls per connected tenant (None for a
    tenant sync-svc never saw connected), with the calls made."""

    controls_of: dict[str, dict[str, Any]] = field(default_factory=dict)
    resyncs: list[tuple[str, str | None]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def settings(self, tenant_id: str) -> dict[str, Any] | None:
        self.calls.append(tenant_id)
        found = self.controls_of.get(tenant_id)
        return None if found is None else {**found, "intervals": dict(found["intervals"])}

    def update(self, tenant_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(tenant_id)
        current = self.controls_of[tenant_id]
        current.update({k: v for k, v in changes.items() if k != "intervals"})
        current["intervals"].update(changes.get("intervals") or {})
        return dict(current)

    def full_resync(self, tenant_id: str, requested_by: str | None) -> str:
        self.calls.append(tenant_id)
        self.resyncs.append((tenant_id, requested_by))
        return f"run-{len(self.resyncs)}"


@dataclass
class FakeLedger:
    rows: list[dict[str, Any]] = field(default_factory=list)

    def record_invited(self, tenant_id: str, customer_id: str, sent: SentInvitation,
                       at: datetime) -> None:
        self.rows.append({"tenant_id": tenant_id, "customer_id": customer_id,
                          "status": "invited"})

    def record_accepted(self, tenant_id: str, customer_id: str, at: datetime) -> None:
        for row in self.rows:
            if (row["tenant_id"], row["customer_id"]) == (tenant_id, customer_id):
                row["status"] = "accepted"


@dataclass
class FakeBranding:
    """The `BrandingStore` port in memory (same contract as `MongoBranding`)."""

    saved: dict[str, Branding] = field(default_factory=dict)

    def get(self, tenant_id: str) -> Branding | None:
        return self.saved.get(tenant_id)

    def save(self, branding: Branding) -> None:
        self.saved[branding.tenant_id] = branding


class SessionTemplates(BytecodeCache):
    """Each app the pool builds (`portal_app_pool`) has a Jinja environment of its own that
    would compile every template again; compiled once per test session instead (keyed by
    the template's name and source checksum, so an edited template is compiled afresh)."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = SessionTemplates()


def _build_app(deps: Any) -> Flask:
    app = create_service_app("portal", deps, {})
    app.jinja_env.bytecode_cache = TEMPLATES
    routes.register(app, [ORIGIN])
    return app


APPS = AppPool(_build_app)


@dataclass
class WebDeps:
    read: Any
    verifier: TokenVerifier
    auth_client: FakeAuthClient
    invitation_ledger: FakeLedger
    api: Any  # only `.commands`, as `bootstrap.ApiDeps` carries it
    branding: FakeBranding = field(default_factory=FakeBranding)
    webhook_client: FakeWebhookClient = field(default_factory=FakeWebhookClient)
    sync_controls: FakeSyncControls = field(default_factory=FakeSyncControls)


class Web:
    def __init__(self) -> None:
        key = generate_signing_key()
        self.signer = JwtSigner(key, "k1", ISSUER, AUDIENCE)
        verifier = TokenVerifier(StaticKeySource({"k1": key.public_key()}), ISSUER, AUDIENCE)
        read = fake_read_models()
        self.deps = WebDeps(read, verifier, FakeAuthClient(), FakeLedger(),
                            SimpleNamespace(commands=CommandDeps(read, FakeSyncRequests())))
        self.app = APPS.lend(self.deps)
        self.client = self.app.test_client()

    def close(self) -> None:
        """Give the app back for the next test (see `portal_app_pool`)."""
        APPS.give_back(self.app)

    @property
    def read(self) -> Any:
        return self.deps.read

    def sign_in(self, tenant_id: str, *, role: str = "owner", plan: str = "pro",
                customer_id: str | None = None) -> None:
        kind = "client" if customer_id else "user"
        token = self.signer.issue(subject="u1", tenant_id=tenant_id,
                                  role="client" if customer_id else role, plan=plan, kind=kind,
                                  customer_id=customer_id)
        self.client.set_cookie(SESSION_COOKIE, token)

    def get(self, path: str) -> Any:
        return self.client.get(path)

    def post(self, path: str, data: dict[str, str] | None = None,
             origin: str | None = ORIGIN) -> Any:
        headers = {"Origin": origin} if origin else {}
        return self.client.post(path, data=data or {}, headers=headers)
