"""The invoice list as day buckets, so a list page is a handful of `_id` lookups.

FerretDB 1.x (SQLite) pushes down exactly one kind of query: a filter that is `{_id: <string>}`
and nothing else (`explain()`: filterPushdown true). Any other filter, any range, any sort —
even `{_id, tenant_id}` — makes it decode and filter every document of the collection in
memory. And even the `_id` lookup was a table scan: FerretDB 1.24 wrote its `_id` condition
as `_ferretdb_sjson->'$._id'` while its unique index is on `_ferretdb_sjson->"_id"`, so SQLite
never used the index (`explain()` plan: `SCAN <table>`) and a lookup cost a JSON parse of
every document in the collection (a 58 KiB bucket in a 118 MB collection: 1.5-2.4 s; the same
bucket alone: 25 ms). deploy/local now patches FerretDB so the lookup uses the index
(3f8a10f); a stock FerretDB 1.24 still scans.

So the projection keeps, beside each invoice document, its list row in a bucket per (tenant,
transaction date), `_id` `<tenant>:<date>`, in one of two maps by class, and per tenant a
directory of the dates that have rows of each class, `_id` `<tenant>:days`. Each row is one
compact JSON string of the fields a list shows (no lines or applied payments): FerretDB 1.x
stores and decodes a nested document field by field with a type schema beside each, so a
bucket of whole invoices was a fifth as fast to read. The class is what no clock can change:
`open` (a balance due, not voided: open, overdue or partially paid *today*) or `closed` (paid
or voided). A page reads the directory, then one bucket per date, newest first, until it has
its rows (a first page: two lookups); the status *today* is computed from each row with the
domain's `invoice_status`, so it is never stale. A date whose class map empties leaves that
class's dates, so an "overdue" page reads only dates that still hold unpaid invoices.

Writes are `$set`/`$unset` of one row by `_id`. FerretDB applies a filtered update as
read-then-write, so two writers to one bucket could lose a row; one tenant's invoice events
arrive in order on one partition (the producer keys by tenant) and are applied one at a
time, so a bucket has one writer. A rebuild from Kafka rewrites every bucket.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from clientsynq.portal.adapters.mongo_common import KEY1, KEY2
from clientsynq.portal.adapters.store import MongoReadStore

DIRECTORY = "invoice_list_days"
BUCKETS = "invoice_list_rows"
OPEN, CLOSED = "open", "closed"
_SAFE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# What a list row leaves out of the stored invoice: no list shows them, and the lines make
# up most of a row's bytes (an invoice's detail is read from the invoice itself).
_NOT_LISTED = frozenset({"_id", "search", "lines", "applied_payments", "tenant_id", "version",
                         "deleted", "k_due", "is_open", "is_partial", "sync_token",
                         "command_id", "listed_from"})
_TIMES = ("updated_at", "created_at")


def row_class(fields: Mapping[str, Any]) -> str | None:
    """The bucket class of a stored invoice; None for a deleted one (it leaves every list)."""
    if fields.get("deleted"):
        return None
    return OPEN if fields.get("is_open") and not fields.get("voided") else CLOSED


def row_key(k2: str) -> str:
    """A field name for the row (`.` and `$` are not allowed in one): the id key itself when
    it is plain, a hash otherwise."""
    return k2 if _SAFE.fullmatch(k2) else hashlib.sha256(k2.encode()).hexdigest()[:40]


def bucket_id(tenant_id: str, day: str) -> str:
    return f"{tenant_id}:{day}"


def directory_id(tenant_id: str) -> str:
    return f"{tenant_id}:days"


class InvoiceDays:
    def __init__(self, store: MongoReadStore) -> None:
        self._directory = ById(store, DIRECTORY)
        self._buckets = ById(store, BUCKETS)

    def days(self, tenant_id: str) -> dict[str, list[str]]:
        """Per class, the dates that hold rows of it, newest first (one lookup)."""
        doc = self._directory.find_one(directory_id(tenant_id))
        if doc is None or doc.get("tenant_id") != tenant_id:
            return {OPEN: [], CLOSED: []}
        return {klass: sorted(doc.get(klass, []), reverse=True) for klass in (OPEN, CLOSED)}

    def rows(self, tenant_id: str, day: str, classes: Iterable[str]) -> list[dict[str, Any]]:
        """The rows of those classes on that date (one lookup)."""
        doc = self._buckets.find_one(bucket_id(tenant_id, day))
        if doc is None or doc.get("tenant_id") != tenant_id:
            return []
        return [decode_row(raw, tenant_id) for klass in classes
                for raw in doc.get(klass, {}).values()]

    def move(self, old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> None:
        """Put the newly stored invoice's row where it belongs now, and take it out of the
        bucket it was in if that changed (or it was deleted)."""
        tenant_id = str(new["tenant_id"])
        was = _place(old)
        now = _place(new)
        if now is not None:
            klass, day, key = now
            bid = bucket_id(tenant_id, day)
            self._buckets.of(bid).update_one(
                {"_id": bid}, {"$set": {f"{klass}.{key}": encode_row(new), "tenant_id": tenant_id}},
                upsert=True)
            if was is None or was[:2] != now[:2]:
                did = directory_id(tenant_id)
                self._directory.of(did).update_one(
                    {"_id": did}, {"$addToSet": {klass: day}, "$set": {"tenant_id": tenant_id}},
                    upsert=True)
        if was is not None and was != now:
            self._remove(tenant_id, *was)

    def _remove(self, tenant_id: str, klass: str, day: str, key: str) -> None:
        bid = bucket_id(tenant_id, day)
        left = self._buckets.of(bid).find_one_and_update(
            {"_id": bid}, {"$unset": {f"{klass}.{key}": ""}}, return_document=True)
        if left is None or left.get(klass):
            return
        did = directory_id(tenant_id)
        self._directory.of(did).update_one({"_id": did}, {"$pull": {klass: day}})
        if not any(left.get(other) for other in (OPEN, CLOSED)):
            self._buckets.of(bid).delete_one({"_id": bid})

    def load(self, docs: Iterable[Mapping[str, Any]]) -> None:
        """Fill the buckets of a generation that has none yet from invoices inserted as stored
        documents (benchmarks): whole documents in batches, not one row at a time."""
        buckets: dict[str, dict[str, Any]] = {}
        days: dict[str, dict[str, Any]] = {}
        for doc in docs:
            place = _place(doc)
            if place is None:
                continue
            klass, day, key = place
            tenant_id = str(doc["tenant_id"])
            bucket = buckets.setdefault(bucket_id(tenant_id, day),
                                        {"tenant_id": tenant_id, OPEN: {}, CLOSED: {}})
            bucket[klass][key] = encode_row(doc)
            directory = days.setdefault(directory_id(tenant_id),
                                        {"tenant_id": tenant_id, OPEN: set(), CLOSED: set()})
            directory[klass].add(day)
        self._buckets.insert_many({bid: {"_id": bid, **bucket} for bid, bucket in buckets.items()})
        self._directory.insert_many({did: {"_id": did, "tenant_id": d["tenant_id"],
                                           OPEN: sorted(d[OPEN]), CLOSED: sorted(d[CLOSED])}
                                     for did, d in days.items()})


def encode_row(doc: Mapping[str, Any]) -> str:
    """One string per row: FerretDB 1.x stores a type schema beside every field of a nested
    document, and decodes field by field; one string is stored and read as one value. Empty
    fields are left out (the record's defaults are the same)."""
    row = {k: (v.isoformat() if isinstance(v, datetime) else v)
           for k, v in doc.items() if k not in _NOT_LISTED and v not in (None, [], ())}
    return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def decode_row(raw: str, tenant_id: str) -> dict[str, Any]:
    row: dict[str, Any] = json.loads(raw)
    row["tenant_id"] = tenant_id
    for name in _TIMES:
        if isinstance(row.get(name), str):
            row[name] = datetime.fromisoformat(row[name])
    return row


class ById:
    """A collection read and written by `_id` alone (the one filter FerretDB 1.x pushes
    down); the search postings use it too."""

    def __init__(self, store: MongoReadStore, name: str) -> None:
        self._store, self._name = store, name

    def of(self, doc_id: str) -> Any:
        return self._store.collection(self._name)

    def find_one(self, doc_id: str) -> Any:
        return self.of(doc_id).find_one({"_id": doc_id})

    def insert_many(self, docs: Mapping[str, Mapping[str, Any]]) -> None:
        if docs:
            self.of("").insert_many(list(docs.values()))


def _place(doc: Mapping[str, Any] | None) -> tuple[str, str, str] | None:
    if doc is None:
        return None
    klass = row_class(doc)
    if klass is None or KEY1 not in doc:
        return None
    return klass, str(doc[KEY1]), row_key(str(doc[KEY2]))
