"""Creates, sparse/full updates, SyncToken concurrency, payments and balances, requestid, batch."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from qbo_sandbox.control import SandboxControl


def a_customer(api: Any) -> dict[str, Any]:
    rows = api.query("SELECT * FROM Customer MAXRESULTS 1").json()["QueryResponse"]["Customer"]
    return rows[0]


def an_invoice_body(customer_id: str, amount: float = 120.0) -> dict[str, Any]:
    return {"CustomerRef": {"value": customer_id},
            "Line": [{"Amount": amount, "DetailType": "SalesItemLineDetail",
                      "Description": "Consulting",
                      "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1,
                                              "UnitPrice": amount}}]}


def create_invoice(api: Any, customer_id: str, amount: float = 120.0) -> dict[str, Any]:
    response = api.post("invoice", an_invoice_body(customer_id, amount), minorversion=75)
    assert response.status_code == 200, response.text
    return response.json()["Invoice"]


def customer_balance(api: Any, customer_id: str) -> float:
    return api.get(f"customer/{customer_id}").json()["Customer"]["Balance"]


def test_created_invoice_has_intuit_formats(api: Any) -> None:
    customer = a_customer(api)
    invoice = create_invoice(api, customer["Id"], 99.5)
    assert invoice["SyncToken"] == "0" and isinstance(invoice["Id"], str)
    assert invoice["TotalAmt"] == 99.5 and invoice["Balance"] == 99.5
    assert len(invoice["TxnDate"]) == 10
    created = datetime.fromisoformat(invoice["MetaData"]["CreateTime"])
    assert invoice["MetaData"]["CreateTime"][-6:] == \
        created.astimezone(ZoneInfo("America/Los_Angeles")).isoformat()[-6:]  # Pacific
    assert invoice["Line"][-1]["DetailType"] == "SubTotalLineDetail"
    read = api.get(f"invoice/{invoice['Id']}").json()["Invoice"]
    assert read == invoice


def test_update_with_a_stale_sync_token_is_rejected_with_5010(api: Any) -> None:
    invoice = create_invoice(api, a_customer(api)["Id"])
    first = api.post("invoice", {"Id": invoice["Id"], "SyncToken": "0", "sparse": True,
                                 "DueDate": "2030-01-31"})
    stale = api.post("invoice", {"Id": invoice["Id"], "SyncToken": "0", "sparse": True,
                                 "DueDate": "2030-02-28"})
    assert first.status_code == 200
    assert first.json()["Invoice"]["SyncToken"] == "1"
    assert first.json()["Invoice"]["DueDate"] == "2030-01-31"
    assert stale.status_code == 400
    error = stale.json()["Fault"]["Error"][0]
    assert error["code"] == "5010" and error["Message"] == "Stale Object Error"


def test_full_update_clears_omitted_fields(api: Any) -> None:
    customer = a_customer(api)
    invoice = create_invoice(api, customer["Id"])
    body = {**an_invoice_body(customer["Id"], 50), "Id": invoice["Id"], "SyncToken": "0"}
    updated = api.post("invoice", body).json()["Invoice"]
    assert updated["TotalAmt"] == 50 and updated["Balance"] == 50
    assert "SalesTermRef" not in updated


def test_payment_updates_invoice_and_customer_balances(api: Any) -> None:
    customer = a_customer(api)
    before = customer_balance(api, customer["Id"])
    invoice = create_invoice(api, customer["Id"], 200)
    payment = api.post("payment", {
        "CustomerRef": {"value": customer["Id"]}, "TotalAmt": 150,
        "Line": [{"Amount": 150, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
    }).json()["Payment"]
    paid = api.get(f"invoice/{invoice['Id']}").json()["Invoice"]
    assert paid["Balance"] == 50 and paid["SyncToken"] == "1"
    assert {"TxnId": payment["Id"], "TxnType": "Payment"} in paid["LinkedTxn"]
    assert customer_balance(api, customer["Id"]) == round(before + 50, 2)
    deleted = api.post("payment", {"Id": payment["Id"], "SyncToken": payment["SyncToken"]},
                       operation="delete").json()["Payment"]
    reopened = api.get(f"invoice/{invoice['Id']}").json()["Invoice"]
    assert deleted["status"] == "Deleted"
    assert reopened["Balance"] == 200 and "LinkedTxn" not in reopened
    assert customer_balance(api, customer["Id"]) == round(before + 200, 2)
    gone = api.get(f"payment/{payment['Id']}")
    assert gone.status_code == 400 and gone.json()["Fault"]["Error"][0]["code"] == "610"


def test_overpaying_an_invoice_is_a_business_error_and_changes_nothing(api: Any) -> None:
    customer = a_customer(api)
    invoice = create_invoice(api, customer["Id"], 10)
    response = api.post("payment", {
        "CustomerRef": {"value": customer["Id"]}, "TotalAmt": 20,
        "Line": [{"Amount": 20, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}]})
    assert response.status_code == 400
    assert response.json()["Fault"]["Error"][0]["code"] == "6000"
    assert api.get(f"invoice/{invoice['Id']}").json()["Invoice"]["SyncToken"] == "0"


def test_void_invoice_zeroes_amounts(api: Any) -> None:
    customer = a_customer(api)
    before = customer_balance(api, customer["Id"])
    invoice = create_invoice(api, customer["Id"], 75)
    voided = api.post("invoice", {"Id": invoice["Id"], "SyncToken": "0"},
                      operation="void").json()["Invoice"]
    assert voided["TotalAmt"] == 0 and voided["Balance"] == 0
    assert voided["PrivateNote"] == "Voided" and voided["SyncToken"] == "1"
    assert customer_balance(api, customer["Id"]) == before


def test_customer_deactivation_and_duplicate_names(api: Any) -> None:
    created = api.post("customer", {"DisplayName": f"Dup {uuid.uuid4().hex[:6]}"}).json()
    customer = created["Customer"]
    duplicate = api.post("customer", {"DisplayName": customer["DisplayName"]})
    inactive = api.post("customer", {"Id": customer["Id"], "SyncToken": customer["SyncToken"],
                                     "sparse": True, "Active": False}).json()["Customer"]
    assert duplicate.status_code == 400
    assert duplicate.json()["Fault"]["Error"][0]["code"] == "6240"
    assert inactive["Active"] is False and inactive["SyncToken"] == "1"


def test_requestid_replay_returns_the_first_result_and_creates_once(api: Any) -> None:
    customer = a_customer(api)
    count = "SELECT COUNT(*) FROM Invoice"
    before = api.query(count).json()["QueryResponse"]["totalCount"]
    request_id = str(uuid.uuid4())
    first = api.post("invoice", an_invoice_body(customer["Id"]), requestid=request_id)
    second = api.post("invoice", an_invoice_body(customer["Id"]), requestid=request_id)
    after = api.query(count).json()["QueryResponse"]["totalCount"]
    assert first.status_code == second.status_code == 200
    assert first.json()["Invoice"]["Id"] == second.json()["Invoice"]["Id"]
    assert after == before + 1


def test_batch_runs_items_and_reports_faults_per_item(api: Any) -> None:
    customer = a_customer(api)
    invoice = create_invoice(api, customer["Id"])
    response = api.post("batch", {"BatchItemRequest": [
        {"bId": "b1", "operation": "create", "Customer": {"DisplayName": uuid.uuid4().hex}},
        {"bId": "b2", "operation": "update",
         "Invoice": {"Id": invoice["Id"], "SyncToken": "7", "sparse": True}},
        {"bId": "b3", "operation": "update", "optionsData": "void",
         "Invoice": {"Id": invoice["Id"], "SyncToken": "0"}},
        {"bId": "b4", "Query": "select * from Term"}]})
    items = {item["bId"]: item for item in response.json()["BatchItemResponse"]}
    assert response.status_code == 200
    assert items["b1"]["Customer"]["Id"]
    assert items["b2"]["Fault"]["Error"][0]["code"] == "5010"
    assert items["b3"]["Invoice"]["PrivateNote"] == "Voided"
    assert items["b4"]["QueryResponse"]["Term"]


def test_a_batch_over_30_items_is_refused(api: Any) -> None:
    items = [{"bId": str(n), "Query": "select * from Term"} for n in range(31)]
    response = api.post("batch", {"BatchItemRequest": items})
    assert response.status_code == 400
    assert response.json()["Fault"]["type"] == "ValidationFault"


def test_user_changes_through_the_control_api(api: Any, control: SandboxControl) -> None:
    customer = a_customer(api)
    invoice = create_invoice(api, customer["Id"])
    changed = control.change(api.realm_id, "Invoice", invoice["Id"], DueDate="2031-01-01")
    assert changed["SyncToken"] == "1" and changed["DueDate"] == "2031-01-01"
    sent = control.change(api.realm_id, "Invoice", invoice["Id"], operation="send",
                          send_to="someone@example.com")
    assert sent["EmailStatus"] == "EmailSent"
