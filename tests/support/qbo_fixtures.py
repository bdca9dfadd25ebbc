"""A QuickBooks-connected tenant for any service's tests: the sandbox, the real auth-svc
over HTTP (`auth_fixtures`, the one way to start it), and a business that went through the
real OAuth connect flow.

Fixtures (registered in the root conftest):
- `qbo_sandbox` (session): a running qbo-sandbox (`SandboxHandle`: base_url, control).
- `connect_tenant`: a factory, `connect_tenant(plan="pro", customers=20, invoices=60,
  payments=30, seed=7, publish=True)` → `ConnectedTenant`; on `auth_fixtures.auth_service`
  it signs a business up, sets its plan, seeds a sandbox company, connects it through
  authorize + callback and (with `publish`) relays auth-svc's `connection.changed` to Kafka.
- `connected_tenant`: `connect_tenant()` with those defaults.
`admin_joins(auth, sink, ...)`: an admin invited by mail and joined (with `auth_with_mail`).

The same steps are plain functions (`connect_new_tenant`, `sign_up_owner`, `log_in`) for
benchmarks and scripts that are not pytest.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from auth_fixtures import PASSWORD, AuthService, free_port, start_auth_service

# bench/ imports auth-svc's starter from here too (it lives in auth_fixtures).
__all__ = ["AuthService", "ConnectedTenant", "connect_new_tenant", "free_port", "log_in",
           "sign_up_owner", "start_auth_service"]


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
