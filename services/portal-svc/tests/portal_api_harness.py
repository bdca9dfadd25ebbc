"""`/api/v1` over in-memory fakes: the real blueprints, a JWT signer, fake API keys, a
fixed clock, and a seeded business (`seed_business`)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from clientsynq.common.auth import JwtSigner, StaticKeySource, TokenVerifier, generate_signing_key
from clientsynq.common.service import create_service_app
from clientsynq.portal import api
from clientsynq.portal.adapters.memory_rate_limiter import FixedWindowLimiter
from clientsynq.portal.api.ports import ApiDeps, RateLimiter
from clientsynq.portal.domain.model import ConnectionState
from clientsynq.portal.services.commands import CommandDeps
from flask import Flask
from portal_app_pool import AppPool
from portal_builders import a_customer, a_payment, an_invoice, version
from portal_fakes import (
    FakeApiKeys,
    FakeIdempotency,
    FakeSyncRequests,
    FixedClock,
    fake_read_models,
)

ISSUER, AUDIENCE = "clientsynq-auth", "clientsynq"


def _build_app(deps: Any) -> Flask:
    app = create_service_app("portal", deps, {})
    api.register(app)
    return app


APPS = AppPool(_build_app)


class Api:
    def __init__(self, rate_limit: int = 10_000, limiter: RateLimiter | None = None) -> None:
        key = generate_signing_key()
        self.key = key
        self.signer = JwtSigner(key, "k1", ISSUER, AUDIENCE)
        verifier = TokenVerifier(StaticKeySource({"k1": key.public_key()}), ISSUER, AUDIENCE)
        self.clock = FixedClock(datetime(2026, 6, 15, 12, tzinfo=UTC))
        self.monotonic = 0.0
        self.read = fake_read_models(self.clock)
        self.sync_requests = FakeSyncRequests()
        self.api_keys = FakeApiKeys()
        self.idempotency = FakeIdempotency()
        limiter = limiter or FixedWindowLimiter(rate_limit, 60, clock=lambda: self.monotonic)
        self.deps = SimpleNamespace(read=self.read, verifier=verifier, api=ApiDeps(
            CommandDeps(self.read, self.sync_requests), self.api_keys, self.idempotency,
            limiter))
        self.app = APPS.lend(self.deps)
        self.client = self.app.test_client()

    def close(self) -> None:
        """Give the app back for the next test (see `portal_app_pool`)."""
        APPS.give_back(self.app)

    def token(self, tenant_id: str, *, plan: str = "pro", role: str = "owner",
              customer_id: str | None = None, subject: str = "user-1") -> str:
        kind = "client" if customer_id else "user"
        return self.signer.issue(subject=subject, tenant_id=tenant_id,
                                 role="client" if customer_id else role, plan=plan, kind=kind,
                                 customer_id=customer_id)

    def call(self, method: str, path: str, token: str | None, *, json: Any = None,
             data: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        return self.client.open(path, method=method, json=json, data=data, headers=sent)


def seeded_api(*tenants: str) -> Iterator[Api]:
    """A fixture's body (`yield from seeded_api(TENANT)`): an `Api` with each tenant's business
    seeded, closed afterwards."""
    harness = Api()
    try:
        for tenant_id in tenants:
            seed_business(harness, tenant_id)
        yield harness
    finally:
        harness.close()


def seed_business(api_: Api, tenant_id: str, connected: bool = True) -> None:
    """Two customers, four invoices (open, overdue, partly paid, paid), one payment."""
    read = api_.read
    for cid, name in (("1", "Amy's Bird Sanctuary"), ("2", "Bill's Windsurf Shop")):
        read.customers.apply(a_customer(cid, tenant_id=tenant_id, name=name), version())
    rows = (("101", "1", "100.00", "2026-07-01"), ("102", "1", "50.00", "2026-06-01"),
            ("103", "2", "30.00", "2026-07-01"), ("104", "2", "0.00", "2026-06-01"))
    for inv_id, cid, balance, due in rows:
        read.invoices.apply(an_invoice(inv_id, tenant_id=tenant_id, customer_id=cid,
                                       balance=balance, due=due, customer_name=f"C{cid}"),
                            version())
    read.payments.apply(a_payment("501", tenant_id=tenant_id, customer_id="2",
                                  applied={"103": "70.00"}, total="70.00"), version())
    if connected:
        read.connections.apply(ConnectionState(tenant_id, "connected", api_.clock.now,
                                               f"realm-{tenant_id}", "Sandbox Company"))
