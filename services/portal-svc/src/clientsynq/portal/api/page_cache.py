"""Rendered list pages kept in memory, per process, and served again only while provably
current.

A page is kept under everything its body depends on: the tenant, the portal client's
customer scope, the request's path and arguments, the date *today* (an invoice's status is
computed for today), and the tenant's list version (`InvoiceReadModel.list_version`), which
every applied invoice and a rebuild's swap change and which is read before the rows. So an
answer from the cache is the answer the rows would give now: a change is seen by the next
read, in every process, since every read asks the database for the version. What the cache
saves is the rows' round trips, decoding, derived values, JSON and ETag (most of a page's
Python time); the version costs one `_id` lookup, beside the rate limiter's.

Bounded: least recently used pages are dropped past `entries` (0 turns the cache off).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

DEFAULT_ENTRIES = 512  # ~20 KB a first page: about 10 MB per worker process at most


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    etag: str


class PageCache:
    def __init__(self, entries: int = DEFAULT_ENTRIES) -> None:
        self._entries = entries
        self._pages: OrderedDict[Hashable, CachedPage] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pages)

    def get_or_render(self, key: Hashable, render: Callable[[], CachedPage]) -> CachedPage:
        """Two threads missing the same key both render (the same answer); no lock is held
        while rendering."""
        if self._entries <= 0:
            return render()
        with self._lock:
            found = self._pages.get(key)
            if found is not None:
                self._pages.move_to_end(key)
                return found
        page = render()
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self._entries:
                self._pages.popitem(last=False)
        return page
