"""The write-command ledger: one document per command id, so a redelivered command is
recognised (and QBO's `requestid` covers a crash between the POST and our write)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from clientsynq.common.outbox import outbox_indexes, with_outbox
from pymongo import ASCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

COLLECTION = "commands"
IN_PROGRESS, SUCCEEDED, FAILED = "in_progress", "succeeded", "failed"


def command_indexes() -> list[IndexModel]:
    return [IndexModel([("tenant_id", ASCENDING), ("created_at", ASCENDING)], name="tenant"),
            *outbox_indexes()]


class CommandLedger:
    def __init__(self, db: Database[Any]) -> None:
        self._col = db[COLLECTION]

    def begin(self, command_id: str, tenant_id: str, command_type: str) -> bool:
        """True if the command should be carried out (new, or interrupted mid-way)."""
        now = datetime.now(UTC)
        try:
            self._col.insert_one({"_id": command_id, "tenant_id": tenant_id,
                                  "command_type": command_type, "status": IN_PROGRESS,
                                  "created_at": now, "updated_at": now})
            return True
        except DuplicateKeyError:
            existing = self._col.find_one({"_id": command_id, "tenant_id": tenant_id})
            return existing is not None and existing["status"] == IN_PROGRESS

    def succeed(self, command_id: str, qbo_id: str, envelopes: list[dict[str, Any]]) -> None:
        update = with_outbox({"$set": {"status": SUCCEEDED, "qbo_id": qbo_id,
                                       "updated_at": datetime.now(UTC)}}, envelopes)
        self._col.update_one({"_id": command_id, "status": IN_PROGRESS}, update)

    def fail(self, command_id: str, reason: str, code: str | None,
             envelopes: list[dict[str, Any]]) -> None:
        update = with_outbox({"$set": {"status": FAILED, "error": {"reason": reason,
                                                                   "code": code},
                                       "updated_at": datetime.now(UTC)}}, envelopes)
        self._col.update_one({"_id": command_id, "status": IN_PROGRESS}, update)

    def get(self, command_id: str) -> dict[str, Any] | None:
        return self._col.find_one({"_id": command_id}, {"_outbox": 0})
