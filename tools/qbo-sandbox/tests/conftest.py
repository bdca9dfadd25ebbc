"""Fixtures: one real sandbox server on a free loopback port for the whole session.

Tests isolate themselves by creating their own apps and companies (fresh realm ids), and
scope faults and limits to their realm, so they do not need to reset the shared server.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from clocks import ManualClock
from webhook_receiver import Receiver

from qbo_sandbox.control import SandboxControl
from qbo_sandbox.testing import SandboxHandle, running_sandbox

REDIRECT_URI = "http://127.0.0.1:9/callback"


@pytest.fixture(autouse=True)
def plain_http_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """oauthlib refuses http:// unless told; the sandbox serves plain HTTP on loopback."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxHandle]:
    """The running server: short webhook window and a 1000x faster retry schedule.

    Tests fire requests back to back, faster than Intuit's 10 per second, so the shared
    server lifts that limit; the throttling tests set it on their own realm, and
    test_sandbox_rate_per_second checks the default on a server of its own.
    """
    with running_sandbox(webhook_batch_seconds=0.2, webhook_time_scale=0.001,
                         webhook_timeout_seconds=1.0, requests_per_second=1000) as handle:
        yield handle


@pytest.fixture()
def throttle_clock(sandbox: SandboxHandle) -> Iterator[ManualClock]:
    """The shared server's throttle on a clock the test moves: a burst is within one
    second however slow the machine, and `advance(1.05)` crosses the window without
    sleeping. (Each test throttles a realm of its own, so others are not disturbed.)"""
    assert sandbox.server is not None
    throttle = sandbox.server.sandbox.throttle
    clock = ManualClock()
    throttle.clock = clock
    try:
        yield clock
    finally:
        throttle.clock = time.monotonic


@pytest.fixture()
def recorded_sleeps(sandbox: SandboxHandle) -> Iterator[list[float]]:
    """The delays the shared server is asked to inject, recorded instead of slept."""
    assert sandbox.server is not None
    faults = sandbox.server.sandbox.faults
    slept: list[float] = []
    faults.sleep = slept.append
    try:
        yield slept
    finally:
        faults.sleep = time.sleep


@pytest.fixture()
def control(sandbox: SandboxHandle) -> SandboxControl:
    """The control-API client."""
    return sandbox.control


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    """A webhook endpoint on loopback, closed after the test."""
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


@pytest.fixture()
def app(control: SandboxControl) -> dict[str, Any]:
    """A freshly registered app with one redirect URI and no webhook."""
    return control.register_app(client_id=f"app-{uuid.uuid4().hex[:10]}",
                                client_secret="s3cret", redirect_uris=[REDIRECT_URI],
                                name="ClientSynq Test")


@pytest.fixture()
def company(control: SandboxControl) -> dict[str, Any]:
    """A small seeded company."""
    return control.create_company(customers=20, invoices=60, payments=30, seed=7)


@dataclass
class Api:
    """An Accounting API client for one realm, as a sync service would hold it."""

    base_url: str
    realm_id: str
    access_token: str
    refresh_token: str = ""

    def url(self, path: str) -> str:
        return f"{self.base_url}/v3/company/{self.realm_id}/{path}"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}", "Accept": "application/json"}

    def get(self, path: str, **params: Any) -> requests.Response:
        return requests.get(self.url(path), params=params, headers=self.headers(), timeout=30)

    def post(self, path: str, body: Any, **params: Any) -> requests.Response:
        return requests.post(self.url(path), json=body, params=params, headers=self.headers(),
                             timeout=30)

    def query(self, statement: str) -> requests.Response:
        return self.get("query", query=statement, minorversion=75)


@pytest.fixture()
def api(sandbox: SandboxHandle, control: SandboxControl, app: dict[str, Any],
        company: dict[str, Any]) -> Api:
    """Tokens for `app` on `company`, through the control API shortcut."""
    tokens = control.connect(app["client_id"], company["realm_id"])
    return Api(sandbox.base_url, company["realm_id"], tokens["access_token"],
               tokens["refresh_token"])


@pytest.fixture()
def qb(sandbox: SandboxHandle, control: SandboxControl, app: dict[str, Any],
       company: dict[str, Any]) -> Any:
    """Unmodified python-quickbooks on `company`, connected through intuit-oauth."""
    quickbooks = pytest.importorskip("quickbooks")
    from intuitlib.client import AuthClient
    from intuitlib.enums import Scopes

    auth = AuthClient(app["client_id"], app["client_secret"], app["redirect_uris"][0],
                      sandbox.discovery_url)
    callback = control.authorize(auth.get_authorization_url([Scopes.ACCOUNTING]),
                                 realm_id=company["realm_id"])
    auth.get_bearer_token(callback["code"], realm_id=callback["realmId"])
    client = quickbooks.QuickBooks(auth_client=auth, refresh_token=auth.refresh_token,
                                   company_id=company["realm_id"], minorversion=75)
    client.api_url_v3 = f"{sandbox.base_url}/v3"
    return client
