"""Intuit's 10 requests/second per realm, on top of 500/minute and 10 concurrent."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from qbo_sandbox.control import SandboxControl
from qbo_sandbox.testing import SandboxHandle, running_sandbox
from qbo_sandbox.throttle import Limits, Throttle

COUNT = "SELECT COUNT(*) FROM Customer"


def burst(api: Any, count: int) -> tuple[list[int], float]:
    """`count` back-to-back queries: their statuses and how long the burst took."""
    started = time.monotonic()
    statuses = [api.query(COUNT).status_code for _ in range(count)]
    return statuses, time.monotonic() - started


def connected(handle: SandboxHandle) -> tuple[str, dict[str, str]]:
    """A fresh company and a token on it, on a sandbox of the test's own."""
    app = handle.control.register_app()
    realm = handle.control.create_company(customers=3)["realm_id"]
    token = handle.control.connect(app["client_id"], realm)["access_token"]
    return realm, {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def test_the_eleventh_request_within_a_second_gets_intuits_429(
        api: Any, control: SandboxControl) -> None:
    control.set_limits(requests_per_second=10, realm_id=api.realm_id)
    statuses, elapsed = burst(api, 12)
    refused = api.query(COUNT)
    assert elapsed < 1.0, "the burst must fit in one second for this test to mean anything"
    assert statuses == [200] * 10 + [429] * 2
    assert refused.status_code == 429
    assert refused.headers["Content-Type"].startswith("application/xml")
    assert 'code="3001"' in refused.text and "ThrottleExceeded" in refused.text


def test_the_window_slides_and_refused_requests_do_not_count(
        api: Any, control: SandboxControl) -> None:
    control.set_limits(requests_per_second=4, realm_id=api.realm_id)
    first, _ = burst(api, 6)
    time.sleep(1.05)
    second, elapsed = burst(api, 5)
    assert first == [200] * 4 + [429] * 2
    assert elapsed < 1.0
    assert second == [200] * 4 + [429]


def test_a_batch_is_one_request_per_second_but_each_item_counts_per_minute(
        api: Any, control: SandboxControl) -> None:
    control.set_limits(requests_per_second=2, requests_per_minute=31, realm_id=api.realm_id)
    items = [{"bId": str(n), "Query": "select * from Term"} for n in range(30)]
    batch = api.post("batch", {"BatchItemRequest": items})
    statuses, _ = burst(api, 2)
    time.sleep(1.05)
    minute_full = api.query(COUNT)
    assert batch.status_code == 200
    assert len(batch.json()["BatchItemResponse"]) == 30
    assert statuses == [200, 429]  # the batch took 1 of the 2 slots of this second
    assert minute_full.status_code == 429  # 30 items + 1 query: the minute is used up


def test_the_per_second_limit_is_per_realm(api: Any, control: SandboxControl,
                                           app: dict[str, Any]) -> None:
    other = control.create_company(customers=2)["realm_id"]
    other_token = control.connect(app["client_id"], other)["access_token"]
    for realm in (api.realm_id, other):
        control.set_limits(requests_per_second=3, realm_id=realm)
    mine, _ = burst(api, 4)
    theirs = [requests.get(f"{api.base_url}/v3/company/{other}/query", timeout=10,
                           params={"query": COUNT},
                           headers={"Authorization": f"Bearer {other_token}",
                                    "Accept": "application/json"}).status_code
              for _ in range(4)]
    assert mine == theirs == [200, 200, 200, 429]


def test_limits_endpoint_reports_and_keeps_the_per_second_limit(
        api: Any, control: SandboxControl) -> None:
    control.set_limits(requests_per_second=7, realm_id=api.realm_id)
    answer = control.set_limits(requests_per_minute=300, realm_id=api.realm_id)
    assert answer["realms"][api.realm_id] == {"requests_per_minute": 300,
                                              "concurrent_requests": 10,
                                              "requests_per_second": 7,
                                              "batch_requests_per_minute": 120,
                                              "batch_requests_per_minute_app": 40}


def test_by_default_a_realm_gets_10_requests_per_second() -> None:
    with running_sandbox() as handle:
        realm, headers = connected(handle)
        url = f"{handle.base_url}/v3/company/{realm}/query"
        started = time.monotonic()
        statuses = [requests.get(url, params={"query": COUNT}, headers=headers,
                                 timeout=10).status_code for _ in range(11)]
        elapsed = time.monotonic() - started
        limits = requests.get(f"{handle.base_url}/_sandbox/limits", timeout=10).json()
    assert limits["default"]["requests_per_second"] == 10
    assert elapsed < 1.0
    assert statuses == [200] * 10 + [429]


def test_the_cli_option_sets_the_per_second_limit() -> None:
    with running_sandbox(in_subprocess=True, requests_per_second=3) as handle:
        realm, headers = connected(handle)
        url = f"{handle.base_url}/v3/company/{realm}/query"
        statuses = [requests.get(url, params={"query": COUNT}, headers=headers,
                                 timeout=10).status_code for _ in range(4)]
        limits = requests.get(f"{handle.base_url}/_sandbox/limits", timeout=10).json()
    assert statuses == [200, 200, 200, 429]
    assert limits["default"]["requests_per_second"] == 3


def test_per_second_and_concurrency_are_per_app_and_batches_per_minute_limited(
        sandbox: Any, control: SandboxControl, api: Any) -> None:
    control.set_limits(requests_per_second=2, batch_requests_per_minute_app=2,
                       batch_requests_per_minute=3, realm_id=api.realm_id)
    other_app = control.register_app(redirect_uris=["http://127.0.0.1:9/cb"])
    other = control.connect(other_app["client_id"], api.realm_id)["access_token"]
    other_headers = {"Authorization": f"Bearer {other}", "Accept": "application/json"}
    count = {"query": "SELECT COUNT(*) FROM Customer"}
    first = [api.get("query", **count).status_code for _ in range(3)]
    second_app = requests.get(api.url("query"), params=count, headers=other_headers,
                              timeout=10).status_code
    assert first[:2] == [200, 200] and second_app == 200  # its own 2 per second
    batch = {"BatchItemRequest": [{"bId": "1", "Query": "SELECT * FROM Term"}]}
    control.set_limits(requests_per_second=100, realm_id=api.realm_id)
    mine = [api.post("batch", batch).status_code for _ in range(3)]
    theirs = [requests.post(api.url("batch"), json=batch, headers=other_headers,
                            timeout=10).status_code for _ in range(2)]
    assert mine == [200, 200, 429]  # 2 batch requests a minute per realm and app
    assert theirs == [200, 429]  # 3 a minute for the realm, whichever app


@pytest.mark.parametrize(("count_refused", "fifth"), [(False, True), (True, False)])
def test_refused_requests_count_in_the_window_only_when_asked(count_refused: bool,
                                                              fifth: bool) -> None:
    throttle = Throttle(Limits(requests_per_minute=3), count_refused=count_refused)
    admitted = []
    for _ in range(4):
        admitted.append(throttle.acquire("r"))
        throttle.release("r")
    assert admitted == [True, True, True, False]
    throttle.default = Limits(requests_per_minute=4)  # same window, one more allowed
    assert throttle.acquire("r") is fifth  # the refused 4th took the slot when counted
