"""Pieces every Mongo read model shares: keyset pages and version-guarded upserts."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from clientsynq.common.mongo import upsert_if_newer
from clientsynq.portal.domain.views import Page
from clientsynq.portal.readmodels.keys import decode_cursor, encode_cursor
from pymongo import ASCENDING, DESCENDING
from pymongo.collection import Collection

T = TypeVar("T")
KEY1, KEY2 = "k1", "k2"  # the two sort keys of a list (e.g. transaction date, then id)


def keyset_page(collection: Collection[Any], match: dict[str, Any], *, cursor: str | None,
                limit: int, descending: bool, load: Callable[[Mapping[str, Any]], T]) -> Page[T]:
    """One page after `cursor`; one row more is read to know whether there is a next page."""
    conditions = [match]
    if cursor is not None:
        first, second = decode_cursor(cursor)
        op = "$lt" if descending else "$gt"
        conditions.append({"$or": [{KEY1: {op: first}}, {KEY1: first, KEY2: {op: second}}]})
    direction = DESCENDING if descending else ASCENDING
    docs = list(collection.find(conditions[0] if len(conditions) == 1 else {"$and": conditions},
                                sort=[(KEY1, direction), (KEY2, direction)], limit=limit + 1))
    has_more = len(docs) > limit
    docs = docs[:limit]
    next_cursor = encode_cursor((docs[-1][KEY1], docs[-1][KEY2])) if has_more else None
    return Page(items=tuple(load(doc) for doc in docs), next_cursor=next_cursor)


def contains(text: str) -> dict[str, Any]:
    """Case-insensitive substring match on a field stored casefolded."""
    return {"$regex": re.escape(text.strip().casefold())}


def apply_snapshot(collection: Collection[Any], tenant_id: str, entity_id: str, version: str,
                   fields: Mapping[str, Any]) -> bool:
    return upsert_if_newer(collection, tenant_id=tenant_id, key=entity_id, version=version,
                           fields=fields)


def doc_id(tenant_id: str, entity_id: str) -> str:
    """The same `_id` upsert_if_newer uses: tenant first, so ids never collide across tenants."""
    return f"{tenant_id}:{entity_id}"


def find_live(collection: Collection[Any], tenant_id: str, entity_id: str) -> Any:
    """A record by `_id` alone, the one filter FerretDB 1.x answers from an index (adding
    `tenant_id` or `deleted` to it makes FerretDB scan the collection); the tenant and the
    deleted flag are checked on the answer instead. None when absent, another tenant's or
    deleted."""
    doc = collection.find_one({"_id": doc_id(tenant_id, entity_id)})
    if doc is None or doc.get("tenant_id") != tenant_id or doc.get("deleted"):
        return None
    return doc
