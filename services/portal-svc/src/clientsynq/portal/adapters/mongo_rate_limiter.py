"""A fixed-window rate limiter per key, shared by every worker and replica through MongoDB.

Each allowed request claims one numbered slot of its key's current window by inserting
`<key hash>:<window>:<n>`, n in 1..limit. A unique `_id` insert is the one write that is
atomic on FerretDB 1.x as on MongoDB (a `$inc` upsert is read-then-write on FerretDB and
loses counts under concurrency), so however many processes race, at most `limit` requests
of a key are allowed per window. A process claims a key's slots in blocks (one `insert_many`,
unordered: the slots another process took first fail alone) of a fiftieth of the limit, at
most 50, at least 1, and spends them on its next requests of that key without a round trip:
a write per request was most of a read's wait on a busy FerretDB (an insert's median 120 ms
against 14 ms for a lookup, 4 December, loaded). The limit stays exact as an upper bound;
what a block costs is accuracy the other way: slots a process claimed and has not spent yet
are not available to the others, so a key spread over several processes may be refused up to
(block - 1) per process early near the end of a window, and `remaining` counts slots claimed.
With a limit under 100 the block is one slot, as before. Each process remembers the last slot
it saw taken; a process new to a window finds the first free slot with `_id` lookups (the one
query FerretDB answers from an index). Once the last slot is taken, refusals cost nothing.
Windows follow the wall clock so that every process agrees on them.
"""
from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.api.ports import RateDecision
from pymongo import ASCENDING, IndexModel
from pymongo.errors import BulkWriteError

DUPLICATE_KEY = 11000
MAX_BLOCK = 50

COLLECTION = "rate_limit_slots"
# MongoDB drops a window's slots once it has ended; each process also deletes ended windows
# once per window (FerretDB 1.x may not run TTL monitors).
INDEXES = [IndexModel([("expires_at", ASCENDING)], name="expire", expireAfterSeconds=0)]


class MongoRateLimiter:
    def __init__(self, store: MongoReadStore, limit: int, window_seconds: int = 60,
                 clock: Callable[[], float] = time.time, block: int | None = None) -> None:
        """`block`: slots claimed at once; by default a fiftieth of the limit (1 to 50)."""
        self._store, self._limit, self._window, self._clock = store, limit, window_seconds, clock
        self._seen: dict[str, tuple[int, int]] = {}  # key → (window, last slot seen taken)
        self._owned: dict[str, tuple[int, list[int]]] = {}  # key → (window, slots to spend)
        self._block = block or max(1, min(limit // 50, MAX_BLOCK))
        self._cleaned = -1
        self._lock = threading.Lock()

    def _coll(self) -> Any:
        return self._store.base[COLLECTION]

    def hit(self, key: str) -> RateDecision:
        now = self._clock()
        window = math.floor(now / self._window)
        reset = max(1, math.ceil((window + 1) * self._window - now))
        self._forget_past(window)
        slot = self._spend_owned(key, window)
        if slot is None:
            prefix = f"{hashlib.sha256(key.encode()).hexdigest()[:32]}:{window}:"
            slot = self._claim(key, window, prefix, self._start(key, window, prefix),
                               datetime.fromtimestamp((window + 1) * self._window, UTC))
        return RateDecision(allowed=slot <= self._limit, limit=self._limit,
                            remaining=max(0, self._limit - slot), reset_seconds=reset)

    def _spend_owned(self, key: str, window: int) -> int | None:
        with self._lock:
            owned = self._owned.get(key)
            if owned is None or owned[0] != window or not owned[1]:
                return None
            return owned[1].pop(0)

    def _start(self, key: str, window: int, prefix: str) -> int:
        """The first slot worth trying: after the last one this process saw taken, or, new to
        the window, the first free one found by galloping and bisecting on `_id` lookups."""
        with self._lock:
            seen = self._seen.get(key)
        if seen is not None and seen[0] == window:
            return seen[1] + 1
        taken = 0  # every slot up to `taken` is known taken; `free` is known free
        free, step = None, 1
        while free is None:
            probe = min(taken + step, self._limit)
            if self._is_taken(prefix, probe):
                taken, step = probe, step * 2
                if taken >= self._limit:
                    return self._limit + 1
            else:
                free = probe
        while free - taken > 1:
            middle = (taken + free) // 2
            taken, free = (middle, free) if self._is_taken(prefix, middle) else (taken, middle)
        return free

    def _is_taken(self, prefix: str, slot: int) -> bool:
        return self._coll().find_one({"_id": f"{prefix}{slot}"}) is not None

    def _claim(self, key: str, window: int, prefix: str, slot: int,
               expires_at: datetime) -> int:
        """The slot this request took (the rest of its block kept to spend), or limit + 1
        when every slot is taken."""
        while slot <= self._limit:
            wanted = list(range(slot, min(slot + self._block, self._limit + 1)))
            got = self._insert(prefix, wanted, expires_at)
            with self._lock:
                last = self._seen.get(key, (window, 0))
                self._seen[key] = (window, max(wanted[-1],
                                               last[1] if last[0] == window else 0))
                if got:
                    owned = self._owned.get(key)
                    spare = owned[1] if owned is not None and owned[0] == window else []
                    self._owned[key] = (window, spare + got[1:])
                    return got[0]
            slot = wanted[-1] + 1
        with self._lock:  # every slot is taken: refusals cost nothing until the window ends
            self._seen[key] = (window, self._limit)
        return self._limit + 1

    def _insert(self, prefix: str, slots: list[int], expires_at: datetime) -> list[int]:
        """The slots of `slots` this call inserted (the others were taken already)."""
        try:
            self._coll().insert_many([{"_id": f"{prefix}{n}", "expires_at": expires_at}
                                      for n in slots], ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != DUPLICATE_KEY for e in errors):
                raise
            failed = {e["index"] for e in errors}
            return [n for i, n in enumerate(slots) if i not in failed]
        return slots

    def _forget_past(self, window: int) -> None:
        """Once per window: drop what this process remembers of, and the slots of, ended
        windows."""
        with self._lock:
            if self._cleaned == window:
                return
            self._cleaned = window
            self._seen = {k: v for k, v in self._seen.items() if v[0] == window}
            self._owned = {k: v for k, v in self._owned.items() if v[0] == window}
        self._coll().delete_many(
            {"expires_at": {"$lte": datetime.fromtimestamp(window * self._window, UTC)}})
