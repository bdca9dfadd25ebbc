"""A token per tenant that changes whenever its invoice list may have changed, so a list page
can be kept in memory and served again without being stale (`api/page_cache.py`).

The token is written after the invoice and its list row and search postings (`MongoInvoices
.apply`), and a reader reads it before the rows. So any page a reader keeps under a token
was read after that token was written, and every later write of a row is followed by a
write of a new token: the next reader sees another token and reads the rows again.

Each write sets a fresh random token (`$set` by `_id`, no read): unlike a counter, a write
that races another, or that FerretDB applies as read-then-write, can never leave the
document with a token some reader already saw with older rows. The token carries the
generation's database name, so a rebuild's swap changes it too.
"""
from __future__ import annotations

import uuid
from typing import Any

from clientsynq.portal.adapters.store import MongoReadStore

COLLECTION = "invoice_list_versions"


class ListVersions:
    def __init__(self, store: MongoReadStore) -> None:
        self._store = store

    def current(self, tenant_id: str) -> str:
        """One `_id` lookup. A tenant never written since this token existed has `-`: every
        write from then on sets a token, which is never `-`."""
        db = self._store.db()
        doc: dict[str, Any] | None = db[COLLECTION].find_one({"_id": tenant_id})
        return f"{db.name}/{doc['token'] if doc else '-'}"

    def bump(self, tenant_id: str) -> None:
        self._store.collection(COLLECTION).update_one(
            {"_id": tenant_id}, {"$set": {"token": uuid.uuid4().hex}}, upsert=True)
