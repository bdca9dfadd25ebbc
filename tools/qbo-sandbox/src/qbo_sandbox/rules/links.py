"""The two-way link between payments and invoices (Payment.Line.LinkedTxn / Invoice.LinkedTxn).

A payment change touches every invoice it pays: Balance, LinkedTxn, SyncToken and
LastUpdatedTime move, and each touched invoice fires its own Update event, as in QBO.
"""

from __future__ import annotations

from ..errors import business_rule, not_found
from ..store import CompanyStore, Entity
from .common import adjust_customer_balance, money, stamp_update


def amounts_by_invoice(payment: Entity) -> dict[str, float]:
    """How much of a payment goes to each invoice it links to."""
    applied: dict[str, float] = {}
    for line in payment.get("Line") or []:
        for link in line.get("LinkedTxn") or []:
            if link.get("TxnType") == "Invoice":
                key = str(link["TxnId"])
                applied[key] = round(applied.get(key, 0) + money(line.get("Amount", 0),
                                                                 "Line.Amount"), 2)
    return applied


def paid_amount(store: CompanyStore, invoice: Entity) -> float:
    """Sum of what the invoice's linked payments apply to it."""
    total = 0.0
    for link in invoice.get("LinkedTxn") or []:
        payment = store.get("Payment", str(link["TxnId"])) if link["TxnType"] == "Payment" else None
        if payment is not None:
            total += amounts_by_invoice(payment).get(invoice["Id"], 0)
    return round(total, 2)


def check_applications(store: CompanyStore, customer_id: str, old: dict[str, float],
                       new: dict[str, float]) -> None:
    """Refuse a payment that pays a missing, foreign or overpaid invoice, before any write."""
    for invoice_id, amount in new.items():
        invoice = store.get("Invoice", invoice_id)
        if invoice is None:
            raise not_found("Invoice", invoice_id)
        if invoice["CustomerRef"]["value"] != customer_id:
            raise business_rule(f"Invoice {invoice_id} belongs to another customer")
        if amount <= 0:
            raise business_rule("A payment line must apply a positive amount")
        if round(amount - old.get(invoice_id, 0), 2) > invoice["Balance"]:
            raise business_rule(f"The amount applied to invoice {invoice_id} is more than "
                                "its open balance")


def relink(store: CompanyStore, payment_id: str, old: dict[str, float],
           new: dict[str, float], when: str) -> None:
    """Move invoice balances from the `old` application of a payment to the `new` one."""
    for invoice_id in sorted(old.keys() | new.keys(), key=_numeric):
        delta = round(new.get(invoice_id, 0) - old.get(invoice_id, 0), 2)
        if delta == 0 and (invoice_id in old) == (invoice_id in new):
            continue
        invoice = store.get("Invoice", invoice_id)
        if invoice is not None:
            _apply(store, invoice, payment_id, delta, invoice_id in new, when)


def _apply(store: CompanyStore, invoice: Entity, payment_id: str, delta: float,
           linked: bool, when: str) -> None:
    links = [link for link in invoice.get("LinkedTxn") or []
             if not (link["TxnType"] == "Payment" and str(link["TxnId"]) == payment_id)]
    if linked:
        links.append({"TxnId": payment_id, "TxnType": "Payment"})
    updated = {k: v for k, v in invoice.items() if k != "LinkedTxn"}
    updated["Balance"] = round(invoice["Balance"] - delta, 2)
    if links:
        updated["LinkedTxn"] = links
    stamp_update(invoice, updated, when)
    store.put("Invoice", updated)
    adjust_customer_balance(store, invoice["CustomerRef"]["value"], -delta)
    store.notify("Invoice", invoice["Id"], "Update", when)


def detach_invoice_from_payments(store: CompanyStore, invoice: Entity, when: str) -> None:
    """Deleting or voiding an invoice turns what paid it into unapplied payment credit."""
    for link in invoice.get("LinkedTxn") or []:
        payment = store.get("Payment", str(link["TxnId"])) if link["TxnType"] == "Payment" else None
        if payment is None:
            continue
        kept = [line for line in payment.get("Line") or []
                if not any(str(t.get("TxnId")) == invoice["Id"] for t in line.get("LinkedTxn", []))]
        applied = round(sum(line.get("Amount", 0) for line in kept), 2)
        updated = {**payment, "Line": kept,
                   "UnappliedAmt": round(payment["TotalAmt"] - applied, 2)}
        stamp_update(payment, updated, when)
        store.put("Payment", updated)
        freed = round(updated["UnappliedAmt"] - payment.get("UnappliedAmt", 0), 2)
        adjust_customer_balance(store, payment["CustomerRef"]["value"], -freed)
        store.notify("Payment", payment["Id"], "Update", when)


def _numeric(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (0, value)
