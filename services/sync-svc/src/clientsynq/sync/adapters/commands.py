"""The write-command ledger: one document per command id, so a redelivered command is
recognised, and a command whose outcome QBO left unknown is resolved rather than lost.

The states are the domain's (`domain/command_status.py`); `failed` means QBO refused the
command, or nothing was ever sent. The command itself is kept so the resolver can replay
it. Every query names the tenant but one: the resolver's `due_across`, which finds the open
commands whose retry time has come across tenants (by the `due` index), so a round costs
what is open, not how many tenants there are; what it does with each one names its tenant.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from clientsynq.common.outbox import outbox_indexes, with_outbox
from clientsynq.sync.domain.command_status import FAILED, IN_PROGRESS, OPEN, SUCCEEDED, UNKNOWN
from pymongo import ASCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

COLLECTION = "commands"
# A command `in_progress` this long was abandoned by a worker that died mid-POST.
ABANDONED_AFTER = timedelta(minutes=5)


def command_indexes() -> list[IndexModel]:
    return [IndexModel([("tenant_id", ASCENDING), ("created_at", ASCENDING)], name="tenant"),
            IndexModel([("tenant_id", ASCENDING), ("status", ASCENDING),
                        ("retry_at", ASCENDING)], name="unresolved"),
            IndexModel([("status", ASCENDING), ("retry_at", ASCENDING), ("_id", ASCENDING)],
                       name="due"),
            *outbox_indexes()]


def retry_delay(attempts: int, initial: float = 30.0) -> timedelta:
    """30 s, 1 min, 2 min … capped at an hour: QBO outages are usually minutes long."""
    return timedelta(seconds=min(3600.0, initial * 2 ** max(0, attempts - 1)))


class CommandLedger:
    def __init__(self, db: Database[Any], retry_initial: float = 30.0) -> None:
        self._col = db[COLLECTION]
        self._retry_initial = retry_initial

    def begin(self, tenant_id: str, command_id: str, command_type: str,
              envelope: Mapping[str, Any], now: datetime) -> dict[str, Any] | None:
        """The ledger entry to carry out (new, or still open), or None if it has settled."""
        doc = {"_id": command_id, "tenant_id": tenant_id, "command_type": command_type,
               "status": IN_PROGRESS, "attempts": 0, "command": dict(envelope),
               "created_at": now, "updated_at": now, "retry_at": now + ABANDONED_AFTER}
        try:
            self._col.insert_one(doc)
            return doc
        except DuplicateKeyError:
            existing = self.get(tenant_id, command_id)
            return existing if existing is not None and existing["status"] in OPEN else None

    def attempt(self, tenant_id: str, command_id: str, now: datetime) -> int:
        """Recorded before each POST: from here on the outcome may be unknown."""
        doc = self.get(tenant_id, command_id) or {}
        attempts = int(doc.get("attempts", 0)) + 1
        self._col.update_one({"_id": command_id, "tenant_id": tenant_id}, {"$set": {
            "attempts": attempts, "updated_at": now, "retry_at": now + ABANDONED_AFTER}})
        return attempts

    def unknown(self, tenant_id: str, command_id: str, why: str, now: datetime) -> None:
        doc = self.get(tenant_id, command_id) or {}
        retry_at = now + retry_delay(int(doc.get("attempts", 1)), self._retry_initial)
        self._col.update_one({"_id": command_id, "tenant_id": tenant_id, "status": {"$in":
                              list(OPEN)}}, {"$set": {"status": UNKNOWN, "last_error": why,
                                                      "updated_at": now, "retry_at": retry_at}})

    def succeed(self, tenant_id: str, command_id: str, qbo_id: str, resolved_by: str,
                envelopes: list[dict[str, Any]], now: datetime) -> None:
        update = with_outbox({"$set": {"status": SUCCEEDED, "qbo_id": qbo_id,
                                       "resolved_by": resolved_by, "updated_at": now}},
                             envelopes)
        self._col.update_one({"_id": command_id, "tenant_id": tenant_id,
                              "status": {"$in": list(OPEN)}}, update)

    def fail(self, tenant_id: str, command_id: str, reason: str, code: str | None,
             envelopes: list[dict[str, Any]], now: datetime) -> None:
        update = with_outbox({"$set": {"status": FAILED, "error": {"reason": reason,
                                                                   "code": code},
                                       "updated_at": now}}, envelopes)
        self._col.update_one({"_id": command_id, "tenant_id": tenant_id,
                              "status": {"$in": list(OPEN)}}, update)

    def due(self, tenant_id: str, now: datetime, limit: int = 20) -> list[dict[str, Any]]:
        """Open commands of a tenant whose retry time has come (unknown, or abandoned)."""
        return list(self._col.find({"tenant_id": tenant_id, "status": {"$in": list(OPEN)},
                                    "retry_at": {"$lte": now}}, {"_outbox": 0},
                                   sort=[("retry_at", ASCENDING)], limit=limit))

    def due_across(self, now: datetime, page: int = 100) -> Iterator[dict[str, Any]]:
        """Every open command whose retry time has come, any tenant's, oldest first: one
        query a page, paged by (retry_at, _id) so a long outage's backlog is read in
        bounded pages and an entry left open (its tenant not connected) is not met again
        in the same round."""
        after: tuple[datetime, str] | None = None
        while True:
            where: dict[str, Any] = {"status": {"$in": list(OPEN)}, "retry_at": {"$lte": now}}
            if after is not None:
                where["$or"] = [{"retry_at": {"$gt": after[0]}},
                                {"retry_at": after[0], "_id": {"$gt": after[1]}}]
            found = list(self._col.find(where, {"_outbox": 0}, limit=page,
                                        sort=[("retry_at", ASCENDING), ("_id", ASCENDING)]))
            yield from found
            if len(found) < page:
                return
            after = (found[-1]["retry_at"], found[-1]["_id"])

    def get(self, tenant_id: str, command_id: str) -> dict[str, Any] | None:
        return self._col.find_one({"_id": command_id, "tenant_id": tenant_id}, {"_outbox": 0})
