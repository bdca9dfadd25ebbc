"""Batch items run in order, but none of them sees what an earlier item of the batch created.

Ids are sequential, so a client can guess the id an earlier item will get; each test makes
one object through the API first, and the batch's first create gets the next id.
"""

from __future__ import annotations

import uuid
from typing import Any

import requests


def created(api: Any, resource: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(resource, body)
    assert response.status_code == 200, response.text
    return dict(response.json()[resource.capitalize()])


def a_customer_body() -> dict[str, Any]:
    return {"DisplayName": f"Batch {uuid.uuid4().hex[:8]}"}


def an_invoice_body(customer_id: str, amount: float = 80.0) -> dict[str, Any]:
    return {"CustomerRef": {"value": customer_id},
            "Line": [{"Amount": amount, "DetailType": "SalesItemLineDetail",
                      "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]}


def a_payment_body(customer_id: str, invoice_id: str, amount: float) -> dict[str, Any]:
    return {"CustomerRef": {"value": customer_id}, "TotalAmt": amount,
            "Line": [{"Amount": amount,
                      "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}]}]}


def next_id(entity: dict[str, Any]) -> str:
    return str(int(entity["Id"]) + 1)


def run_batch(api: Any, *items: dict[str, Any]) -> tuple[requests.Response, dict[str, Any]]:
    response = api.post("batch", {"BatchItemRequest": list(items)})
    return response, {item["bId"]: item for item in response.json()["BatchItemResponse"]}


def object_not_found(item: dict[str, Any]) -> bool:
    error = item["Fault"]["Error"][0]
    return (item["Fault"]["type"] == "ValidationFault" and error["code"] == "610"
            and error["Message"] == "Object Not Found")


def test_an_invoice_cannot_use_a_customer_created_earlier_in_the_batch(api: Any) -> None:
    guessed = next_id(created(api, "customer", a_customer_body()))
    response, items = run_batch(
        api,
        {"bId": "customer", "operation": "create", "Customer": a_customer_body()},
        {"bId": "invoice", "operation": "create", "Invoice": an_invoice_body(guessed)},
        {"bId": "after", "operation": "create", "Customer": a_customer_body()})
    assert response.status_code == 200
    assert items["customer"]["Customer"]["Id"] == guessed
    assert object_not_found(items["invoice"]) and "Invoice" not in items["invoice"]
    assert f"Customer Id {guessed}" in items["invoice"]["Fault"]["Error"][0]["Detail"]
    assert items["after"]["Customer"]["Id"] == next_id(items["customer"]["Customer"])
    assert created(api, "invoice", an_invoice_body(guessed))["CustomerRef"]["value"] == guessed


def test_a_payment_cannot_pay_an_invoice_created_earlier_in_the_batch(api: Any) -> None:
    customer = created(api, "customer", a_customer_body())
    earlier = created(api, "invoice", an_invoice_body(customer["Id"], 50))
    guessed = next_id(earlier)
    response, items = run_batch(
        api,
        {"bId": "invoice", "operation": "create", "Invoice": an_invoice_body(customer["Id"])},
        {"bId": "pays-new", "operation": "create",
         "Payment": a_payment_body(customer["Id"], guessed, 80)},
        {"bId": "pays-old", "operation": "create",
         "Payment": a_payment_body(customer["Id"], earlier["Id"], 50)})
    assert response.status_code == 200
    assert items["invoice"]["Invoice"]["Id"] == guessed
    assert object_not_found(items["pays-new"])
    assert f"Invoice Id {guessed}" in items["pays-new"]["Fault"]["Error"][0]["Detail"]
    assert items["pays-old"]["Payment"]["UnappliedAmt"] == 0
    untouched = api.get(f"invoice/{guessed}").json()["Invoice"]
    assert untouched["Balance"] == 80 and "LinkedTxn" not in untouched
    assert api.get(f"invoice/{earlier['Id']}").json()["Invoice"]["Balance"] == 0


def test_updates_deletes_and_voids_of_objects_created_in_the_batch_fail(api: Any) -> None:
    customer = created(api, "customer", a_customer_body())
    invoice = created(api, "invoice", an_invoice_body(customer["Id"]))
    new_customer, new_invoice = next_id(customer), next_id(invoice)
    same_invoice = {"Id": new_invoice, "SyncToken": "0"}
    response, items = run_batch(
        api,
        {"bId": "c", "operation": "create", "Customer": a_customer_body()},
        {"bId": "i", "operation": "create", "Invoice": an_invoice_body(customer["Id"])},
        {"bId": "c-update", "operation": "update",
         "Customer": {"Id": new_customer, "SyncToken": "0", "sparse": True, "Notes": "x"}},
        {"bId": "i-update", "operation": "update",
         "Invoice": {**same_invoice, "sparse": True, "DueDate": "2031-01-01"}},
        {"bId": "i-void", "operation": "update", "optionsData": "void", "Invoice": same_invoice},
        {"bId": "i-delete", "operation": "delete", "Invoice": same_invoice},
        {"bId": "old-update", "operation": "update",
         "Invoice": {"Id": invoice["Id"], "SyncToken": "0", "sparse": True,
                     "DueDate": "2031-01-01"}})
    assert response.status_code == 200
    assert [items["c"]["Customer"]["Id"], items["i"]["Invoice"]["Id"]] == [new_customer,
                                                                           new_invoice]
    assert all(object_not_found(items[b]) for b in ("c-update", "i-update", "i-void",
                                                    "i-delete"))
    assert items["old-update"]["Invoice"]["DueDate"] == "2031-01-01"
    stored = api.get(f"invoice/{new_invoice}").json()["Invoice"]
    assert stored["SyncToken"] == "0" and stored["TotalAmt"] == 80
    assert api.get(f"customer/{new_customer}").json()["Customer"]["SyncToken"] == "0"


def test_a_query_item_does_not_see_objects_created_earlier_in_the_batch(api: Any) -> None:
    body = a_customer_body()
    count = "SELECT COUNT(*) FROM Customer"
    before = api.query(count).json()["QueryResponse"]["totalCount"]
    by_name = f"SELECT * FROM Customer WHERE DisplayName = '{body['DisplayName']}'"
    response, items = run_batch(
        api,
        {"bId": "create", "operation": "create", "Customer": body},
        {"bId": "find", "Query": by_name},
        {"bId": "count", "Query": count})
    assert response.status_code == 200
    assert items["create"]["Customer"]["DisplayName"] == body["DisplayName"]
    assert items["find"]["QueryResponse"] == {}
    assert items["count"]["QueryResponse"]["totalCount"] == before
    found = api.query(by_name).json()["QueryResponse"]["Customer"]
    assert [c["Id"] for c in found] == [items["create"]["Customer"]["Id"]]
