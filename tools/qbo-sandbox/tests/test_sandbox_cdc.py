"""Change Data Capture: changes since a time, deletions as stubs after active objects."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from qbo_sandbox.control import SandboxControl


def since(seconds_ago: float) -> str:
    moment = datetime.now().astimezone() - timedelta(seconds=seconds_ago)
    return moment.replace(microsecond=0).isoformat()


def test_cdc_lists_changes_grouped_per_entity_with_deletions_last(
        api: Any, control: SandboxControl) -> None:
    start = since(1)  # MetaData times have second precision: every change below is after it
    customers = api.query("SELECT * FROM Customer MAXRESULTS 2").json()["QueryResponse"]
    first, second = customers["Customer"]
    control.change(api.realm_id, "Customer", first["Id"], Notes="changed")
    invoice = control.change(api.realm_id, "Invoice", operation="create",
                             CustomerRef={"value": second["Id"]},
                             Line=[{"Amount": 10, "DetailType": "SalesItemLineDetail",
                                    "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}])
    doomed = control.change(api.realm_id, "Invoice", operation="create",
                            CustomerRef={"value": second["Id"]},
                            Line=[{"Amount": 5, "DetailType": "SalesItemLineDetail",
                                   "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}])
    control.change(api.realm_id, "Invoice", doomed["Id"], operation="delete")
    response = api.get("cdc", entities="Customer,Invoice,Payment", changedSince=start)
    assert response.status_code == 200, response.text
    groups = response.json()["CDCResponse"][0]["QueryResponse"]
    assert [g.get("Customer") is not None for g in groups] == [True, False, False]
    assert [c["Id"] for c in groups[0]["Customer"]] == [first["Id"]]
    invoices = groups[1]["Invoice"]
    assert [i["Id"] for i in invoices] == [invoice["Id"], doomed["Id"]]
    assert invoices[-1] == {"status": "Deleted", "domain": "QBO", "Id": doomed["Id"],
                            "MetaData": invoices[-1]["MetaData"]}
    assert "Payment" not in groups[2] and groups[2]["maxResults"] == 0


def test_cdc_more_than_30_days_back_is_refused(api: Any) -> None:
    response = api.get("cdc", entities="Invoice", changedSince=since(31 * 86400))
    assert response.status_code == 400
    assert "older than fixed days" in response.json()["Fault"]["Error"][0]["Detail"]


def test_cdc_caps_a_response_at_1000_objects(api: Any, control: SandboxControl) -> None:
    control.set_limits(requests_per_minute=5000, realm_id=api.realm_id)  # 35 x 30 batch items
    start = since(1)
    batch = [{"bId": str(n), "operation": "create",
              "Customer": {"DisplayName": f"Bulk {api.realm_id} {n}"}} for n in range(30)]
    for _ in range(35):
        assert api.post("batch", {"BatchItemRequest": batch}).status_code == 200
        batch = [{**item, "Customer": {"DisplayName": item["Customer"]["DisplayName"] + "x"}}
                 for item in batch]
    groups = api.get("cdc", entities="Customer", changedSince=start).json()
    rows = groups["CDCResponse"][0]["QueryResponse"][0]["Customer"]
    assert len(rows) == 1000
