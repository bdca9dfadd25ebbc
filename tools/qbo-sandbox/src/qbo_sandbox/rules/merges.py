"""Merging one customer into another, as a QuickBooks user does it.

The Accounting API cannot merge; a user does it in QBO by giving a customer the name of
another and confirming the merge. Clients only learn of it afterwards: the survivor gets a
Merge event naming the merged-away id, the moved transactions get Update events, and the
merged-away customer is gone (reads and queries no longer find it; CDC lists a deleted stub).
"""

from __future__ import annotations

from ..errors import business_rule, not_found, unsupported
from ..store import CompanyStore, Entity
from .common import deleted_stub, reference, stamp_update

MOVED_TYPES = ("Invoice", "Payment")


def merge(store: CompanyStore, entity_type: str, source_id: str, target_id: str,
          when: str) -> Entity:
    """Merge `source_id` into `target_id`; returns the surviving entity."""
    if entity_type != "Customer":
        raise unsupported(f"Merge is not supported for {entity_type}")
    return merge_customer(store, source_id, target_id, when)


def merge_customer(store: CompanyStore, source_id: str, target_id: str, when: str) -> Entity:
    """Move every invoice and payment to the target, add up balances, remove the source.

    The survivor's SyncToken and LastUpdatedTime move too: the Merge event names it, so a
    client reconciling with CDC from that time must find it.
    """
    source = store.get("Customer", source_id)
    if source is None:
        raise not_found("Customer", source_id)
    if source_id == target_id:
        raise business_rule("A customer cannot be merged into itself")
    target = reference(store, "Customer", {"value": target_id}, "into")  # inactive: 610
    moved = [_move(store, entity_type, txn, target, when)
             for entity_type in MOVED_TYPES
             for txn in list(store.entities[entity_type].values())
             if txn["CustomerRef"]["value"] == source_id]
    balance = round(target.get("Balance", 0) + source.get("Balance", 0), 2)
    survivor = stamp_update(target, {**target, "Balance": balance, "BalanceWithJobs": balance},
                            when)
    store.put("Customer", survivor)
    store.remove("Customer", source_id, deleted_stub(source, when))
    store.notify("Customer", target_id, "Merge", when, deleted_id=source_id)
    for entity_type, txn_id in moved:
        store.notify(entity_type, txn_id, "Update", when)
    return survivor


def _move(store: CompanyStore, entity_type: str, txn: Entity, target: Entity,
          when: str) -> tuple[str, str]:
    """A new version of the transaction that belongs to the target."""
    moved = {**txn, "CustomerRef": {"value": target["Id"], "name": target["DisplayName"]}}
    store.put(entity_type, stamp_update(txn, moved, when))
    return entity_type, txn["Id"]
