"""Customer rules: DisplayName is required and unique; customers are deactivated, not deleted."""

from __future__ import annotations

from ..errors import QboFault, required_missing
from ..store import CompanyStore, Entity
from .common import USD, refuse_name_list_delete, stamp_new, update_name_list

COMPUTED = ("Balance", "BalanceWithJobs")


def create_customer(store: CompanyStore, body: Entity, when: str) -> Entity:
    """POST /customer without Id. An opening balance is not supported (always 0)."""
    customer = {k: v for k, v in body.items() if k not in ("Id", "SyncToken", "MetaData")}
    _normalize(store, customer, own_id=None)
    customer["Balance"] = 0
    customer["BalanceWithJobs"] = 0
    stamp_new(store, "Customer", customer, when)
    store.put("Customer", customer)
    store.notify("Customer", customer["Id"], "Create", when)
    return customer


def update_customer(store: CompanyStore, body: Entity, when: str) -> Entity:
    """Sparse or full update; `Active: false` is how a customer is removed in QBO."""
    return update_name_list(store, "Customer", body, when, _normalize, COMPUTED)


def refuse_customer_delete(store: CompanyStore, body: Entity, when: str) -> Entity:
    """Name-list entities cannot be deleted; QBO wants an update with Active=false."""
    raise refuse_name_list_delete("Customer")


def _normalize(store: CompanyStore, customer: Entity, own_id: str | None) -> None:
    display = customer.get("DisplayName") or _derived_name(customer)
    if not display:
        raise required_missing("DisplayName")
    customer["DisplayName"] = display
    lowered = display.strip().lower()
    for other in store.entities["Customer"].values():
        if other["Id"] != own_id and other["DisplayName"].strip().lower() == lowered:
            raise QboFault("6240", "Duplicate Name Exists Error",
                           "The name supplied already exists. : Another customer, vendor or "
                           f"employee is already using this name: {display}")
    customer.setdefault("PrintOnCheckName", customer.get("CompanyName") or display)
    customer.setdefault("Active", True)
    customer.setdefault("Taxable", False)
    customer.setdefault("Job", False)
    customer.setdefault("BillWithParent", False)
    customer.setdefault("CurrencyRef", USD)
    customer.setdefault("PreferredDeliveryMethod", "Print")
    customer["FullyQualifiedName"] = display


def _derived_name(customer: Entity) -> str:
    """QBO builds DisplayName from the person's or company's name when it is omitted."""
    person = " ".join(p for p in (customer.get("GivenName"), customer.get("FamilyName")) if p)
    return person or customer.get("CompanyName") or ""
