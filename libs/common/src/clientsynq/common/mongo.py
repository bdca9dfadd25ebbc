"""MongoDB for every service: client factory, index bootstrap, version-guarded upserts.

The same code runs on MongoDB (production) and FerretDB 1.x (developer machines, CI), so
it stays inside their common subset: single-document atomic updates, unique indexes, no
multi-document transactions, no change streams.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import IndexModel, MongoClient
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, OperationFailure

log = logging.getLogger(__name__)


def connect_mongo(uri: str, *, app_name: str = "clientsynq", timeout_ms: int = 5000,
                  socket_timeout_ms: int = 60_000) -> MongoClient[dict[str, Any]]:
    """UTC-aware datetimes everywhere: naive ones are how time zones bugs start.

    Every operation has an end (`socket_timeout_ms`): pymongo's default is to wait forever,
    and the e2e drill restarting FerretDB caught the portal worker blocked for minutes in
    one `update_one` the restarted server never answered, consuming nothing and deaf to
    SIGTERM. The timeout raises NetworkTimeout, which handlers and loops already retry."""
    return MongoClient(uri, appname=app_name, tz_aware=True, tzinfo=UTC,
                       serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms,
                       socketTimeoutMS=socket_timeout_ms)


def ensure_indexes(db: Database[Any], specs: Mapping[str, Sequence[IndexModel]]) -> None:
    """Create every index; safe to run at each start and by several replicas at once.

    An option the server does not support (FerretDB 1.x lacks some, e.g. TTL and partial
    filters) is dropped and the index created without it, rather than failing start. That is
    said once per call, in one line naming every collection concerned: a line per index on
    every start of every process was noise in `make run` (issue 9).
    """
    dropped: dict[str, set[str]] = {}
    for collection, indexes in specs.items():
        for index in indexes:
            for option in _create_index(db[collection], index):
                dropped.setdefault(option, set()).add(collection)
    if dropped:
        log.info("mongo.index_options_unsupported", extra={
            "database": db.name, "options": {k: sorted(v) for k, v in sorted(dropped.items())}})


OPTIONAL_INDEX_OPTIONS = frozenset({"partialFilterExpression", "expireAfterSeconds",
                                    "collation", "sparse"})


def _create_index(collection: Collection[Any], index: IndexModel) -> list[str]:
    """The options the server refused (the index then exists without them)."""
    document = dict(index.document)
    keys = list(document.pop("key").items())
    try:
        collection.create_index(keys, **document)
        return []
    except OperationFailure:
        dropped = sorted(k for k in document if k in OPTIONAL_INDEX_OPTIONS)
        if not dropped:
            raise
    collection.create_index(keys, **{k: v for k, v in document.items()
                                     if k not in OPTIONAL_INDEX_OPTIONS})
    return dropped


def snapshot_version(updated_at: datetime, sync_token: str | int) -> str:
    """A string that sorts like (LastUpdatedTime, SyncToken), QBO's order of versions.

    One comparable scalar, because comparing arrays or two fields inside one atomic filter
    differs between MongoDB and FerretDB.
    """
    utc = updated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{utc}#{int(sync_token):012d}"


def upsert_if_newer(collection: Collection[Any], *, tenant_id: str, key: str, version: str,
                    fields: Mapping[str, Any], extra_update: Mapping[str, Any] | None = None
                    ) -> bool:
    """Apply a snapshot only if it is newer than what is stored; True if it was applied.

    Atomic on one document: the filter matches only an older version; when the document
    exists with a version as new or newer, the upsert collides on `_id` and we know the
    snapshot was stale or a duplicate (at-least-once delivery sends both).
    """
    doc_id = f"{tenant_id}:{key}"
    update: dict[str, Any] = {"$set": {**fields, "tenant_id": tenant_id, "version": version}}
    for op, values in (extra_update or {}).items():
        update.setdefault(op, {}).update(values)
    try:
        result = collection.update_one(
            {"_id": doc_id, "tenant_id": tenant_id, "version": {"$lt": version}}, update,
            upsert=True)
    except DuplicateKeyError:
        return False
    return result.modified_count == 1 or result.upserted_id is not None


def tenant_id_of(doc_id: str) -> str:
    return doc_id.split(":", 1)[0]
