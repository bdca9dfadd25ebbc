"""Customers read model in MongoDB."""
from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from typing import Any

from clientsynq.portal.adapters.codec import from_doc, to_doc
from clientsynq.portal.adapters.mongo_common import (
    KEY1,
    KEY2,
    apply_snapshot,
    contains,
    doc_id,
    find_live,
    keyset_page,
)
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.domain.model import Customer
from clientsynq.portal.domain.views import Page
from clientsynq.portal.readmodels.keys import id_key, name_key
from clientsynq.portal.readmodels.queries import CustomerQuery
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

COLLECTION = "customers"
# "Customers synced" per tenant, `_id` the tenant: one `_id` lookup to read (a count query
# scans the whole collection on FerretDB 1.x). Kept by `apply` from the stored state before
# and after a snapshot that was applied, so a stale or repeated one changes nothing. `$inc`
# is read-then-write on FerretDB; one tenant's customer events are applied one at a time
# (they share a partition), so a counter has one writer. A rebuild recounts from Kafka.
# The `$inc` comes before the snapshot and names the snapshot it counted (`counted`) in the
# same update: a worker killed between the two gets the snapshot again, and that second
# `apply` finds it counted already; the other order would leave the count one off.
COUNTS = "customer_counts"
INDEXES = [
    IndexModel([("tenant_id", ASCENDING), (KEY1, ASCENDING), (KEY2, ASCENDING)],
               name="tenant_name_id"),
    IndexModel([("tenant_id", ASCENDING), ("active", ASCENDING)], name="tenant_active"),
]


def customer_sort_name(customer: Customer) -> str:
    return name_key(customer.display_name, customer.company_name, customer.given_name,
                    customer.family_name)


def customer_search_text(customer: Customer) -> str:
    parts = (customer.display_name, customer.company_name, *customer.email)
    return " ".join(part.casefold() for part in parts if part)


def customer_fields(customer: Customer) -> dict[str, Any]:
    """A customer merged into another arrives as a deleted stub: it leaves every list."""
    if customer.deleted:
        return {"tenant_id": customer.tenant_id, "id": customer.id, "deleted": True,
                "active": False, "updated_at": customer.updated_at}
    return {**to_doc(customer), KEY1: customer_sort_name(customer), KEY2: id_key(customer.id),
            "search": customer_search_text(customer)}


def load_customer(doc: Mapping[str, Any]) -> Customer:
    return from_doc(Customer, doc)


class MongoCustomers:
    def __init__(self, store: MongoReadStore) -> None:
        self._store = store

    def _coll(self) -> Any:
        return self._store.collection(COLLECTION)

    def get(self, tenant_id: str, customer_id: str) -> Customer | None:
        doc = find_live(self._coll(), tenant_id, customer_id)
        return None if doc is None else load_customer(doc)

    def page(self, tenant_id: str, query: CustomerQuery) -> Page[Customer]:
        match: dict[str, Any] = {"tenant_id": tenant_id, "deleted": False}
        if not query.include_inactive:
            match["active"] = True
        if query.search:
            match["search"] = contains(query.search)
        return keyset_page(self._coll(), match, cursor=query.cursor, limit=query.limit,
                           descending=False, load=load_customer)

    def count_active(self, tenant_id: str) -> int:
        doc = self._store.collection(COUNTS).find_one({"_id": tenant_id})
        return max(0, int(doc.get("active", 0))) if doc else 0

    def apply(self, customer: Customer, version: str) -> bool:
        old = self._coll().find_one({"_id": doc_id(customer.tenant_id, customer.id)})
        if old is not None and old.get("version", "") >= version:
            return False  # stale or a duplicate: nothing to count, nothing to store
        fields = customer_fields(customer)
        change = _is_active(fields) - _is_active(old)
        if change:
            self.count_change(customer.tenant_id, change, f"{customer.id}@{version}")
        return apply_snapshot(self._coll(), customer.tenant_id, customer.id, version, fields)

    def count_change(self, tenant_id: str, change: int, snapshot: str) -> None:
        """Once per snapshot: a counter that names `snapshot` already has its change."""
        with suppress(DuplicateKeyError):  # it exists and names it: counted before a crash
            self._store.collection(COUNTS).update_one(
                {"_id": tenant_id, "counted": {"$ne": snapshot}},
                {"$inc": {"active": change},
                 "$set": {"tenant_id": tenant_id, "counted": snapshot}}, upsert=True)


def _is_active(doc: Mapping[str, Any] | None) -> int:
    return int(doc is not None and bool(doc.get("active")) and not doc.get("deleted"))
