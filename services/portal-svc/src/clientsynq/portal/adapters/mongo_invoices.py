"""Invoices read model in MongoDB: stored as the snapshot said, plus keys to query by."""
from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
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
from clientsynq.portal.adapters.mongo_invoice_days import CLOSED, OPEN, InvoiceDays
from clientsynq.portal.adapters.mongo_invoice_search import InvoiceSearch, sort_key
from clientsynq.portal.adapters.mongo_list_versions import ListVersions
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.domain.model import Invoice
from clientsynq.portal.domain.views import InvoiceStatus, Page, invoice_status
from clientsynq.portal.readmodels import search
from clientsynq.portal.readmodels.keys import (
    NO_DUE,
    date_key,
    decode_cursor,
    encode_cursor,
    id_key,
)
from clientsynq.portal.readmodels.queries import InvoiceQuery
from pymongo import ASCENDING, DESCENDING, IndexModel

COLLECTION = "invoices"
LISTED_FROM = "listed_from"  # where the previous version was listed (`apply`)
INDEXES = [
    IndexModel([("tenant_id", ASCENDING), (KEY1, DESCENDING), (KEY2, DESCENDING)],
               name="tenant_txn_id"),
    IndexModel([("tenant_id", ASCENDING), ("customer_id", ASCENDING), ("is_open", ASCENDING)],
               name="tenant_customer_open"),
]
_ZERO = Decimal("0")
# Reads a first page makes beside its directory read (one each; gunicorn runs 4 threads).
_AHEAD = ThreadPoolExecutor(max_workers=8, thread_name_prefix="invoice-days")
_HINTS = 10_000  # newest-date hints kept per process, then forgotten all at once
_OPEN_STATUSES = {"open", "overdue", "partially_paid"}


def invoice_fields(invoice: Invoice) -> dict[str, Any]:
    """A deleted stub only marks the invoice deleted: what we knew of it is kept."""
    if invoice.deleted:
        return {"tenant_id": invoice.tenant_id, "id": invoice.id, "deleted": True,
                "updated_at": invoice.updated_at, "is_open": False, "is_partial": False}
    return {**to_doc(invoice), KEY1: date_key(invoice.txn_date), KEY2: id_key(invoice.id),
            "k_due": date_key(invoice.due_date, NO_DUE),
            "is_open": invoice.balance > _ZERO,
            "is_partial": _ZERO < invoice.balance < invoice.total,
            "search": search.search_text(invoice.doc_number, invoice.customer_name)}


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
    """Lists by status (or none) are read from the day buckets (`mongo_invoice_days`: `_id`
    lookups, the one query FerretDB 1.x pushes down), searches (with or without a status)
    from the search postings (`mongo_invoice_search`); lists that filter by customer, due
    date or update time, "voided" alone (rare), and searches no posting can answer, by an
    indexed query."""

    def __init__(self, store: MongoReadStore) -> None:
        self._store = store
        self._days = InvoiceDays(store)
        self._search = InvoiceSearch(store)
        self._versions = ListVersions(store)
        # (tenant, classes) → the newest date its last first page found (_bucket_page)
        self._newest: dict[tuple[str, tuple[str, ...]], str] = {}

    def _coll(self) -> Any:
        return self._store.collection(COLLECTION)

    def _stored(self, tenant_id: str, invoice_id: str) -> dict[str, Any] | None:
        """By `_id` alone (pushed down on FerretDB); the tenant is checked on the answer."""
        doc: dict[str, Any] | None = self._coll().find_one({"_id": doc_id(tenant_id, invoice_id)})
        return doc if doc is not None and doc.get("tenant_id") == tenant_id else None

    def get(self, tenant_id: str, invoice_id: str) -> Invoice | None:
        doc = self._stored(tenant_id, invoice_id)
        return None if doc is None or doc.get("deleted") else load_invoice(doc)

    def page(self, tenant_id: str, query: InvoiceQuery, today: date) -> Page[Invoice]:
        if query.search and _only_status(query):
            rows = self._search.candidates(tenant_id, search.normalise(query.search))
            if rows is not None:
                ordered = sorted(rows, key=sort_key, reverse=True)
                return _page_of([ordered], query, today)
        classes = _bucket_classes(query)
        if classes is None:
            return self._indexed_page(tenant_id, query, today)
        return self._bucket_page(tenant_id, query, today, classes)

    def _indexed_page(self, tenant_id: str, query: InvoiceQuery, today: date) -> Page[Invoice]:
        """The regex finds the text anywhere; a match must start at a word
        (`readmodels/search.py`), checked here: a page may come out short, never wrong."""
        page = keyset_page(self._coll(), invoice_match(tenant_id, query, today),
                           cursor=query.cursor, limit=query.limit, descending=True,
                           load=load_invoice)
        if not query.search:
            return page
        wanted = search.normalise(query.search)
        return Page(items=tuple(inv for inv in page.items if search.matches(
            search.search_text(inv.doc_number, inv.customer_name), wanted)),
            next_cursor=page.next_cursor)

    def _bucket_page(self, tenant_id: str, query: InvoiceQuery, today: date,
                     classes: tuple[str, ...]) -> Page[Invoice]:
        """The directory, then the buckets of its dates, newest first. A first page also
        reads, beside the directory, the bucket of the newest date the last first page of
        this tenant and classes found: used only when the directory just read still names it
        newest (a hint, never an answer), it makes a first page one round trip deep."""
        after = decode_cursor(query.cursor) if query.cursor is not None else None
        hint_key = (tenant_id, classes)
        hint = self._newest.get(hint_key) if after is None else None
        early = _AHEAD.submit(self._days.rows, tenant_id, hint, classes) if hint else None
        days = self._days.days(tenant_id)
        every = sorted({d for klass in classes for d in days[klass]
                        if after is None or d <= after[0]}, reverse=True)
        if after is None:
            self._remember_newest(hint_key, every[0] if every else None)

        def by_day() -> Iterator[list[dict[str, Any]]]:
            for n, day in enumerate(every):
                ahead = early if n == 0 and day == hint else None
                rows = ahead.result() if ahead else self._days.rows(tenant_id, day, classes)
                yield sorted(rows, key=lambda r: str(r[KEY2]), reverse=True)
        return _page_of(by_day(), query, today)

    def _remember_newest(self, key: tuple[str, tuple[str, ...]], day: str | None) -> None:
        if len(self._newest) > _HINTS:
            self._newest.clear()
        if day is None:
            self._newest.pop(key, None)
        else:
            self._newest[key] = day

    def list_version(self, tenant_id: str) -> str:
        return self._versions.current(tenant_id)

    def receivables(self, tenant_id: str, customer_ids: Collection[str]) -> list[Invoice]:
        if not customer_ids:
            return []
        docs = self._coll().find({"tenant_id": tenant_id, "customer_id": {"$in": [*customer_ids]},
                                  "is_open": True, "voided": False, "deleted": False})
        return [load_invoice(doc) for doc in docs]

    def apply(self, invoice: Invoice, version: str) -> bool:
        """The stored invoice, then its list row (moved if its date or class changed) and
        search postings, then a new list version (last: see `mongo_list_versions`).

        The snapshot carries where the invoice was listed before it (`LISTED_FROM`), so a
        worker stopped between the snapshot and its list writes leaves enough to finish
        them: the consumer commits after handling, the same snapshot comes again, and
        `_finish_redelivered` lists it (every list write is idempotent)."""
        stored = store_snapshot(self._coll(), invoice, version,
                                self._stored(invoice.tenant_id, invoice.id))
        if stored is None:
            self._finish_redelivered(invoice.tenant_id, invoice.id, version)
            return False
        self._list(stored)
        return True

    def _list(self, stored: Mapping[str, Any]) -> None:
        listed_from = stored.get(LISTED_FROM)
        self._days.move(listed_from, stored)
        self._search.move(listed_from, stored)
        self._versions.bump(str(stored["tenant_id"]))

    def _finish_redelivered(self, tenant_id: str, invoice_id: str, version: str) -> None:
        """The same version again (not an older one): list it again, in case the worker
        that stored it stopped before listing it. A duplicate costs an `_id` read and the
        list writes; an older snapshot costs the read alone."""
        stored = self._stored(tenant_id, invoice_id)
        if stored is not None and stored.get("version") == version:
            self._list(stored)


