"""Invoice rules: totals and balances are computed, payments stay linked, void zeroes amounts."""

from __future__ import annotations

from datetime import date, timedelta

from .. import timefmt
from ..errors import business_rule
from ..store import CompanyStore, Entity
from .common import (
    USD,
    adjust_customer_balance,
    current_for_write,
    deleted_stub,
    merged_fields,
    reference,
    stamp_new,
    stamp_update,
    valid_date,
)
from .invoice_lines import priced_lines, tax_detail
from .links import detach_invoice_from_payments, paid_amount
from .voids import is_voided, voided_invoice

COMPUTED = ("TotalAmt", "Balance", "LinkedTxn", "HomeBalance", "HomeTotalAmt")



def create_invoice(store: CompanyStore, body: Entity, when: str) -> Entity:
    """POST /invoice without Id: TotalAmt and Balance come from the lines."""
    invoice = {k: v for k, v in body.items() if k not in COMPUTED and k != "MetaData"}
    _normalize(store, invoice, check_amounts=store.rules.line_amount_check)
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
    # Lines are checked when the client sends them, and never on a voided invoice (its
    # lines keep Qty and UnitPrice with Amount 0): a memo edit must not be refused.
    _normalize(store, invoice, check_amounts=store.rules.line_amount_check and "Line" in body
               and not is_voided(stored))
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
    """?operation=void: the invoice stays, with zero amounts (shape: rules/voids.py)."""
    stored = current_for_write(store, "Invoice", body)
    detach_invoice_from_payments(store, stored, when)
    invoice = voided_invoice(stored, store.rules.void_shape)
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


def _normalize(store: CompanyStore, invoice: Entity, check_amounts: bool) -> None:
    customer = reference(store, "Customer", invoice.get("CustomerRef"), "CustomerRef")
    invoice["CustomerRef"] = {"value": customer["Id"], "name": customer["DisplayName"]}
    priced = priced_lines(invoice.get("Line"), check_amounts)
    invoice["Line"] = priced.lines
    invoice["TxnTaxDetail"] = tax_detail(invoice.get("TxnTaxDetail"), priced,
                                         store.rules.compute_tax)
    invoice["TotalAmt"] = round(priced.net + invoice["TxnTaxDetail"]["TotalTax"], 2)
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
