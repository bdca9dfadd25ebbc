"""Invoice lines as QuickBooks computes them: discount, tax, notes and sub-totals reconcile.

Generated invoices and invoices written through the API both satisfy
    TotalAmt = sum(sales lines) - discount + TxnTaxDetail.TotalTax
exactly, in decimal arithmetic.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import requests

from qbo_sandbox.generator import GenerateSpec, generate_company
from qbo_sandbox.testing import running_sandbox


def dec(value: Any) -> Decimal:
    return Decimal(str(value))


def kinds(invoice: dict[str, Any]) -> list[str]:
    return [line["DetailType"] for line in invoice["Line"]]


def reconcile(invoice: dict[str, Any]) -> None:
    """Totals add up; the final sub-total sums the sales lines and the discount follows it."""
    lines = invoice["Line"]
    sales = sum(dec(x["Amount"]) for x in lines if x["DetailType"] == "SalesItemLineDetail")
    discount = sum(dec(x["Amount"]) for x in lines if x["DetailType"] == "DiscountLineDetail")
    tax = dec(invoice["TxnTaxDetail"]["TotalTax"])
    assert sales - discount + tax == dec(invoice["TotalAmt"]), invoice["Id"]
    final = [i for i, x in enumerate(lines) if x["DetailType"] == "SubTotalLineDetail"
             and "LineNum" not in x]
    assert len(final) == 1 and dec(lines[final[0]]["Amount"]) == sales
    after = kinds(invoice)[final[0] + 1:]
    assert set(after) <= {"DiscountLineDetail"}
    for line in lines:
        if line["DetailType"] == "SalesItemLineDetail":
            detail = line["SalesItemLineDetail"]
            assert dec(detail["Qty"]) * dec(detail["UnitPrice"]) == dec(line["Amount"])


def test_generated_invoices_have_every_line_kind_and_reconcile() -> None:
    data = generate_company(GenerateSpec(seed=11, customers=50, invoices=1500, payments=0,
                                         as_of=date(2026, 3, 1)))
    live = [i for i in data["Invoice"].values() if i.get("PrivateNote") != "Voided"]
    for invoice in live:
        reconcile(invoice)
    assert any("DiscountLineDetail" in kinds(i) for i in live)
    assert any("DescriptionOnly" in kinds(i) for i in live)
    assert any(kinds(i).count("SubTotalLineDetail") == 2 for i in live)
    taxed = [i for i in live if i["TxnTaxDetail"]["TotalTax"]]
    assert taxed and all(i["TxnTaxDetail"]["TaxLine"][0]["TaxLineDetail"]["TaxPercent"]
                         == 8.25 for i in taxed)
    percent = [x for i in live for x in i["Line"] if x["DetailType"] == "DiscountLineDetail"
               and x["DiscountLineDetail"]["PercentBased"]]
    assert percent and all(x["DiscountLineDetail"]["DiscountAccountRef"]["value"]
                           for x in percent)


def test_a_written_invoice_orders_lines_and_prices_a_percent_discount(api: Any) -> None:
    body = {"CustomerRef": {"value": "2"}, "TxnTaxDetail": {"TotalTax": 1.65}, "Line": [
        {"DetailType": "DiscountLineDetail", "Amount": 999,
         "DiscountLineDetail": {"PercentBased": True, "DiscountPercent": 10}},
        {"DetailType": "DescriptionOnly", "Description": "Spring visit",
         "DescriptionLineDetail": {}},
        {"DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {
            "ItemRef": {"value": "7"}, "Qty": 3, "UnitPrice": 2.05}},
        {"DetailType": "SalesItemLineDetail", "Amount": 15.75, "SalesItemLineDetail": {
            "ItemRef": {"value": "6"}, "Qty": 1, "UnitPrice": 15.75}}]}
    invoice = api.post("invoice", body).json()["Invoice"]
    assert kinds(invoice) == ["DescriptionOnly", "SalesItemLineDetail", "SalesItemLineDetail",
                              "SubTotalLineDetail", "DiscountLineDetail"]
    assert [x.get("LineNum") for x in invoice["Line"]] == [1, 2, 3, None, None]
    assert invoice["Line"][1]["Amount"] == 6.15
    assert invoice["Line"][3]["Amount"] == 21.9
    assert invoice["Line"][4]["Amount"] == 2.19
    assert invoice["TotalAmt"] == invoice["Balance"] == 21.36
    reconcile(invoice)
    voided = api.post("invoice", {"Id": invoice["Id"], "SyncToken": "0"},
                      operation="void").json()["Invoice"]
    assert "Amount" not in voided["Line"][0] and voided["TotalAmt"] == 0


def _sale(qty: float, price: float, amount: float | None, tax: str = "NON") -> dict[str, Any]:
    line: dict[str, Any] = {"DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {
        "ItemRef": {"value": "1"}, "Qty": qty, "UnitPrice": price,
        "TaxCodeRef": {"value": tax}}}
    if amount is not None:
        line["Amount"] = amount
    return line


def test_amount_must_equal_qty_times_unit_price(api: Any) -> None:
    before = api.query("SELECT COUNT(*) FROM Invoice").json()["QueryResponse"]["totalCount"]
    wrong = api.post("invoice", {"CustomerRef": {"value": "2"}, "Line": [_sale(3, 10, 31)]})
    assert wrong.status_code == 400
    assert wrong.json()["Fault"]["Error"][0]["code"] == "6070"
    after = api.query("SELECT COUNT(*) FROM Invoice").json()["QueryResponse"]["totalCount"]
    assert after == before
    rounded = api.post("invoice", {"CustomerRef": {"value": "2"},
                                   "Line": [_sale(3, 0.125, 0.38)]})
    assert rounded.status_code == 200 and rounded.json()["Invoice"]["TotalAmt"] == 0.38
    sdk_zeros = api.post("invoice", {"CustomerRef": {"value": "2"}, "Line": [_sale(0, 0, 42)]})
    assert sdk_zeros.status_code == 200


def test_amount_check_off_and_computed_tax_as_options() -> None:
    with running_sandbox(line_amount_check="accept", client_tax="compute",
                         requests_per_second=1000) as box:
        control = box.control
        app = control.register_app(redirect_uris=["http://127.0.0.1:9/cb"])
        realm = control.create_company(customers=3, seed=1)["realm_id"]
        token = control.connect(app["client_id"], realm)["access_token"]
        answer = requests.post(
            f"{box.base_url}/v3/company/{realm}/invoice", timeout=10,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            json={"CustomerRef": {"value": "1"}, "TxnTaxDetail": {"TotalTax": 99},
                  "Line": [_sale(3, 10, 31, "TAX"), _sale(1, 20, 20)]})
    invoice = answer.json()["Invoice"]
    assert answer.status_code == 200
    assert invoice["TxnTaxDetail"]["TotalTax"] == 2.56  # 8.25 % of 31, half up
    assert invoice["TotalAmt"] == 53.56


def test_a_voided_invoice_can_still_take_a_memo_edit(api: Any, control: Any) -> None:
    invoice = api.post("invoice", {"CustomerRef": {"value": "2"},
                                   "Line": [_sale(5, 10, 50)]}).json()["Invoice"]
    api.post("invoice", {"Id": invoice["Id"], "SyncToken": "0"}, operation="void")
    full = api.get(f"invoice/{invoice['Id']}").json()["Invoice"]
    again = api.post("invoice", {**full, "PrivateNote": "Voided"})  # full update, lines back
    assert again.status_code == 200
    edited = control.change(api.realm_id, "Invoice", invoice["Id"], PrivateNote="reviewed")
    assert edited["TotalAmt"] == 0 and edited["PrivateNote"] == "reviewed"
