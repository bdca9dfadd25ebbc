"""At most one check with Intuit per realm per interval, for the forgeable Disconnect URL.

A unique insert per (realm, time bucket): of any number of concurrent callbacks, on any
replica, exactly one gets to call Intuit in each bucket (atomic on FerretDB 1.x too).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

INTERVAL_SECONDS = 300


class DisconnectChecks:
    def __init__(self, db: Database[Any], interval_seconds: int = INTERVAL_SECONDS) -> None:
        self._checks = db["disconnect_checks"]
        self._interval = interval_seconds

    def may_check(self, realm_id: str, now: datetime) -> bool:
        bucket = int(now.timestamp()) // self._interval
        try:
            self._checks.insert_one({"_id": f"{realm_id}#{bucket}", "realm_id": realm_id,
                                     "at": now, "expires_at": now + timedelta(
                                         seconds=2 * self._interval)})
        except DuplicateKeyError:
            return False
        return True
