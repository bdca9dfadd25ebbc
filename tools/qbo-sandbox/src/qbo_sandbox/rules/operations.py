"""One table from (entity, operation) to the rule that performs it.

The Accounting API, batch items and the control API's "a user changed this in QBO" all
go through `apply_write`, so every path fires the same webhooks and keeps the same balances.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import timefmt
from ..errors import unsupported
from ..store import CompanyStore, Entity
from .common import compact
from .customers import create_customer, refuse_customer_delete, update_customer
from .invoices import create_invoice, delete_invoice, update_invoice, void_invoice
from .payment_methods import (
    create_payment_method,
    refuse_payment_method_delete,
    update_payment_method,
)
from .payments import create_payment, delete_payment, update_payment, void_payment

Rule = Callable[[CompanyStore, Entity, str], Entity]

RULES: dict[tuple[str, str], Rule] = {
    ("Customer", "create"): create_customer,
    ("Customer", "update"): update_customer,
    ("Customer", "delete"): refuse_customer_delete,
    ("Invoice", "create"): create_invoice,
    ("Invoice", "update"): update_invoice,
    ("Invoice", "delete"): delete_invoice,
    ("Invoice", "void"): void_invoice,
    ("Payment", "create"): create_payment,
    ("Payment", "update"): update_payment,
    ("Payment", "delete"): delete_payment,
    ("Payment", "void"): void_payment,
    ("PaymentMethod", "create"): create_payment_method,
    ("PaymentMethod", "update"): update_payment_method,
    ("PaymentMethod", "delete"): refuse_payment_method_delete,
}

WRITABLE_TYPES = ("Customer", "Invoice", "Payment", "PaymentMethod")


def operation_for(body: Entity, requested: str | None, include: str | None = None) -> str:
    """POST /invoice means create without Id, update with Id; ?operation= says delete/void.

    Intuit documents voiding a payment as `?operation=update&include=void`."""
    if requested in ("delete", "void"):
        return requested
    if include == "void" and requested in (None, "", "update"):
        return "void"
    if requested not in (None, "", "update", "create"):
        raise unsupported(f"Operation {requested} is not supported")
    return "update" if body.get("Id") else "create"


def apply_write(store: CompanyStore, entity_type: str, operation: str, body: Entity) -> Entity:
    """Run one write under the company lock and return what the API answers."""
    rule = RULES.get((entity_type, operation))
    if rule is None:
        raise unsupported(f"Operation {operation} is not supported for {entity_type}")
    if not isinstance(body, dict):
        raise unsupported("Request body must be a JSON object")
    with store.lock:
        return rule(store, compact(body), timefmt.now_text())
