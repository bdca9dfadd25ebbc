"""Payments read model in MongoDB, indexed by the invoices each payment pays."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientsynq.portal.adapters.codec import from_doc, to_doc
from clientsynq.portal.adapters.mongo_common import (
    KEY1,
    KEY2,
    apply_snapshot,
    find_live,
    keyset_page,
)
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.domain.model import Payment
from clientsynq.portal.domain.views import Page
from clientsynq.portal.readmodels.keys import date_key, id_key
from clientsynq.portal.readmodels.queries import PaymentQuery
from pymongo import ASCENDING, DESCENDING, IndexModel

COLLECTION = "payments"
INDEXES = [
    IndexModel([("tenant_id", ASCENDING), (KEY1, DESCENDING), (KEY2, DESCENDING)],
               name="tenant_txn_id"),
    IndexModel([("tenant_id", ASCENDING), ("invoice_ids", ASCENDING)], name="tenant_invoice"),
]


def payment_fields(payment: Payment) -> dict[str, Any]:
    if payment.deleted:
        return {"tenant_id": payment.tenant_id, "id": payment.id, "deleted": True,
                "updated_at": payment.updated_at, "invoice_ids": []}
    return {**to_doc(payment), KEY1: date_key(payment.txn_date), KEY2: id_key(payment.id),
            "invoice_ids": [app.invoice_id for app in payment.applied_to]}


def load_payment(doc: Mapping[str, Any]) -> Payment:
    return from_doc(Payment, doc)


class MongoPayments:
    def __init__(self, store: MongoReadStore) -> None:
        self._store = store

    def _coll(self) -> Any:
        return self._store.collection(COLLECTION)

    def get(self, tenant_id: str, payment_id: str) -> Payment | None:
        doc = find_live(self._coll(), tenant_id, payment_id)
        return None if doc is None else load_payment(doc)

    def page(self, tenant_id: str, query: PaymentQuery) -> Page[Payment]:
        match: dict[str, Any] = {"tenant_id": tenant_id, "deleted": False}
        if query.customer_id is not None:
            match["customer_id"] = query.customer_id
        if query.invoice_id is not None:
            match["invoice_ids"] = query.invoice_id
        if query.updated_since is not None:
            match["updated_at"] = {"$gte": query.updated_since}
        return keyset_page(self._coll(), match, cursor=query.cursor, limit=query.limit,
                           descending=True, load=load_payment)

    def for_invoice(self, tenant_id: str, invoice_id: str) -> list[Payment]:
        docs = self._coll().find({"tenant_id": tenant_id, "invoice_ids": invoice_id,
                                  "deleted": False, "voided": False},
                                 sort=[(KEY1, DESCENDING), (KEY2, DESCENDING)])
        return [load_payment(doc) for doc in docs]

    def apply(self, payment: Payment, version: str) -> bool:
        return apply_snapshot(self._coll(), payment.tenant_id, payment.id, version,
                              payment_fields(payment))
