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

Bounded: least recently used pages are dropped past `entries` (0 turns the cache off),
and no page is served more than `max_age_seconds` after it was rendered. The version makes
the age bound unnecessary while every projection worker sets it; the bound caps what a
worker that does not (an older version during the upgrade to this one) could leave stale.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

DEFAULT_ENTRIES = 512  # ~20 KB a first page: about 10 MB per worker process at most
DEFAULT_MAX_AGE_SECONDS = 60.0


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    etag: str


class PageCache:
    def __init__(self, entries: int = DEFAULT_ENTRIES,
                 max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._entries, self._max_age, self._clock = entries, max_age_seconds, clock
        self._pages: OrderedDict[Hashable, tuple[float, CachedPage]] = OrderedDict()
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
            if found is not None and self._clock() - found[0] <= self._max_age:
                self._pages.move_to_end(key)
                return found[1]
        rendered_at = self._clock()
        page = render()
        with self._lock:
            self._pages[key] = (rendered_at, page)
            self._pages.move_to_end(key)
            while len(self._pages) > self._entries:
                self._pages.popitem(last=False)
        return page
