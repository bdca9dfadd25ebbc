"""PaymentMethod (query, read, create, deactivate), PaymentMethodRef on payments, and the
Item fields client libraries read; through HTTP and through unmodified python-quickbooks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

quickbooks = pytest.importorskip("quickbooks")


def test_every_company_has_payment_methods_and_payments_name_them(api: Any) -> None:
    methods = api.query("SELECT * FROM PaymentMethod").json()["QueryResponse"]["PaymentMethod"]
    names = {m["Name"]: m for m in methods}
    assert {"Cash", "Check", "Credit Card", "ACH"} <= set(names)
    assert names["Credit Card"]["Type"] == "CREDIT_CARD"
    assert names["Cash"]["Type"] == "NON_CREDIT_CARD"
    read = api.get(f"paymentmethod/{names['Check']['Id']}").json()["PaymentMethod"]
    assert read == names["Check"]
    payments = api.query("SELECT * FROM Payment MAXRESULTS 1000").json()["QueryResponse"]
    refs = [p["PaymentMethodRef"]["value"] for p in payments["Payment"]]
    assert len(refs) == len(payments["Payment"])
    assert set(refs) <= {m["Id"] for m in methods}


def test_create_rename_and_deactivate_a_payment_method(api: Any) -> None:
    created = api.post("paymentmethod", {"Name": "Venmo", "Type": "NON_CREDIT_CARD"})
    method = created.json()["PaymentMethod"]
    assert created.status_code == 200 and method["SyncToken"] == "0"
    duplicate = api.post("paymentmethod", {"Name": "venmo"})
    assert duplicate.json()["Fault"]["Error"][0]["code"] == "6240"
    assert api.post("paymentmethod", {"Name": "x" * 32}).status_code == 400
    assert api.post("paymentmethod", {"Type": "CREDIT_CARD"}).status_code == 400
    off = api.post("paymentmethod", {"Id": method["Id"], "SyncToken": "0", "sparse": True,
                                     "Active": False}).json()["PaymentMethod"]
    assert off["Active"] is False and off["SyncToken"] == "1"
    active = api.query("SELECT * FROM PaymentMethod WHERE Name = 'Venmo'").json()
    assert active["QueryResponse"] == {}
    both = api.query("SELECT * FROM PaymentMethod WHERE Active IN (true, false) "
                     "AND Name = 'Venmo'").json()["QueryResponse"]["PaymentMethod"]
    assert [m["Id"] for m in both] == [method["Id"]]
    refused = api.post("payment", {"CustomerRef": {"value": "2"}, "TotalAmt": 1.0,
                                   "PaymentMethodRef": {"value": method["Id"]}})
    assert refused.json()["Fault"]["Error"][0]["code"] == "610"


def test_a_payment_keeps_the_payment_method_id_only(api: Any) -> None:
    created = api.post("payment", {"CustomerRef": {"value": "2"}, "TotalAmt": 12.5,
                                   "PaymentMethodRef": {"value": "2", "name": "Cheque?"}})
    assert created.json()["Payment"]["PaymentMethodRef"] == {"value": "2"}
    missing = api.post("payment", {"CustomerRef": {"value": "2"}, "TotalAmt": 1.0,
                                   "PaymentMethodRef": {"value": "999"}})
    assert missing.status_code == 400


def test_payment_methods_and_items_through_python_quickbooks(qb: Any) -> None:
    from quickbooks.objects.item import Item
    from quickbooks.objects.payment import Payment
    from quickbooks.objects.paymentmethod import PaymentMethod

    methods = PaymentMethod.all(qb=qb)
    assert "ACH" in [m.Name for m in methods]
    ach = PaymentMethod.filter(Name="ACH", qb=qb)[0]
    assert PaymentMethod.get(ach.Id, qb=qb).Name == "ACH"
    new = PaymentMethod()
    new.Name = "Zelle"
    new.save(qb=qb)
    assert new.Id and PaymentMethod.get(new.Id, qb=qb).Type == "NON_CREDIT_CARD"
    payment = Payment.all(qb=qb, max_results=1)[0]
    assert payment.PaymentMethodRef.value in {m.Id for m in methods}
    fountain = Item.filter(Name="Rock Fountain", qb=qb)[0]
    assert fountain.Type == "Inventory" and fountain.TrackQtyOnHand is True
    assert fountain.QtyOnHand > 0 and fountain.AssetAccountRef.value
    assert fountain.IncomeAccountRef.value and fountain.ExpenseAccountRef.value
    assert fountain.Sku and fountain.Description and fountain.PurchaseCost > 0
    assert Item.get(fountain.Id, qb=qb).UnitPrice == 275.0


def test_cdc_lists_payment_methods(api: Any) -> None:
    since = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    api.post("paymentmethod", {"Name": "Crypto"})
    answer = api.get("cdc", entities="PaymentMethod", changedSince=since).json()
    group = answer["CDCResponse"][0]["QueryResponse"][0]
    assert [m["Name"] for m in group["PaymentMethod"]] == ["Crypto"]
