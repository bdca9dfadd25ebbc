"""Customers read model in MongoDB."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientsynq.portal.adapters.codec import from_doc, to_doc
from clientsynq.portal.adapters.mongo_common import (
    KEY1,
    KEY2,
    apply_snapshot,
    contains,
    find_live,
    keyset_page,
)
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.domain.model import Customer
from clientsynq.portal.domain.views import Page
from clientsynq.portal.readmodels.keys import id_key, name_key
from clientsynq.portal.readmodels.queries import CustomerQuery
from pymongo import ASCENDING, IndexModel

COLLECTION = "customers"
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
        return int(self._coll().count_documents(
            {"tenant_id": tenant_id, "active": True, "deleted": False}))

    def apply(self, customer: Customer, version: str) -> bool:
        return apply_snapshot(self._coll(), customer.tenant_id, customer.id, version,
                              customer_fields(customer))
