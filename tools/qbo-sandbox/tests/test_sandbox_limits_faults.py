"""Throttling, injected faults, and token failures: the errors a client must survive."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from waiting import wait_until

from qbo_sandbox.control import SandboxControl
from qbo_sandbox.testing import SandboxHandle

COUNT = "SELECT COUNT(*) FROM Customer"


def test_past_the_rate_limit_qbo_answers_429_in_xml(api: Any, control: SandboxControl) -> None:
    control.set_limits(requests_per_minute=5, realm_id=api.realm_id)
    statuses = [api.query(COUNT).status_code for _ in range(7)]
    last = api.query(COUNT)
    assert statuses == [200] * 5 + [429] * 2
    assert last.headers["Content-Type"].startswith("application/xml")
    assert 'code="3001"' in last.text and "ThrottleExceeded" in last.text


def test_more_concurrent_requests_than_allowed_are_throttled(
        sandbox: SandboxHandle, api: Any, control: SandboxControl) -> None:
    """Two queries held in flight (a hang the test ends), then a third: refused."""
    assert sandbox.server is not None
    throttle = sandbox.server.sandbox.throttle
    control.set_limits(concurrent_requests=2, realm_id=api.realm_id)
    control.inject_fault(hang=True, count=2, realm_id=api.realm_id, kind="query")
    with ThreadPoolExecutor(2) as pool:
        held = [pool.submit(api.query, COUNT) for _ in range(2)]
        wait_until(lambda: throttle.in_flight(api.realm_id) == 2, 10, "two queries in flight")
        extra = api.query(COUNT)
        control.clear_faults()  # the held two end (their connections close unanswered)
    assert extra.status_code == 429
    assert all(isinstance(f.exception(), requests.ConnectionError) for f in held)
    assert api.query(COUNT).status_code == 200  # both slots were given back


@pytest.mark.parametrize(("status", "fault_type"), [(500, "SystemFault"), (503, "SystemFault")])
def test_injected_server_errors(api: Any, control: SandboxControl, status: int,
                                fault_type: str) -> None:
    control.inject_fault(status=status, count=2, realm_id=api.realm_id, kind="api")
    answers = [api.query(COUNT) for _ in range(3)]
    assert [a.status_code for a in answers] == [status, status, 200]
    assert answers[0].json()["Fault"]["type"] == fault_type
    assert answers[0].headers["intuit_tid"]


def test_injected_429_uses_the_throttle_body(api: Any, control: SandboxControl) -> None:
    control.inject_fault(status=429, realm_id=api.realm_id, kind="read")
    throttled = api.get("customer/1")
    assert throttled.status_code == 429 and "ThrottleExceeded" in throttled.text
    assert api.get("customer/1").status_code == 200


def test_injected_slowness_delays_but_answers(api: Any, control: SandboxControl,
                                              recorded_sleeps: list[float]) -> None:
    control.inject_fault(delay_ms=300, realm_id=api.realm_id)
    response = api.query(COUNT)
    assert response.status_code == 200
    assert recorded_sleeps == [0.3]  # asked of the server inside the request, not timed


def test_token_endpoint_faults(sandbox: Any, control: SandboxControl, app: dict[str, Any],
                               api: Any) -> None:
    control.inject_fault(status=503, kind="token")
    response = requests.post(f"{sandbox.base_url}/oauth2/v1/tokens/bearer", timeout=10,
                             data={"grant_type": "refresh_token",
                                   "refresh_token": api.refresh_token},
                             auth=(app["client_id"], app["client_secret"]))
    assert response.status_code == 503


def test_an_expired_access_token_gets_401_and_a_refresh_fixes_it(
        sandbox: Any, api: Any, control: SandboxControl, app: dict[str, Any]) -> None:
    control.expire_tokens(token=api.access_token)
    expired = api.query(COUNT)
    fault = expired.json()["fault"]
    assert expired.status_code == 401
    assert fault["type"] == "AUTHENTICATION" and fault["error"][0]["code"] == "3200"
    fresh = requests.post(f"{sandbox.base_url}/oauth2/v1/tokens/bearer", timeout=10,
                          data={"grant_type": "refresh_token",
                                "refresh_token": api.refresh_token},
                          auth=(app["client_id"], app["client_secret"])).json()
    api.access_token = fresh["access_token"]
    assert api.query(COUNT).status_code == 200
    assert control.counts(api.realm_id)["token_refreshes"] == 1


def test_a_revoked_realm_gets_401_and_a_missing_token_too(api: Any,
                                                          control: SandboxControl) -> None:
    control.revoke_tokens(realm_id=api.realm_id)
    assert api.query(COUNT).status_code == 401
    anonymous = requests.get(api.url("query"), params={"query": COUNT}, timeout=10)
    assert anonymous.status_code == 401


def test_a_token_for_another_realm_gets_403(api: Any, control: SandboxControl) -> None:
    other = control.create_company()
    response = requests.get(f"{api.base_url}/v3/company/{other['realm_id']}/query",
                            params={"query": COUNT}, headers=api.headers(), timeout=10)
    assert response.status_code == 403
    assert response.json()["fault"]["error"][0]["code"] == "3100"


def test_the_request_log_records_each_call(api: Any, control: SandboxControl) -> None:
    api.post("invoice", {"Id": "1", "SyncToken": "99", "sparse": True}, requestid="req-42")
    rows = control.request_log(realm_id=api.realm_id, kind="write")
    assert rows[-1]["status"] == 400
    assert rows[-1]["requestid"] == "req-42"
    assert rows[-1]["method"] == "POST" and rows[-1]["intuit_tid"]
