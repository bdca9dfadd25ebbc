"""The invoice list as day buckets, so a list page is a handful of `_id` lookups.

FerretDB 1.x (SQLite) pushes down exactly one kind of query: a filter that is `{_id: <string>}`
and nothing else (`explain()`: filterPushdown true). Any other filter, any range, any sort —
even `{_id, tenant_id}` — makes it decode and filter every document of the collection in
memory, so with 50,000 invoices a page costs seconds whatever the indexes. MongoDB would serve
the same page from an index, but two `_id` lookups are fast there too.

So the projection keeps, beside each invoice document, its list row (the same stored fields)
in a bucket per (tenant, class, transaction date), `_id` `<tenant>:<class>:<date>`, and per
(tenant, class) a directory of the dates that have rows, `_id` `<tenant>:<class>`. The class
is what no clock can change: `open` (a balance due, not voided: open, overdue or partially
paid *today*) or `closed` (paid or voided). A page walks the dates newest first and reads
one bucket per date and class until it has its rows; the status *today* is computed from
each row with the domain's `invoice_status`, so it is never stale. An empty bucket leaves
its directory, so an "overdue" page reads only dates that still hold unpaid invoices.

Writes are `$set`/`$unset` of one row by `_id`. FerretDB applies a filtered update as
read-then-write, so two writers to one bucket could lose a row; one tenant's invoice events
arrive in order on one partition (the producer keys by tenant) and are applied one at a
time, so a bucket has one writer. A rebuild from Kafka rewrites every bucket.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from clientsynq.portal.adapters.mongo_common import KEY1, KEY2
from clientsynq.portal.adapters.store import MongoReadStore

DIRECTORY = "invoice_list_days"
BUCKETS = "invoice_list_rows"
OPEN, CLOSED = "open", "closed"
_SAFE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def row_class(fields: Mapping[str, Any]) -> str | None:
    """The bucket class of a stored invoice; None for a deleted one (it leaves every list)."""
    if fields.get("deleted"):
        return None
    return OPEN if fields.get("is_open") and not fields.get("voided") else CLOSED


def row_key(k2: str) -> str:
    """A field name for the row (`.` and `$` are not allowed in one): the id key itself when
    it is plain, a hash otherwise."""
    return k2 if _SAFE.fullmatch(k2) else hashlib.sha256(k2.encode()).hexdigest()[:40]


def bucket_id(tenant_id: str, klass: str, day: str) -> str:
    return f"{tenant_id}:{klass}:{day}"


def directory_id(tenant_id: str, klass: str) -> str:
    return f"{tenant_id}:{klass}"


class InvoiceDays:
    def __init__(self, store: MongoReadStore) -> None:
        self._store = store

    def _directory(self) -> Any:
        return self._store.collection(DIRECTORY)

    def _buckets(self) -> Any:
        return self._store.collection(BUCKETS)

    def days(self, tenant_id: str, klass: str) -> list[str]:
        doc = self._directory().find_one({"_id": directory_id(tenant_id, klass)})
        return sorted(doc["days"], reverse=True) if doc else []

    def rows(self, tenant_id: str, klass: str, day: str) -> list[Mapping[str, Any]]:
        doc = self._buckets().find_one({"_id": bucket_id(tenant_id, klass, day)})
        return list(doc["rows"].values()) if doc else []

    def move(self, old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> None:
        """Put the newly stored invoice's row where it belongs now, and take it out of the
        bucket it was in if that changed (or it was deleted)."""
        tenant_id = str(new["tenant_id"])
        was = _place(old)
        now = _place(new)
        if now is not None:
            klass, day, key = now
            self._buckets().update_one(
                {"_id": bucket_id(tenant_id, klass, day)},
                {"$set": {f"rows.{key}": _row(new), "tenant_id": tenant_id}}, upsert=True)
            if was is None or was[:2] != now[:2]:
                self._directory().update_one({"_id": directory_id(tenant_id, klass)},
                                             {"$addToSet": {"days": day},
                                              "$set": {"tenant_id": tenant_id}}, upsert=True)
        if was is not None and was != now:
            self._remove(tenant_id, *was)

    def _remove(self, tenant_id: str, klass: str, day: str, key: str) -> None:
        bid = bucket_id(tenant_id, klass, day)
        left = self._buckets().find_one_and_update(
            {"_id": bid}, {"$unset": {f"rows.{key}": ""}}, return_document=True)
        if left is not None and not left.get("rows"):
            self._directory().update_one({"_id": directory_id(tenant_id, klass)},
                                         {"$pull": {"days": day}})
            self._buckets().delete_one({"_id": bid})

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
            bucket = buckets.setdefault(bucket_id(tenant_id, klass, day),
                                        {"tenant_id": tenant_id, "rows": {}})
            bucket["rows"][key] = _row(doc)
            directory = days.setdefault(directory_id(tenant_id, klass),
                                        {"tenant_id": tenant_id, "days": set()})
            directory["days"].add(day)
        ids = sorted(buckets)
        for start in range(0, len(ids), 100):
            self._buckets().insert_many([{"_id": bid, **buckets[bid]}
                                         for bid in ids[start:start + 100]])
        if days:
            self._directory().insert_many([
                {"_id": did, "tenant_id": d["tenant_id"], "days": sorted(d["days"])}
                for did, d in days.items()])


def _place(doc: Mapping[str, Any] | None) -> tuple[str, str, str] | None:
    if doc is None:
        return None
    klass = row_class(doc)
    if klass is None or KEY1 not in doc:
        return None
    return klass, str(doc[KEY1]), row_key(str(doc[KEY2]))


def _row(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("_id", "search")}
