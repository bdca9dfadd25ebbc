"""Faults that apply a write and lose its answer: the client cannot know the outcome.

A retry without `requestid` creates a duplicate (as in QBO); with the same `requestid` it
gets the original answer and nothing is created twice.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from qbo_sandbox.control import SandboxControl

COUNT = "SELECT COUNT(*) FROM Invoice"


def _invoice_body() -> dict[str, Any]:
    return {"CustomerRef": {"value": "2"}, "Line": [{
        "DetailType": "SalesItemLineDetail", "Amount": 30.0,
        "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1, "UnitPrice": 30.0}}]}


def _invoice_count(api: Any) -> int:
    return int(api.query(COUNT).json()["QueryResponse"]["totalCount"])


def test_a_dropped_connection_after_the_write_still_created_the_invoice(
        api: Any, control: SandboxControl) -> None:
    before = _invoice_count(api)
    control.inject_fault(drop=True, when="after", realm_id=api.realm_id, kind="write")
    with pytest.raises(requests.ConnectionError):
        api.post("invoice", _invoice_body())
    assert _invoice_count(api) == before + 1
    row = control.request_log(realm_id=api.realm_id, kind="write")[-1]
    assert row["dropped"] is True


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_after_the_write_still_created_the_payment(
        api: Any, control: SandboxControl, status: int) -> None:
    before = api.query("SELECT COUNT(*) FROM Payment").json()["QueryResponse"]["totalCount"]
    control.inject_fault(status=status, when="after", realm_id=api.realm_id, kind="write")
    answer = api.post("payment", {"CustomerRef": {"value": "2"}, "TotalAmt": 5.0})
    assert answer.status_code == status
    after = api.query("SELECT COUNT(*) FROM Payment").json()["QueryResponse"]["totalCount"]
    assert after == before + 1


def test_a_retry_without_requestid_duplicates_and_with_requestid_does_not(
        api: Any, control: SandboxControl) -> None:
    before = _invoice_count(api)
    control.inject_fault(drop=True, when="after", realm_id=api.realm_id, kind="write",
                         count=2)
    for _ in range(2):
        with pytest.raises(requests.ConnectionError):
            api.post("invoice", _invoice_body(), requestid="lost-1")
    retried = api.post("invoice", _invoice_body(), requestid="lost-1")
    assert retried.status_code == 200
    assert _invoice_count(api) == before + 1
    assert retried.json()["Invoice"]["TotalAmt"] == 30.0


def test_a_dropped_connection_before_the_request_changes_nothing(
        api: Any, control: SandboxControl) -> None:
    before = _invoice_count(api)
    control.inject_fault(drop=True, realm_id=api.realm_id, kind="write")
    with pytest.raises(requests.ConnectionError):
        api.post("invoice", _invoice_body())
    assert _invoice_count(api) == before


def test_bad_fault_shapes_are_refused(control: SandboxControl, sandbox: Any) -> None:
    for body in ({"when": "after"}, {"status": 500, "drop": True}, {"when": "later",
                                                                      "status": 500}):
        answer = requests.post(f"{sandbox.base_url}/_sandbox/faults", json=body, timeout=10)
        assert answer.status_code == 400, body
