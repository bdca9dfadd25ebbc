"""Invoices read model in MongoDB: stored as the snapshot said, plus keys to query by."""
from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from clientsynq.portal.adapters.codec import from_doc, to_doc
from clientsynq.portal.adapters.mongo_common import (
    KEY1,
    KEY2,
    apply_snapshot,
    contains,
    doc_id,
    keyset_page,
)
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.domain.model import Invoice
from clientsynq.portal.domain.views import InvoiceStatus, Page
from clientsynq.portal.readmodels.keys import NO_DUE, date_key, id_key
from clientsynq.portal.readmodels.queries import InvoiceQuery
from pymongo import ASCENDING, DESCENDING, IndexModel

COLLECTION = "invoices"
INDEXES = [
    IndexModel([("tenant_id", ASCENDING), (KEY1, DESCENDING), (KEY2, DESCENDING)],
               name="tenant_txn_id"),
    IndexModel([("tenant_id", ASCENDING), ("customer_id", ASCENDING), ("is_open", ASCENDING)],
               name="tenant_customer_open"),
]
_ZERO = Decimal("0")


def invoice_fields(invoice: Invoice) -> dict[str, Any]:
    """A deleted stub only marks the invoice deleted: what we knew of it is kept."""
    if invoice.deleted:
        return {"tenant_id": invoice.tenant_id, "id": invoice.id, "deleted": True,
                "updated_at": invoice.updated_at, "is_open": False, "is_partial": False}
    return {**to_doc(invoice), KEY1: date_key(invoice.txn_date), KEY2: id_key(invoice.id),
            "k_due": date_key(invoice.due_date, NO_DUE),
            "is_open": invoice.balance > _ZERO,
            "is_partial": _ZERO < invoice.balance < invoice.total,
            "search": " ".join(part.casefold() for part in
                               (invoice.doc_number, invoice.customer_name) if part)}


def status_condition(status: InvoiceStatus, today: date) -> dict[str, Any]:
    """The stored form of `domain.views.invoice_status` (the contract tests hold them equal)."""
    t = today.isoformat()
    conditions: dict[str, dict[str, Any]] = {
        "voided": {"voided": True},
        "paid": {"voided": False, "is_open": False},
        "overdue": {"voided": False, "is_open": True, "k_due": {"$lt": t}},
        "partially_paid": {"voided": False, "is_partial": True, "k_due": {"$gte": t}},
        "open": {"voided": False, "is_open": True, "is_partial": False, "k_due": {"$gte": t}},
    }
    return conditions[status]


def invoice_match(tenant_id: str, query: InvoiceQuery, today: date) -> dict[str, Any]:
    match: dict[str, Any] = {"tenant_id": tenant_id, "deleted": False}
    ands: list[dict[str, Any]] = []
    if query.statuses:
        ands.append({"$or": [status_condition(s, today) for s in query.statuses]})
    if query.customer_id is not None:
        match["customer_id"] = query.customer_id
    due: dict[str, str] = {}
    if query.due_before is not None:
        due["$lt"] = query.due_before.isoformat()
    if query.due_after is not None:
        ands.append({"k_due": {"$gt": query.due_after.isoformat()}})
        due.setdefault("$lt", NO_DUE)
    if due:
        match["k_due"] = due
    if query.updated_since is not None:
        match["updated_at"] = {"$gte": query.updated_since}
    if query.search:
        match["search"] = contains(query.search)
    return {"$and": [match, *ands]} if ands else match


def load_invoice(doc: Mapping[str, Any]) -> Invoice:
    return from_doc(Invoice, doc)


class MongoInvoices:
    def __init__(self, store: MongoReadStore) -> None:
        self._store = store

    def _coll(self) -> Any:
        return self._store.collection(COLLECTION)

    def get(self, tenant_id: str, invoice_id: str) -> Invoice | None:
        doc = self._coll().find_one({"_id": doc_id(tenant_id, invoice_id),
                                     "tenant_id": tenant_id, "deleted": False})
        return None if doc is None else load_invoice(doc)

    def page(self, tenant_id: str, query: InvoiceQuery, today: date) -> Page[Invoice]:
        return keyset_page(self._coll(), invoice_match(tenant_id, query, today),
                           cursor=query.cursor, limit=query.limit, descending=True,
                           load=load_invoice)

    def receivables(self, tenant_id: str, customer_ids: Collection[str]) -> list[Invoice]:
        if not customer_ids:
            return []
        docs = self._coll().find({"tenant_id": tenant_id, "customer_id": {"$in": [*customer_ids]},
                                  "is_open": True, "voided": False, "deleted": False})
        return [load_invoice(doc) for doc in docs]

    def apply(self, invoice: Invoice, version: str) -> bool:
        return apply_snapshot(self._coll(), invoice.tenant_id, invoice.id, version,
                              invoice_fields(invoice))
