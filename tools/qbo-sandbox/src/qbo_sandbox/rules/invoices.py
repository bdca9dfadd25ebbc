"""Invoice rules: totals and balances are computed, payments stay linked, void zeroes amounts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .. import timefmt
from ..errors import business_rule, required_missing
from ..store import CompanyStore, Entity
from .common import (
    USD,
    adjust_customer_balance,
    current_for_write,
    deleted_stub,
    merged_fields,
    money,
    reference,
    stamp_new,
    stamp_update,
    valid_date,
)
from .links import detach_invoice_from_payments, paid_amount

COMPUTED = ("TotalAmt", "Balance", "LinkedTxn", "HomeBalance", "HomeTotalAmt")
AMOUNT_LINES = ("SalesItemLineDetail", "GroupLineDetail")
CENT = Decimal("0.01")


def create_invoice(store: CompanyStore, body: Entity, when: str) -> Entity:
    """POST /invoice without Id: TotalAmt and Balance come from the lines."""
    invoice = {k: v for k, v in body.items() if k not in COMPUTED and k != "MetaData"}
    _normalize(store, invoice)
    invoice["Balance"] = invoice["TotalAmt"]
    stamp_new(store, "Invoice", invoice, when)
    store.put("Invoice", invoice)
    adjust_customer_balance(store, invoice["CustomerRef"]["value"], invoice["Balance"])
    store.notify("Invoice", invoice["Id"], "Create", when)
    return invoice


def update_invoice(store: CompanyStore, body: Entity, when: str) -> Entity:
    """Sparse or full update; linked payments keep their amounts, so Balance follows."""
    stored = current_for_write(store, "Invoice", body)
    invoice = merged_fields(stored, body, COMPUTED)
    for kept in ("DocNumber", "TxnDate"):  # a full update must not renumber or redate
        invoice.setdefault(kept, stored[kept])
    _normalize(store, invoice)
    paid = paid_amount(store, stored)
    if paid and invoice["CustomerRef"]["value"] != stored["CustomerRef"]["value"]:
        raise business_rule("An invoice with payments applied cannot change customer")
    balance = round(invoice["TotalAmt"] - paid, 2)
    if balance < 0:
        raise business_rule("The invoice total is less than the payments applied to it")
    invoice["Balance"] = balance
    stamp_update(stored, invoice, when)
    store.put("Invoice", invoice)
    adjust_customer_balance(store, stored["CustomerRef"]["value"], -stored["Balance"])
    adjust_customer_balance(store, invoice["CustomerRef"]["value"], balance)
    store.notify("Invoice", invoice["Id"], "Update", when)
    return invoice


def delete_invoice(store: CompanyStore, body: Entity, when: str) -> Entity:
    """?operation=delete: payments that paid it keep their money as unapplied credit."""
    stored = current_for_write(store, "Invoice", body)
    detach_invoice_from_payments(store, stored, when)
    adjust_customer_balance(store, stored["CustomerRef"]["value"], -stored["Balance"])
    stub = deleted_stub(stored, when)
    store.remove("Invoice", stored["Id"], stub)
    store.notify("Invoice", stored["Id"], "Delete", when)
    return stub


def void_invoice(store: CompanyStore, body: Entity, when: str) -> Entity:
    """?operation=void: the invoice stays, with zero amounts and PrivateNote "Voided"."""
    stored = current_for_write(store, "Invoice", body)
    detach_invoice_from_payments(store, stored, when)
    lines = [{**line, "Amount": 0} if "Amount" in line else line
             for line in stored.get("Line", [])]
    invoice = {k: v for k, v in stored.items() if k != "LinkedTxn"}
    invoice.update(Line=lines, TotalAmt=0, Balance=0, PrivateNote="Voided")
    if "TxnTaxDetail" in invoice:
        invoice["TxnTaxDetail"] = {**invoice["TxnTaxDetail"], "TotalTax": 0}
    stamp_update(stored, invoice, when)
    store.put("Invoice", invoice)
    adjust_customer_balance(store, stored["CustomerRef"]["value"], -stored["Balance"])
    store.notify("Invoice", invoice["Id"], "Void", when)
    return invoice


def send_invoice(store: CompanyStore, invoice_id: str, send_to: str | None, when: str) -> Entity:
    """POST /invoice/{id}/send: EmailStatus becomes EmailSent, an Emailed event fires."""
    stored = current_for_write(store, "Invoice", {"Id": invoice_id,
                                                  "SyncToken": _token_of(store, invoice_id)})
    invoice = dict(stored)
    if send_to:
        invoice["BillEmail"] = {"Address": send_to}
    if not invoice.get("BillEmail"):
        raise business_rule("The invoice has no email address to send to")
    invoice["EmailStatus"] = "EmailSent"
    invoice["DeliveryInfo"] = {"DeliveryType": "Email", "DeliveryTime": when}
    stamp_update(stored, invoice, when)
    store.put("Invoice", invoice)
    store.notify("Invoice", invoice["Id"], "Emailed", when)
    return invoice


def _token_of(store: CompanyStore, invoice_id: str) -> str:
    stored = store.get("Invoice", invoice_id)
    return stored["SyncToken"] if stored else "0"


def _normalize(store: CompanyStore, invoice: Entity) -> None:
    customer = reference(store, "Customer", invoice.get("CustomerRef"), "CustomerRef")
    invoice["CustomerRef"] = {"value": customer["Id"], "name": customer["DisplayName"]}
    lines, subtotal = _priced_lines(invoice.get("Line"))
    invoice["Line"] = lines
    tax = money((invoice.get("TxnTaxDetail") or {}).get("TotalTax", 0), "TotalTax")
    invoice["TotalAmt"] = round(subtotal + tax, 2)
    invoice["TxnDate"] = valid_date(invoice.get("TxnDate", timefmt.today()), "TxnDate")
    invoice["DueDate"] = valid_date(invoice.get("DueDate") or _due_date(store, invoice),
                                    "DueDate")
    invoice.setdefault("DocNumber", _next_doc_number(store))
    invoice.setdefault("CurrencyRef", USD)
    invoice.setdefault("EmailStatus", "NotSet")
    invoice.setdefault("PrintStatus", "NeedToPrint")
    invoice.setdefault("ApplyTaxAfterDiscount", False)
    email = (customer.get("PrimaryEmailAddr") or {}).get("Address")
    if email and "BillEmail" not in invoice:
        invoice["BillEmail"] = {"Address": email}


def _priced_lines(raw_lines: object) -> tuple[list[Entity], float]:
    """Number and price the lines, then the sub-total, then the discount (QBO's order).

    Sent SubTotal lines are dropped and one fresh SubTotalLineDetail (the sum of the sales
    lines) is placed after the numbered lines; discount lines follow it, a PercentBased one
    priced from the sub-total. Returns the lines and sub-total minus discount.
    """
    if not isinstance(raw_lines, list) or not raw_lines:
        raise required_missing("Line")
    lines: list[Entity] = []
    discounts: list[Entity] = []
    for raw in raw_lines:
        kind = raw.get("DetailType") if isinstance(raw, dict) else None
        if kind == "SubTotalLineDetail":
            continue
        if kind == "DiscountLineDetail":
            discounts.append(dict(raw))
            continue
        if kind not in AMOUNT_LINES and kind != "DescriptionOnly":
            raise business_rule(f"Unsupported line DetailType {kind!r}")
        line = {**raw, "Id": str(len(lines) + 1), "LineNum": len(lines) + 1}
        if kind in AMOUNT_LINES:
            line["Amount"] = _sales_amount(line, line.get(kind) or {})
        lines.append(line)
    if not any(line.get("DetailType") in AMOUNT_LINES for line in lines):
        raise business_rule("An invoice needs at least one SalesItemLineDetail line")
    subtotal = round(sum(line["Amount"] for line in lines if "Amount" in line), 2)
    lines.append({"Amount": subtotal, "DetailType": "SubTotalLineDetail",
                  "SubTotalLineDetail": {}})
    discount = 0.0
    for line in discounts:
        line["Amount"] = _discount_amount(line, subtotal)
        discount += line["Amount"]
        lines.append(line)
    return lines, round(subtotal - discount, 2)


def _sales_amount(line: Entity, detail: Entity) -> float:
    """Amount as sent, or Qty x UnitPrice when the client left it out."""
    if "Amount" not in line and "Qty" in detail and "UnitPrice" in detail:
        money(detail["Qty"], "Qty")  # type checks only: both must be JSON numbers
        money(detail["UnitPrice"], "UnitPrice")
        product = Decimal(str(detail["Qty"])) * Decimal(str(detail["UnitPrice"]))
        return float(product.quantize(CENT, ROUND_HALF_UP))
    return money(line.get("Amount", 0), "Line.Amount")


def _discount_amount(line: Entity, subtotal: float) -> float:
    """A PercentBased discount is DiscountPercent of the sub-total; otherwise as sent."""
    detail = line.get("DiscountLineDetail") or {}
    if detail.get("PercentBased") and "DiscountPercent" in detail:
        percent = Decimal(str(money(detail["DiscountPercent"], "DiscountPercent")))
        amount = (Decimal(str(subtotal)) * percent / 100).quantize(CENT, ROUND_HALF_UP)
        return float(amount)
    return money(line.get("Amount", 0), "Line.Amount")


def _due_date(store: CompanyStore, invoice: Entity) -> str:
    """DueDate follows SalesTermRef's DueDays when the client sends none."""
    term_ref = invoice.get("SalesTermRef") or {}
    term = store.get("Term", str(term_ref.get("value", "")))
    days = int(term.get("DueDays", 0)) if term else 0
    return (date.fromisoformat(invoice["TxnDate"]) + timedelta(days=days)).isoformat()


def _next_doc_number(store: CompanyStore) -> str:
    """Auto-numbering, like QBO with custom transaction numbers off."""
    store.next_ids["DocNumber"] = max(store.next_ids["DocNumber"], 1000) + 1
    return str(store.next_ids["DocNumber"])
