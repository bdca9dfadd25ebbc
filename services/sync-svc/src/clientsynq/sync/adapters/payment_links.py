"""What each payment was last seen to pay: its customer and the invoices it applied to.

QBO reports a deleted payment as a bare stub (Id and time), yet a read model must reverse
what the payment did — which customer, which invoices, how much each. So every published
payment leaves its links here (one document per payment, tenant-scoped), and a deleted
stub is sent with the links of the last snapshot. One bulk write per page.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pymongo import ASCENDING, IndexModel, ReplaceOne
from pymongo.database import Database

COLLECTION = "payment_links"
Link = dict[str, Any]


def link_indexes() -> list[IndexModel]:
    return [IndexModel([("tenant_id", ASCENDING), ("payment_id", ASCENDING)], name="tenant")]


class PaymentLinks:
    def __init__(self, db: Database[Any]) -> None:
        self._col = db[COLLECTION]

    def remember(self, tenant_id: str, links: Iterable[Link]) -> None:
        writes = [ReplaceOne({"_id": f"{tenant_id}|{link['payment_id']}",
                              "tenant_id": tenant_id},
                             {**link, "tenant_id": tenant_id}, upsert=True)
                  for link in links]
        if writes:
            self._col.bulk_write(writes, ordered=False)

    def known(self, tenant_id: str, payment_ids: Iterable[str]) -> dict[str, Link]:
        ids = sorted(set(payment_ids))
        if not ids:
            return {}
        return {doc["payment_id"]: doc for doc in self._col.find(
            {"tenant_id": tenant_id, "payment_id": {"$in": ids}}, {"_id": 0, "tenant_id": 0})}
