"""What each payment was last seen to pay: its customer and the invoices it applied to.

QBO reports a deleted payment as a bare stub (Id and time), yet a read model must reverse
what the payment did — which customer, which invoices, how much each. So every published
payment leaves its links here (one document per payment, tenant-scoped), and a deleted
stub is sent with the links of the last snapshot.

Insert-only, one document per payment version (`updated_at`): FerretDB 1.x turns an
upsert into a read and a write (about 17 ms each, so 20 000 payments would take minutes),
while one unordered insert of a page's links takes a fraction of a second; a version seen
twice is a duplicate key, ignored. The newest version of each payment is the one used.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from clientsynq.common.mongo import connect_mongo
from pymongo import ASCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import BulkWriteError

COLLECTION = "payment_links"
DUPLICATE_KEY = 11000
Link = dict[str, Any]


def link_indexes() -> list[IndexModel]:
    return [IndexModel([("tenant_id", ASCENDING), ("payment_id", ASCENDING)], name="tenant")]


class PaymentLinks:
    def __init__(self, db: Database[Any]) -> None:
        self._col = db[COLLECTION]

    def remember(self, tenant_id: str, links: Iterable[Link]) -> None:
        docs = [{**link, "_id": f"{tenant_id}|{link['payment_id']}|{link['updated_at']}",
                 "tenant_id": tenant_id} for link in links]
        if not docs:
            return
        try:
            self._col.insert_many(docs, ordered=False)
        except BulkWriteError as err:
            if any(e.get("code") != DUPLICATE_KEY for e in err.details.get("writeErrors", [])):
                raise

    def known(self, tenant_id: str, payment_ids: Iterable[str]) -> dict[str, Link]:
        ids = sorted(set(payment_ids))
        if not ids:
            return {}
        newest: dict[str, Link] = {}
        for doc in self._col.find({"tenant_id": tenant_id, "payment_id": {"$in": ids}},
                                  {"_id": 0, "tenant_id": 0}):
            seen = newest.get(doc["payment_id"])
            if seen is None or str(doc.get("updated_at")) > str(seen.get("updated_at")):
                newest[doc["payment_id"]] = doc
        return newest


def open_payment_links(uri: str, database: str) -> PaymentLinks:
    """A reader of its own for a page-publishing child process (a spawned process cannot
    share the worker's client): bootstrap hands it over as a picklable partial."""
    return PaymentLinks(connect_mongo(uri, app_name="sync-pages")[database])
