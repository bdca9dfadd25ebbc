"""One logical collection spread over several, by a hash of a shard key of each document.

Why: FerretDB 1.24 (SQLite) answers even `{_id: <string>}` by scanning the whole table (its
`_id` condition does not match the expression of its own `_id` index), so a lookup costs in
proportion to the bytes of the collection it is in. Spreading documents that are only ever
read and written by `_id` over `count` collections makes each lookup scan about 1/count of
them. On MongoDB it changes nothing but the collection a document is in.

The shard key is part of the `_id` chosen so that a small business's documents fall into
few collections (creating a collection costs FerretDB far more than a write), while a large
one's spread over many: e.g. the tenant and a part of the month for a list's day bucket.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from clientsynq.portal.adapters.store import MongoReadStore


def shard_name(base: str, key: str, count: int) -> str:
    """Stable across processes and versions (not Python's salted `hash`)."""
    digest = hashlib.blake2b(key.encode(), digest_size=4).digest()
    return f"{base}_{int.from_bytes(digest, 'big') % count:02d}"


def shard_names(base: str, count: int) -> list[str]:
    return [f"{base}_{n:02d}" for n in range(count)]


class Sharded:
    """The collection of one shard key among `count` (names `<base>_00` …); `key_of` gives
    the shard key of an `_id`."""

    def __init__(self, store: MongoReadStore, base: str, count: int,
                 key_of: Callable[[str], str]) -> None:
        self._store = store
        self.base = base
        self.count = count
        self._key_of = key_of

    def of(self, doc_id: str) -> Any:
        return self._store.collection(shard_name(self.base, self._key_of(doc_id), self.count))

    def find_one(self, doc_id: str) -> Any:
        """By `_id` alone: the one filter FerretDB 1.x pushes down."""
        return self.of(doc_id).find_one({"_id": doc_id})

    def insert_many(self, docs: Mapping[str, Mapping[str, Any]]) -> None:
        """New documents by `_id`, in one batch per collection."""
        by_shard: dict[str, list[Mapping[str, Any]]] = {}
        for doc_id, doc in docs.items():
            by_shard.setdefault(shard_name(self.base, self._key_of(doc_id), self.count),
                                []).append(doc)
        for name, batch in by_shard.items():
            self._store.collection(name).insert_many(batch)

    def names(self) -> list[str]:
        return shard_names(self.base, self.count)
