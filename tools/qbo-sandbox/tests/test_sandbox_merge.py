"""A QuickBooks user merges two customers: transactions move, the old one disappears, and
webhooks say so (Merge with the old id, Update for every moved transaction)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from webhook_receiver import Receiver

from qbo_sandbox.control import ControlError, SandboxControl


@dataclass
class Books:
    """Two customers of one realm and what the source owes: ids as strings."""

    source: str
    target: str
    invoices: list[str]  # the source's
    payments: list[str]  # the source's
    target_invoice: str


def created(api: Any, resource: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(resource, body)
    assert response.status_code == 200, response.text
    return dict(response.json()[resource.capitalize()])


def a_customer(api: Any) -> str:
    return str(created(api, "customer", {"DisplayName": f"Merge {uuid.uuid4().hex[:8]}"})["Id"])


def an_invoice(api: Any, customer_id: str, amount: float) -> str:
    return str(created(api, "invoice", {
        "CustomerRef": {"value": customer_id},
        "Line": [{"Amount": amount, "DetailType": "SalesItemLineDetail",
                  "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]})["Id"])


def a_payment(api: Any, customer_id: str, amount: float, invoice_id: str | None) -> str:
    lines = [{"Amount": amount, "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}]}]
    return str(created(api, "payment", {"CustomerRef": {"value": customer_id},
                                        "TotalAmt": amount,
                                        "Line": lines if invoice_id else []})["Id"])


def books(api: Any) -> Books:
    """Source owes 100 - 40 + 60 - 25 (unapplied) = 95; target owes 30."""
    source, target = a_customer(api), a_customer(api)
    first, second = an_invoice(api, source, 100), an_invoice(api, source, 60)
    paid = a_payment(api, source, 40, first)
    credit = a_payment(api, source, 25, None)
    return Books(source, target, [first, second], [paid, credit], an_invoice(api, target, 30))


def read(api: Any, resource: str, entity_id: str) -> dict[str, Any]:
    return dict(api.get(f"{resource}/{entity_id}").json()[resource.capitalize()])


def merge_refused(control: SandboxControl, realm: str, source: str,
                  into: str | None) -> tuple[int, dict[str, Any]]:
    with pytest.raises(ControlError) as refused:
        control.change(realm, "Customer", source, operation="merge",
                       **({"into": into} if into is not None else {}))
    fault = json.loads(refused.value.body)["Fault"]
    return refused.value.status, {"type": fault["type"], **fault["Error"][0]}


def events_after_merge(control: SandboxControl, receiver: Receiver, api: Any,
                       fmt: str, merges: list[tuple[str, str]]) -> list[Any]:
    """Webhook entries of the merges alone (earlier changes are delivered first)."""
    control.update_app(api.client_id, webhook_url=receiver.url, webhook_format=fmt)
    control.flush_webhooks(wait=5)
    seen = len(receiver.received)
    for source, target in merges:
        control.merge(api.realm_id, "Customer", source, into=target)
    control.flush_webhooks(wait=5)
    bodies = [json.loads(body) for _, body in receiver.received[seen:]]
    if fmt == "classic":
        return [e for b in bodies for n in b["eventNotifications"]
                for e in n["dataChangeEvent"]["entities"]]
    return [e for b in bodies for e in b]


@pytest.fixture()
def api(api: Any, app: dict[str, Any]) -> Any:
    """The conftest client, plus the client id its webhooks are configured by."""
    api.client_id = app["client_id"]
    return api


def test_merge_moves_invoices_and_payments_and_adds_up_balances(
        api: Any, control: SandboxControl) -> None:
    b = books(api)
    before = {i: read(api, "invoice", i) for i in b.invoices}
    survivor = control.merge(api.realm_id, "Customer", b.source, into=b.target)
    name = survivor["DisplayName"]
    assert survivor["Id"] == b.target and survivor["Balance"] == 125
    assert read(api, "customer", b.target) == survivor
    for invoice_id, old in before.items():
        moved = read(api, "invoice", invoice_id)
        assert moved["CustomerRef"] == {"value": b.target, "name": name}
        assert moved["SyncToken"] == str(int(old["SyncToken"]) + 1)
        assert moved["MetaData"]["LastUpdatedTime"] >= old["MetaData"]["LastUpdatedTime"]
        assert moved["Balance"] == old["Balance"]
    for payment_id in b.payments:
        assert read(api, "payment", payment_id)["CustomerRef"]["value"] == b.target
    owned = api.query(f"SELECT * FROM Invoice WHERE CustomerRef = '{b.target}'").json()
    assert {i["Id"] for i in owned["QueryResponse"]["Invoice"]} == {*b.invoices,
                                                                    b.target_invoice}
    assert a_payment(api, b.target, 60, b.invoices[0])  # the moved invoice is the target's


def test_the_merged_away_customer_disappears_and_cdc_lists_a_stub(
        api: Any, control: SandboxControl) -> None:
    b = books(api)
    name = read(api, "customer", b.source)["DisplayName"]
    since = (datetime.now().astimezone() - timedelta(minutes=1)).replace(microsecond=0)
    control.merge(api.realm_id, "Customer", b.source, into=b.target)
    gone = api.get(f"customer/{b.source}")
    by_name = f"SELECT * FROM Customer WHERE DisplayName = '{name}' AND Active IN (true, false)"
    cdc = api.get("cdc", entities="Customer", changedSince=since.isoformat()).json()
    customers = cdc["CDCResponse"][0]["QueryResponse"][0]["Customer"]
    orphan = api.post("invoice", {"CustomerRef": {"value": b.source}, "Line": [
        {"Amount": 5, "DetailType": "SalesItemLineDetail",
         "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]})
    assert gone.status_code == 400 and gone.json()["Fault"]["Error"][0]["code"] == "610"
    assert api.query(by_name).json()["QueryResponse"] == {}
    assert [c for c in customers if c["Id"] == b.source] == [
        {"status": "Deleted", "domain": "QBO", "Id": b.source,
         "MetaData": customers[-1]["MetaData"]}]
    assert customers[-1]["Id"] == b.source  # deletions after the active objects
    assert any(c["Id"] == b.target and "status" not in c for c in customers)
    assert orphan.status_code == 400 and orphan.json()["Fault"]["Error"][0]["code"] == "610"


def test_classic_webhooks_carry_merge_with_deleted_id_and_updates(
        api: Any, control: SandboxControl, receiver: Receiver) -> None:
    b = books(api)
    entities = events_after_merge(control, receiver, api, "classic", [(b.source, b.target)])
    merges = [e for e in entities if e["operation"] == "Merge"]
    updates = {(e["name"], e["id"]) for e in entities if e["operation"] == "Update"}
    assert [(m["name"], m["id"], m["deletedId"]) for m in merges] == [
        ("Customer", b.target, b.source)]
    assert merges[0]["lastUpdated"].endswith("Z")
    assert updates == {("Invoice", i) for i in b.invoices} | {("Payment", p)
                                                               for p in b.payments}
    assert all("deletedId" not in e for e in entities if e["operation"] != "Merge")


def test_cloudevents_carry_the_old_id_in_data_deletedid(
        api: Any, control: SandboxControl, receiver: Receiver) -> None:
    b = books(api)
    events = events_after_merge(control, receiver, api, "cloudevents", [(b.source, b.target)])
    merged = [e for e in events if e["type"] == "qbo.customer.merged.v1"]
    updated = {(e["type"], e["intuitentityid"]) for e in events if e["type"] != merged[0]["type"]}
    assert [(e["intuitentityid"], e["data"]) for e in merged] == [(b.target,
                                                                   {"deletedid": b.source})]
    assert updated == ({("qbo.invoice.updated.v1", i) for i in b.invoices}
                       | {("qbo.payment.updated.v1", p) for p in b.payments})
    assert all(e["data"] == {} for e in events if e not in merged)


def test_two_merges_into_one_customer_keep_both_old_ids(
        api: Any, control: SandboxControl, receiver: Receiver) -> None:
    target, first, second = a_customer(api), a_customer(api), a_customer(api)
    entities = events_after_merge(control, receiver, api, "classic",
                                  [(first, target), (second, target)])
    assert sorted(e["deletedId"] for e in entities if e["operation"] == "Merge") == sorted(
        [first, second])


def test_merges_qbo_refuses(api: Any, control: SandboxControl) -> None:
    b = books(api)
    inactive = a_customer(api)
    control.change(api.realm_id, "Customer", inactive, Active=False)
    itself = merge_refused(control, api.realm_id, b.source, b.source)
    into_inactive = merge_refused(control, api.realm_id, b.source, inactive)
    into_missing = merge_refused(control, api.realm_id, b.source, "999999")
    without_target = merge_refused(control, api.realm_id, b.source, None)
    assert itself[0] == 400 and (itself[1]["type"], itself[1]["code"]) == ("ValidationFault",
                                                                           "6000")
    for status, error in (into_inactive, into_missing):
        assert status == 400 and (error["type"], error["code"]) == ("ValidationFault", "610")
        assert error["Message"] == "Object Not Found"
    assert without_target[1]["code"] == "2020"
    assert read(api, "invoice", b.invoices[0])["CustomerRef"]["value"] == b.source
    control.merge(api.realm_id, "Customer", b.source, into=b.target)
    again = merge_refused(control, api.realm_id, b.source, b.target)
    assert again[1]["code"] == "610"
    with pytest.raises(ControlError) as invoice_merge:
        control.merge(api.realm_id, "Invoice", b.invoices[0], into=b.invoices[1])
    assert json.loads(invoice_merge.value.body)["Fault"]["Error"][0]["code"] == "500"
