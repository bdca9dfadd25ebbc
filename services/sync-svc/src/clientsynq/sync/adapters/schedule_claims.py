"""Schedule slots, claimed by unique insert: the one way several replicas agree on who
requests a scheduled sync (FerretDB 1.x has no atomic compare-and-set update).

Slots are the domain's (`domain.schedule`: the interval cut into slots, shifted by a
per-tenant phase). The replica whose insert of
`<tenant>|<kind>|<interval>|<slot>` succeeds writes the `sync.requested` in the same
document, for the outbox relay.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from clientsynq.common.outbox import outbox_fields, outbox_indexes
from clientsynq.sync.domain.schedule import slot_of
from pymongo import ASCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

COLLECTION = "schedule_claims"
STATE = "schedule_state"  # the schedulers' watermark, one document read by `_id`
WATERMARK = "watermark"
KEEP = timedelta(days=2)


def claim_indexes() -> list[IndexModel]:
    return [IndexModel([("created_at", ASCENDING)], name="age"), *outbox_indexes()]


class ScheduleClaims:
    def __init__(self, db: Database[Any]) -> None:
        self._col = db[COLLECTION]
        self._state = db[STATE]

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

    def mark_done(self, tenant_id: str, kinds: dict[str, float], now: datetime) -> None:
        """A sync that just covered these kinds (the initial one) claims their current slots,
        so the schedule does not repeat it within minutes."""
        for kind, interval in kinds.items():
            self.claim(tenant_id, kind, interval, now, [])

    def watermark(self) -> float | None:
        """The latest time through which some replica requested every due slot (None before
        any tick): a replica starting up requests only slots that fell due after it."""
        doc = self._state.find_one({"_id": WATERMARK})
        return None if doc is None else float(doc["through"])

    def advance_watermark(self, through: float) -> None:
        """Last writer wins: two replicas racing both write a time they covered, so the
        stored one is never later than what was really covered."""
        self._state.update_one({"_id": WATERMARK}, {"$set": {"through": through}},
                               upsert=True)

    def forget_old(self, now: datetime) -> None:
        self._col.delete_many({"created_at": {"$lt": now.astimezone(UTC) - KEEP},
                               "_outbox_pending": {"$ne": True}})
