"""Schedule slots, claimed by unique insert: the one way several replicas agree on who
requests a scheduled sync (FerretDB 1.x has no atomic compare-and-set update).

Time is cut into slots of the interval, shifted by a per-tenant phase so a thousand
tenants do not all sync at the top of the hour. The replica whose insert of
`<tenant>|<kind>|<interval>|<slot>` succeeds writes the `sync.requested` in the same
document, for the outbox relay.
"""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from clientsynq.common.outbox import outbox_fields, outbox_indexes
from pymongo import ASCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

COLLECTION = "schedule_claims"
KEEP = timedelta(days=2)


def claim_indexes() -> list[IndexModel]:
    return [IndexModel([("created_at", ASCENDING)], name="age"), *outbox_indexes()]


def slot_of(tenant_id: str, kind: str, interval: float, now: datetime) -> int:
    digest = hashlib.sha256(f"{tenant_id}|{kind}".encode()).digest()
    phase = int.from_bytes(digest[:8], "big") % max(1, int(interval))
    return int((now.timestamp() - phase) // interval)


class ScheduleClaims:
    def __init__(self, db: Database[Any]) -> None:
        self._col = db[COLLECTION]

    def claim(self, tenant_id: str, kind: str, interval: float, now: datetime,
              envelopes: list[dict[str, Any]]) -> bool:
        slot = slot_of(tenant_id, kind, interval, now)
        doc = {"_id": f"{tenant_id}|{kind}|{int(interval)}|{slot}", "tenant_id": tenant_id,
               "kind": kind, "created_at": now}
        try:
            self._col.insert_one({**doc, **outbox_fields(envelopes)} if envelopes else doc)
        except DuplicateKeyError:
            return False
        return True

    def is_claimed(self, tenant_id: str, kind: str, interval: float, now: datetime) -> bool:
        slot = slot_of(tenant_id, kind, interval, now)
        return self._col.find_one({"_id": f"{tenant_id}|{kind}|{int(interval)}|{slot}"},
                                  {"_id": 1}) is not None

    def mark_done(self, tenant_id: str, kinds: dict[str, float], now: datetime) -> None:
        """A sync that just covered these kinds (the initial one) claims their current slots,
        so the schedule does not repeat it within minutes."""
        for kind, interval in kinds.items():
            self.claim(tenant_id, kind, interval, now, [])

    def forget_old(self, now: datetime) -> None:
        self._col.delete_many({"created_at": {"$lt": now.astimezone(UTC) - KEEP},
                               "_outbox_pending": {"$ne": True}})
