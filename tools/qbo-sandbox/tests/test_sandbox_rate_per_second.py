"""Intuit's 10 requests/second per realm, on top of 500/minute and 10 concurrent.

The throttle runs on a clock the test moves (`throttle_clock`): a burst is inside one
second however slow the machine, and the window is crossed by advancing the clock, never
by sleeping (issue 9).
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from clocks import ManualClock

from qbo_sandbox.control import SandboxControl
from qbo_sandbox.testing import SandboxHandle, running_sandbox
from qbo_sandbox.throttle import Limits, Throttle

COUNT = "SELECT COUNT(*) FROM Customer"


def burst(api: Any, count: int) -> list[int]:
    """The statuses of `count` back-to-back queries."""
    return [api.query(COUNT).status_code for _ in range(count)]


def connected(handle: SandboxHandle) -> tuple[str, dict[str, str]]:
    """A fresh company and a token on it, on a sandbox of the test's own."""
    app = handle.control.register_app()
    realm = handle.control.create_company(customers=3)["realm_id"]
    token = handle.control.connect(app["client_id"], realm)["access_token"]
    return realm, {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def test_the_eleventh_request_within_a_second_gets_intuits_429(
        api: Any, control: SandboxControl, throttle_clock: ManualClock) -> None:
    control.set_limits(requests_per_second=10, realm_id=api.realm_id)
    statuses = burst(api, 12)
    refused = api.query(COUNT)
    assert statuses == [200] * 10 + [429] * 2
    assert refused.status_code == 429
    assert refused.headers["Content-Type"].startswith("application/xml")
    assert 'code="3001"' in refused.text and "ThrottleExceeded" in refused.text


def test_the_window_slides_and_refused_requests_do_not_count(
        api: Any, control: SandboxControl, throttle_clock: ManualClock) -> None:
    control.set_limits(requests_per_second=4, realm_id=api.realm_id)
    first = burst(api, 6)
    throttle_clock.advance(1.05)
    second = burst(api, 5)
    assert first == [200] * 4 + [429] * 2
    assert second == [200] * 4 + [429]


def test_a_batch_is_one_request_per_second_but_each_item_counts_per_minute(
        api: Any, control: SandboxControl, throttle_clock: ManualClock) -> None:
    control.set_limits(requests_per_second=2, requests_per_minute=31, realm_id=api.realm_id)
    items = [{"bId": str(n), "Query": "select * from Term"} for n in range(30)]
    batch = api.post("batch", {"BatchItemRequest": items})
    statuses = burst(api, 2)
    throttle_clock.advance(1.05)
    minute_full = api.query(COUNT)
    assert batch.status_code == 200
    assert len(batch.json()["BatchItemResponse"]) == 30
    assert statuses == [200, 429]  # the batch took 1 of the 2 slots of this second
    assert minute_full.status_code == 429  # 30 items + 1 query: the minute is used up


def test_the_per_second_limit_is_per_realm(api: Any, control: SandboxControl,
                                           app: dict[str, Any],
                                           throttle_clock: ManualClock) -> None:
    other = control.create_company(customers=2)["realm_id"]
    other_token = control.connect(app["client_id"], other)["access_token"]
    for realm in (api.realm_id, other):
        control.set_limits(requests_per_second=3, realm_id=realm)
    mine = burst(api, 4)
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
        assert handle.server is not None
        handle.server.sandbox.throttle.clock = ManualClock()  # the 11 requests: one second
        realm, headers = connected(handle)
        url = f"{handle.base_url}/v3/company/{realm}/query"
        statuses = [requests.get(url, params={"query": COUNT}, headers=headers,
                                 timeout=10).status_code for _ in range(11)]
        limits = requests.get(f"{handle.base_url}/_sandbox/limits", timeout=10).json()
    assert limits["default"]["requests_per_second"] == 10
    assert statuses == [200] * 10 + [429]


def test_the_cli_option_sets_the_per_second_limit() -> None:
    """The option reaches the subprocess's throttle (whose clock a test cannot move: the
    limit's effect is proven on the in-process server above, not by racing a second)."""
    with running_sandbox(in_subprocess=True, requests_per_second=3) as handle:
        limits = requests.get(f"{handle.base_url}/_sandbox/limits", timeout=10).json()
    assert limits["default"]["requests_per_second"] == 3


def test_per_second_and_concurrency_are_per_app_and_batches_per_minute_limited(
        sandbox: Any, control: SandboxControl, api: Any, throttle_clock: ManualClock) -> None:
    control.set_limits(requests_per_second=2, batch_requests_per_minute_app=2,
                       batch_requests_per_minute=3, realm_id=api.realm_id)
    other_app = control.register_app(redirect_uris=["http://127.0.0.1:9/cb"])
    other = control.connect(other_app["client_id"], api.realm_id)["access_token"]
    other_headers = {"Authorization": f"Bearer {other}", "Accept": "application/json"}
    count = {"query": "SELECT COUNT(*) FROM Customer"}
    first = [api.get("query", **count).status_code for _ in range(3)]
    second_app = requests.get(api.url("query"), params=count, headers=other_headers,
                              timeout=10).status_code
    assert first == [200, 200, 429] and second_app == 200  # its own 2 per second
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
