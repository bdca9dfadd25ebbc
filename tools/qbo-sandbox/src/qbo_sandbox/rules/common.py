"""Rules shared by every entity: SyncToken concurrency, MetaData, sparse vs full update."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ..errors import QboFault, not_found, required_missing, stale_object, unsupported
from ..store import CompanyStore, Entity

READ_ONLY = ("Id", "SyncToken", "MetaData", "domain", "sparse")
USD = {"value": "USD", "name": "United States Dollar"}


def money(value: Any, field: str) -> float:
    """Amounts are JSON numbers rounded to cents; a string or bool is a validation error."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise QboFault("2090", "Invalid Number", f"{field} must be a number, got {value!r}")
    return round(float(value), 2)


def compact(value: Any) -> Any:
    """Drop null and empty-string members, as QBO ignores them (SDKs send many of them)."""
    if isinstance(value, dict):
        return {k: compact(v) for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list):
        return [compact(v) for v in value if v is not None]
    return value


def valid_date(value: Any, field: str) -> str:
    """Dates are YYYY-MM-DD; anything else is a validation fault, not a crash."""
    try:
        return date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError as err:
        raise QboFault("2040", "Invalid Date", f"{field} must be YYYY-MM-DD, got {value!r}"
                       ) from err


def stamp_new(store: CompanyStore, entity_type: str, entity: Entity, when: str) -> Entity:
    """Give a created entity its Id, SyncToken "0" and MetaData."""
    entity["Id"] = store.new_id(entity_type)
    entity["SyncToken"] = "0"
    entity["domain"] = "QBO"
    entity["sparse"] = False
    entity["MetaData"] = {"CreateTime": when, "LastUpdatedTime": when}
    return entity


def stamp_update(old: Entity, new: Entity, when: str) -> Entity:
    """Next SyncToken, same CreateTime, new LastUpdatedTime."""
    new["Id"] = old["Id"]
    new["SyncToken"] = str(int(old["SyncToken"]) + 1)
    new["domain"] = "QBO"
    new["sparse"] = False
    new["MetaData"] = {"CreateTime": old["MetaData"]["CreateTime"], "LastUpdatedTime": when}
    return new


def current_for_write(store: CompanyStore, entity_type: str, body: Entity) -> Entity:
    """The stored entity an update/delete/void names, after the SyncToken check (5010)."""
    entity_id = body.get("Id")
    if entity_id is None:
        raise required_missing("Id")
    stored = store.get(entity_type, str(entity_id))
    if stored is None:
        raise not_found(entity_type, str(entity_id))
    token = body.get("SyncToken")
    if token is None:
        raise required_missing("SyncToken")
    if str(token) != stored["SyncToken"]:
        raise stale_object(entity_type)
    return stored


def merged_fields(stored: Entity, body: Entity, computed: tuple[str, ...]) -> Entity:
    """Sparse: stored fields overlaid with the sent ones. Full: only what was sent survives.

    Read-only and computed fields always come from the stored entity.
    """
    sparse = body.get("sparse") is True
    writable = {k: v for k, v in body.items() if k not in READ_ONLY and k not in computed}
    base = {k: v for k, v in stored.items() if sparse or k in READ_ONLY or k in computed}
    return {**base, **writable}


def update_name_list(store: CompanyStore, entity_type: str, body: Entity, when: str,
                     normalize: Callable[[CompanyStore, Entity, str | None], None],
                     computed: tuple[str, ...] = ()) -> Entity:
    """Sparse or full update of a name-list entity (Customer, PaymentMethod): SyncToken
    check, normalize (uniqueness against the others), new version, Update webhook."""
    stored = current_for_write(store, entity_type, body)
    entity = merged_fields(stored, body, computed)
    normalize(store, entity, stored["Id"])
    stamp_update(stored, entity, when)
    store.put(entity_type, entity)
    store.notify(entity_type, entity["Id"], "Update", when)
    return entity


def refuse_name_list_delete(entity_type: str) -> QboFault:
    """Name-list entities cannot be deleted; QBO wants an update with Active=false."""
    return unsupported(f"Operation Delete is not supported for {entity_type}; "
                       "set Active to false instead")


def reference(store: CompanyStore, entity_type: str, ref: Any, field: str) -> Entity:
    """Resolve a {"value": id} reference to a live, active entity (610 otherwise)."""
    if not isinstance(ref, dict) or not ref.get("value"):
        raise required_missing(field)
    target = store.get(entity_type, str(ref["value"]))
    if target is None or target.get("Active") is False:
        raise not_found(entity_type, str(ref["value"]))
    return target


def adjust_customer_balance(store: CompanyStore, customer_id: str, delta: float) -> None:
    """Keep Customer.Balance equal to open invoices minus unapplied payments.

    QBO recomputes it without bumping the customer's SyncToken, so this does not either.
    """
    if not delta:
        return
    customer = store.get("Customer", customer_id)
    if customer is None:
        return
    balance = round(customer.get("Balance", 0) + delta, 2)
    store.put("Customer", {**customer, "Balance": balance, "BalanceWithJobs": balance})


def deleted_stub(entity: Entity, when: str) -> Entity:
    """What delete answers and what CDC lists for a deleted object."""
    return {"status": "Deleted", "domain": "QBO", "Id": entity["Id"],
            "MetaData": {"LastUpdatedTime": when}}
