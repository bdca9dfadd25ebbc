"""Payment rules: UnappliedAmt = TotalAmt - applied lines; linked invoices follow every change."""

from __future__ import annotations

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
from .links import amounts_by_invoice, check_applications, relink
from .voids import voided_payment

COMPUTED = ("UnappliedAmt",)


def create_payment(store: CompanyStore, body: Entity, when: str) -> Entity:
    """POST /payment: validates every application before anything is written."""
    payment = {k: v for k, v in body.items() if k not in COMPUTED and k != "MetaData"}
    _normalize(store, payment)
    applied = amounts_by_invoice(payment)
    check_applications(store, payment["CustomerRef"]["value"], {}, applied)
    stamp_new(store, "Payment", payment, when)
    store.put("Payment", payment)
    relink(store, payment["Id"], {}, applied, when)
    adjust_customer_balance(store, payment["CustomerRef"]["value"], -payment["UnappliedAmt"])
    store.notify("Payment", payment["Id"], "Create", when)
    return payment


def update_payment(store: CompanyStore, body: Entity, when: str) -> Entity:
    """Sparse or full update: the old application is undone and the new one applied."""
    stored = current_for_write(store, "Payment", body)
    payment = merged_fields(stored, body, COMPUTED)
    _normalize(store, payment)
    if payment["CustomerRef"]["value"] != stored["CustomerRef"]["value"] and stored.get("Line"):
        raise business_rule("A payment applied to invoices cannot change customer")
    old, new = amounts_by_invoice(stored), amounts_by_invoice(payment)
    check_applications(store, payment["CustomerRef"]["value"], old, new)
    stamp_update(stored, payment, when)
    store.put("Payment", payment)
    relink(store, payment["Id"], old, new, when)
    adjust_customer_balance(store, stored["CustomerRef"]["value"], stored["UnappliedAmt"])
    adjust_customer_balance(store, payment["CustomerRef"]["value"], -payment["UnappliedAmt"])
    store.notify("Payment", payment["Id"], "Update", when)
    return payment


def delete_payment(store: CompanyStore, body: Entity, when: str) -> Entity:
    """?operation=delete: the invoices it paid are open again."""
    stored = current_for_write(store, "Payment", body)
    relink(store, stored["Id"], amounts_by_invoice(stored), {}, when)
    adjust_customer_balance(store, stored["CustomerRef"]["value"], stored["UnappliedAmt"])
    stub = deleted_stub(stored, when)
    store.remove("Payment", stored["Id"], stub)
    store.notify("Payment", stored["Id"], "Delete", when)
    return stub


def void_payment(store: CompanyStore, body: Entity, when: str) -> Entity:
    """?operation=void: amounts become zero, the invoices it paid are open again."""
    stored = current_for_write(store, "Payment", body)
    relink(store, stored["Id"], amounts_by_invoice(stored), {}, when)
    adjust_customer_balance(store, stored["CustomerRef"]["value"], stored["UnappliedAmt"])
    payment = voided_payment(stored, store.rules.void_shape)
    stamp_update(stored, payment, when)
    store.put("Payment", payment)
    store.notify("Payment", payment["Id"], "Void", when)
    return payment


def _normalize(store: CompanyStore, payment: Entity) -> None:
    customer = reference(store, "Customer", payment.get("CustomerRef"), "CustomerRef")
    payment["CustomerRef"] = {"value": customer["Id"], "name": customer["DisplayName"]}
    if "TotalAmt" not in payment:
        raise required_missing("TotalAmt")
    payment["TotalAmt"] = money(payment["TotalAmt"], "TotalAmt")
    lines = [{**line, "Amount": money(line.get("Amount", 0), "Line.Amount")}
             for line in payment.get("Line") or []]
    payment["Line"] = lines
    unapplied = round(payment["TotalAmt"] - sum(line["Amount"] for line in lines), 2)
    if unapplied < 0:
        raise business_rule("The payment lines add up to more than the payment's TotalAmt")
    payment["UnappliedAmt"] = unapplied
    payment["TxnDate"] = valid_date(payment.get("TxnDate", timefmt.today()), "TxnDate")
    if "PaymentMethodRef" in payment:
        method = reference(store, "PaymentMethod", payment["PaymentMethodRef"],
                           "PaymentMethodRef")
        payment["PaymentMethodRef"] = {"value": method["Id"]}  # QBO echoes the id only
    payment.setdefault("CurrencyRef", USD)
    payment.setdefault("ProcessPayment", False)
