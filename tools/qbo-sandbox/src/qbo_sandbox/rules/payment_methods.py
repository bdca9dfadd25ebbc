"""PaymentMethod rules: a name list (Cash, Check, Credit Card...) that payments refer to.

Name is required and unique among payment methods (6240, as QBO answers a duplicate name);
Type is CREDIT_CARD or NON_CREDIT_CARD. Like every name list it cannot be deleted: an
update with `Active: false` hides it from queries that do not name Active.
"""

from __future__ import annotations

from ..errors import QboFault, required_missing
from ..store import CompanyStore, Entity
from .common import refuse_name_list_delete, stamp_new, update_name_list

TYPES = ("CREDIT_CARD", "NON_CREDIT_CARD")
NAME_MAX = 31  # Intuit's PaymentMethod reference: "String (max 31 chars)"


def create_payment_method(store: CompanyStore, body: Entity, when: str) -> Entity:
    """POST /paymentmethod without Id."""
    method = {k: v for k, v in body.items() if k not in ("Id", "SyncToken", "MetaData")}
    _normalize(store, method, own_id=None)
    stamp_new(store, "PaymentMethod", method, when)
    store.put("PaymentMethod", method)
    store.notify("PaymentMethod", method["Id"], "Create", when)
    return method


def update_payment_method(store: CompanyStore, body: Entity, when: str) -> Entity:
    """Sparse or full update (rename, deactivate)."""
    return update_name_list(store, "PaymentMethod", body, when, _normalize)


def refuse_payment_method_delete(store: CompanyStore, body: Entity, when: str) -> Entity:
    """Name-list entities cannot be deleted; QBO wants an update with Active=false."""
    raise refuse_name_list_delete("PaymentMethod")


def _normalize(store: CompanyStore, method: Entity, own_id: str | None) -> None:
    name = str(method.get("Name") or "").strip()
    if not name:
        raise required_missing("Name")
    for other in store.entities["PaymentMethod"].values():
        if other["Id"] != own_id and other["Name"].strip().lower() == name.lower():
            raise QboFault("6240", "Duplicate Name Exists Error",
                           f"The name supplied already exists. : {name}")
    if len(name) > NAME_MAX:
        raise QboFault("2050", "String length is either shorter or longer than supported "
                       "by specification", f"Name is longer than {NAME_MAX} characters")
    method["Name"] = name
    method.setdefault("Active", True)
    method.setdefault("Type", "NON_CREDIT_CARD")
    if method["Type"] not in TYPES:
        raise QboFault("2010", "Request has invalid or unsupported property",
                       f"PaymentMethod Type must be one of {', '.join(TYPES)}")
