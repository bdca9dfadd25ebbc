"""Invoice search served by `_id` lookups: a posting per (tenant, word prefix).

FerretDB 1.x scans and decodes a whole collection for any query but `{_id: <string>}`, so a
regex over 50,000 invoices took longer than a minute. The projection keeps, per tenant and
per first `PREFIX` characters of each word of "<number> <customer name>"
(`readmodels/search.py`), a posting `<tenant>:s:<prefix>` holding the list row of every live
invoice with such a word. A search reads the postings of its words (one to three lookups),
takes the smallest, keeps the rows that match (`search.matches`), and pages them in the
list's order.

A posting that grows past `CAP` rows (a word every invoice has: "inv", "customer") is marked
full and emptied: it is never read for candidates again. When every word of a query is
shorter than `PREFIX` or has a full posting, the search is answered by the indexed query
instead (an index on MongoDB, a collection scan on FerretDB): `candidates` returns None.

Writes are read-then-write of one posting by `_id`, like the buckets: one tenant's invoice
events are applied one at a time, so a posting has one writer.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from clientsynq.portal.adapters.mongo_common import KEY1, KEY2
from clientsynq.portal.adapters.mongo_invoice_days import ById, decode_row, encode_row, row_key
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.readmodels import search
from pymongo import ReturnDocument

POSTINGS = "invoice_search"
CAP = 500
_BESIDE = ThreadPoolExecutor(max_workers=8, thread_name_prefix="invoice-search")
_FULL: set[tuple[str, str]] = set()  # (database, posting id) known full in this process


def posting_id(tenant_id: str, prefix: str) -> str:
    return f"{tenant_id}:s:{prefix}"


def _entries(doc: Mapping[str, Any] | None) -> dict[str, str]:
    """A stored invoice's posting keys, or none when it is deleted."""
    if doc is None or doc.get("deleted") or KEY2 not in doc:
        return {}
    key = row_key(str(doc[KEY2]))
    return {prefix: key for prefix in search.prefixes(str(doc.get("search", "")))}


class InvoiceSearch:
    def __init__(self, store: MongoReadStore) -> None:
        self._store = store
        self._postings = ById(store, POSTINGS)

    def candidates(self, tenant_id: str, query: str) -> list[dict[str, Any]] | None:
        """The rows that match `query` (normalised), unordered; None when no posting can
        answer it."""
        best: dict[str, str] | None = None
        ids = [posting_id(tenant_id, prefix) for prefix in search.query_prefixes(query)[:3]]
        # The postings are read at once (one round trip deep, not one per word).
        read = _BESIDE.map if len(ids) > 1 else map
        for doc in read(self._postings.find_one, ids):
            if doc is None or doc.get("tenant_id") != tenant_id:
                return []  # no invoice has a word starting so: nothing matches
            if not doc.get("full") and (best is None or len(doc["rows"]) < len(best)):
                best = doc["rows"]
        if best is None:
            return None
        rows = [decode_row(raw, tenant_id) for raw in best.values()]
        return [row for row in rows if search.matches(
            search.search_text(row.get("doc_number"), row.get("customer_name")), query)]

    def move(self, old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> None:
        """The new row into each posting of its words; out of those it left."""
        tenant_id = str(new["tenant_id"])
        before, after = _entries(old), _entries(new)
        row = encode_row(new) if after else ""
        for prefix, key in after.items():
            self._put(tenant_id, prefix, key, row)
        for prefix, key in before.items():
            pid = posting_id(tenant_id, prefix)
            if after.get(prefix) != key and (self._store.active_name(), pid) not in _FULL:
                self._take_out(pid, key)

    def _take_out(self, pid: str, key: str) -> None:
        """An emptied posting is deleted, as a rebuild would never have written it."""
        collection = self._postings.of(pid)
        left = collection.find_one_and_update({"_id": pid}, {"$unset": {f"rows.{key}": ""}},
                                              return_document=ReturnDocument.AFTER)
        if left is not None and not left.get("rows") and not left.get("full"):
            collection.delete_one({"_id": pid})

    def _put(self, tenant_id: str, prefix: str, key: str, row: str) -> None:
        """One round trip; a posting found full is remembered (full stays full) and skipped."""
        pid = posting_id(tenant_id, prefix)
        known = (self._store.active_name(), pid)
        if known in _FULL:
            return
        collection = self._postings.of(pid)
        doc = collection.find_one_and_update(
            {"_id": pid}, {"$set": {f"rows.{key}": row, "tenant_id": tenant_id}},
            upsert=True, return_document=ReturnDocument.AFTER)
        if doc.get("full") or len(doc.get("rows", {})) > CAP:
            collection.replace_one({"_id": pid}, {"tenant_id": tenant_id, "full": True,
                                                  "rows": {}})
            _FULL.add(known)

    def load(self, docs: Iterable[Mapping[str, Any]]) -> None:
        """The postings of a generation that has none yet, from stored invoices (benchmarks)."""
        postings: dict[str, dict[str, Any]] = {}
        for doc in docs:
            tenant_id = str(doc["tenant_id"])
            for prefix, key in _entries(doc).items():
                pid = posting_id(tenant_id, prefix)
                posting = postings.setdefault(pid, {"_id": pid, "tenant_id": tenant_id,
                                                    "full": False, "rows": {}})
                if not posting["full"]:
                    posting["rows"][key] = encode_row(doc)
                    if len(posting["rows"]) > CAP:
                        posting.update(full=True, rows={})
        self._postings.insert_many(postings)


def sort_key(row: Mapping[str, Any]) -> tuple[str, str]:
    return str(row[KEY1]), str(row[KEY2])