def store_snapshot(collection: Any, invoice: Invoice, version: str,
                   old: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The first step of `MongoInvoices.apply`: the snapshot, if newer than `old`'s, with
    where `old` was listed; the document as stored, or None. (Alone, it is the state a
    worker killed mid-apply leaves.)"""
    fields = {**invoice_fields(invoice), LISTED_FROM: _placement(old)}
    if not apply_snapshot(collection, invoice.tenant_id, invoice.id, version, fields):
        return None
    return {**fields, "tenant_id": invoice.tenant_id, "version": version}


def _placement(doc: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What decides where a stored invoice is listed: its list row's bucket and key
    (`mongo_invoice_days`) and its search postings (`mongo_invoice_search`)."""
    if doc is None:
        return None
    return {k: doc[k] for k in (KEY1, KEY2, "deleted", "is_open", "voided", "search")
            if k in doc}


def _page_of(groups: Iterable[list[dict[str, Any]]], query: InvoiceQuery,
             today: date) -> Page[Invoice]:
    """A page from rows in the list's order (newest date, then id, first), read group by
    group until one row more than the page is found: after the cursor, of a wanted status
    *today*. Rows past that one are not loaded (a bucket holds a whole day's invoices)."""
    after = decode_cursor(query.cursor) if query.cursor is not None else None
    wanted = set(query.statuses)
    found: list[tuple[tuple[str, str], Invoice]] = []
    for rows in groups:
        for row in rows:
            key = sort_key(row)
            if after is not None and not key < after:
                continue
            invoice = load_invoice(row)
            if wanted and invoice_status(invoice, today) not in wanted:
                continue
            found.append((key, invoice))
            if len(found) > query.limit:
                break
        if len(found) > query.limit:
            break
    page = found[:query.limit]
    more = len(found) > query.limit
    return Page(items=tuple(inv for _, inv in page),
                next_cursor=encode_cursor(page[-1][0]) if more else None)


def _only_status(query: InvoiceQuery) -> bool:
    return (query.customer_id is None and query.due_before is None and query.due_after is None
            and query.updated_since is None)


def _bucket_classes(query: InvoiceQuery) -> tuple[str, ...] | None:
    """The bucket classes a query reads, or None when it is for the indexed query."""
    if (query.customer_id is not None or query.due_before is not None or query.search
            or query.due_after is not None or query.updated_since is not None
            or set(query.statuses) == {"voided"}):
        return None
    wanted = set(query.statuses)
    if not wanted:
        return (OPEN, CLOSED)
    return tuple(klass for klass, statuses in ((OPEN, _OPEN_STATUSES),
                                               (CLOSED, {"paid", "voided"}))
                 if wanted & statuses)
