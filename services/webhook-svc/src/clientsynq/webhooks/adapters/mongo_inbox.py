"""The Intuit inbox in MongoDB: raw notifications, the change log (dedupe + outbox), realms.

The change log is the outbox document itself: a change is recorded by *inserting* a
document whose `_id` is its dedupe key, carrying the `qbo.entity.changed` event as its
pending outbox entry. The unique `_id` is the one atomic test FerretDB 1.x offers, so two
replicas receiving the same notification at once record (and announce) it once.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bson import Binary
from clientsynq.common.events import format_time
from clientsynq.common.mongo import upsert_if_newer
from clientsynq.common.outbox import PENDING, outbox_fields, outbox_indexes
from clientsynq.webhooks.domain.inbox import RawNotification, RealmLink, RecordedChange
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

NOTIFICATIONS = "intuit_notifications"
CHANGES = "intuit_changes"
REALMS = "realms"


def inbox_indexes() -> dict[str, list[IndexModel]]:
    # expireAfterSeconds=0 lets MongoDB drop expired documents itself; `purge` does the
    # same explicitly, for FerretDB (where TTL support differs) and for tests.
    return {
        NOTIFICATIONS: [IndexModel([("expires_at", ASCENDING)], name="expires",
                                   expireAfterSeconds=0),
                        IndexModel([("result", ASCENDING), ("received_at", ASCENDING)],
                                   name="result_received")],
        CHANGES: [*outbox_indexes(), IndexModel([("expires_at", ASCENDING)], name="expires")],
        REALMS: [IndexModel([("realm_id", ASCENDING), ("changed_at", DESCENDING)],
                            name="realm_changed")],
    }


class MongoNotificationInbox:
    def __init__(self, db: Database[Any]) -> None:
        self._collection = db[NOTIFICATIONS]

    def add(self, notification: RawNotification) -> None:
        self._collection.insert_one({
            "_id": notification.id, "received_at": notification.received_at,
            "expires_at": notification.expires_at, "body": Binary(notification.body),
            "signature": notification.signature, "result": notification.result,
            "realm_ids": list(notification.realm_ids)})

    def set_result(self, notification_id: str, result: str) -> None:
        self._collection.update_one({"_id": notification_id}, {"$set": {"result": result}})

    def get(self, notification_id: str) -> RawNotification | None:
        doc = self._collection.find_one({"_id": notification_id})
        return _notification(doc) if doc is not None else None

    def pending(self, received_before: datetime, limit: int) -> Sequence[RawNotification]:
        docs = self._collection.find({"result": "pending",
                                      "received_at": {"$lt": received_before}},
                                     sort=[("received_at", ASCENDING)], limit=limit)
        return [_notification(doc) for doc in docs]

    def purge(self, now: datetime, limit: int) -> int:
        return purge_batch(self._collection, {"expires_at": {"$lte": now}}, limit)


def _notification(doc: dict[str, Any]) -> RawNotification:
    return RawNotification(id=doc["_id"], received_at=doc["received_at"],
                           expires_at=doc["expires_at"], body=bytes(doc["body"]),
                           signature=doc["signature"], result=doc["result"],
                           realm_ids=tuple(doc.get("realm_ids") or ()))


class MongoChangeLog:
    def __init__(self, db: Database[Any]) -> None:
        self._collection = db[CHANGES]

    def record(self, recorded: RecordedChange) -> bool:
        change = recorded.change
        try:
            self._collection.insert_one({
                "_id": change.dedupe_key, "tenant_id": recorded.tenant_id,
                "realm_id": change.realm_id, "entity": change.entity,
                "entity_id": change.entity_id, "operation": change.operation,
                "occurred_at": change.occurred_at, "deleted_id": change.deleted_id,
                "notification_id": recorded.notification_id,
                "recorded_at": recorded.recorded_at, "expires_at": recorded.expires_at,
                **outbox_fields([recorded.envelope])})
        except DuplicateKeyError:
            return False
        return True

    def purge(self, now: datetime, limit: int) -> int:
        return purge_batch(self._collection, {"expires_at": {"$lte": now}, PENDING: False},
                           limit)


def purge_batch(collection: Collection[Any], query: dict[str, Any], limit: int) -> int:
    """Delete at most `limit` matching documents: their ids, then a delete by those ids
    that repeats the condition (a document changed in between is left alone)."""
    ids = [doc["_id"] for doc in collection.find(query, projection=["_id"], limit=limit)]
    if not ids:
        return 0
    return int(collection.delete_many({**query, "_id": {"$in": ids}}).deleted_count)


class MongoRealmDirectory:
    """Looked up by realm, not by tenant: finding the tenant is the point of the lookup."""

    def __init__(self, db: Database[Any]) -> None:
        self._collection = db[REALMS]

    def apply(self, link: RealmLink) -> bool:
        return upsert_if_newer(self._collection, tenant_id=link.tenant_id, key=link.realm_id,
                               version=format_time(link.changed_at),
                               fields={"realm_id": link.realm_id, "status": link.status,
                                       "changed_at": link.changed_at})

    def tenant_for(self, realm_id: str) -> str | None:
        doc = self._collection.find_one({"realm_id": realm_id, "status": "connected"},
                                        sort=[("changed_at", DESCENDING)])
        return str(doc["tenant_id"]) if doc is not None else None
