"""Attempts per key in a sliding window, counted by reads by `_id` only.

Every attempt is still its own inserted document (a unique `_id`: concurrent attempts are
neither lost nor merged, on FerretDB 1.x too), but numbered per key: `<key>|<gen>|<n>`.
A key's head document says the generation and about how far the numbering got, and the
count is found by looking back from the newest slot, doubling the step, then halving it
(a few reads by `_id` for a key with hundreds of attempts a minute). Counting with a
filter on `key` and `at` scanned every attempt of every key on FerretDB 1.x, which
answers only `_id` equality by index: a quarter of auth-svc's time in the scale model's
connect phase, growing with every business (every sign-up there comes from one address).

The head's number is only a hint (on FerretDB a `$max` can be lost to a concurrent one):
the insert that meets a taken slot takes the next. The generation changes only when the
head is gone (expired a day after the key's last attempt), so stale slots never collide.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

HEAD_KEPT = timedelta(days=1)


class AttemptCounter:
    def __init__(self, slots: Collection[Any], heads: Collection[Any]) -> None:
        self._slots = slots
        self._heads = heads

    def count(self, key: str, now: datetime, window_seconds: int = 60) -> int:
        """Records this attempt; the key's attempts after `now - window`, this one included."""
        window = timedelta(seconds=window_seconds)
        gen, n = self._claim(key, now, window)
        since = now - window
        return n - self._first_recent(key, gen, n, since) + 1

    def _claim(self, key: str, now: datetime, window: timedelta) -> tuple[str, int]:
        head = self._head(key, now)
        gen, n = str(head["gen"]), int(head.get("n", 0)) + 1
        while True:
            try:
                self._slots.insert_one({"_id": _slot_id(key, gen, n), "key": key, "at": now,
                                        "expires_at": now + 2 * window})
                break
            except DuplicateKeyError:
                n += 1
        self._heads.update_one({"_id": key, "gen": gen},
                               {"$max": {"n": n}, "$set": {"expires_at": now + HEAD_KEPT}})
        return gen, n

    def _head(self, key: str, now: datetime) -> dict[str, Any]:
        head: dict[str, Any] | None = self._heads.find_one({"_id": key})
        if head is not None:
            return head
        fresh = {"_id": key, "gen": uuid.uuid4().hex[:12], "n": 0,
                 "expires_at": now + HEAD_KEPT}
        try:
            self._heads.insert_one(fresh)
            return fresh
        except DuplicateKeyError:  # a concurrent first attempt made it: use theirs
            theirs: dict[str, Any] | None = self._heads.find_one({"_id": key})
            return theirs or fresh

    def _first_recent(self, key: str, gen: str, n: int, since: datetime) -> int:
        """The lowest slot number from which every slot up to `n` is recent. Slots are
        numbered in the order attempts claimed them, so their times ascend; attempts made
        at the same moment can claim slots out of their time order, so at the window's
        edge those few milliseconds' attempts may count either way. A missing slot expired."""
        recent, step = n, 1
        while recent - step >= 1 and self._is_recent(key, gen, recent - step, since):
            recent -= step
            step *= 2
        while step > 1:
            step //= 2
            if recent - step >= 1 and self._is_recent(key, gen, recent - step, since):
                recent -= step
        return recent

    def _is_recent(self, key: str, gen: str, n: int, since: datetime) -> bool:
        slot = self._slots.find_one({"_id": _slot_id(key, gen, n)}, {"at": 1})
        return slot is not None and _aware(slot["at"], since) > since


def _slot_id(key: str, gen: str, n: int) -> str:
    return f"{key}|{gen}|{n:012d}"


def _aware(value: datetime, like: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=like.tzinfo)
