"""A lease: at most one holder at a time across every replica, expiring if the holder dies.

Used for "one refresh per realm" (QBO rotates refresh tokens: two concurrent refreshes
break the connection), "one sync per realm" and "one active outbox relay".

Why epochs and inserts: FerretDB 1.x applies a filtered update as read-then-write-by-_id,
so two replicas can both "win" a compare-and-set update. The one atomic test both FerretDB
and MongoDB give is a unique key on insert. Each acquisition therefore *inserts* the next
epoch document (`<name>#<epoch>`); of two replicas racing for the same epoch exactly one
insert succeeds. Only the holder ever updates its own epoch document (to renew or release),
so no update races with another writer. The epoch doubles as a fencing number.

Old epochs are pruned by every KEPT_EPOCHS-th acquisition, not each one: a sync run takes
its realm's lease once a run, and the prune was one of its four round trips (take: find,
insert, prune; release). Between KEPT_EPOCHS and twice that many epochs stay per name.

The latest epoch is a query on `name` by the index (`name`, `epoch`), which reads at most
twice KEPT_EPOCHS epochs. (Until FerretDB's filter pushdown, docs/local-infrastructure.md,
the local server scanned every epoch of every name for it, and a walk by `_id` from the
newest epoch seen here stood in for it when the lease was held; it is gone.)
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from clientsynq.common.clock import utc_now
from pymongo import DESCENDING, IndexModel
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

KEPT_EPOCHS = 5
RELEASED = datetime(1970, 1, 1, tzinfo=UTC)


class LeaseUnavailable(RuntimeError):
    """Someone else holds the lease."""


def lease_indexes() -> list[IndexModel]:
    return [IndexModel([("name", 1), ("epoch", DESCENDING)], name="lease_name_epoch")]


@dataclass
class Lease:
    collection: Collection[Any]
    name: str
    holder: str
    ttl_seconds: float = 30.0
    fence: int | None = None
    _expires_at: datetime = RELEASED
    # when acquire() last found the lease held by someone else: until when (so a caller
    # with many leases to try can skip this one until then without asking the database)
    held_until: datetime | None = None
    clock: Callable[[], datetime] = field(default=utc_now, repr=False)  # tests pass their own

    def acquire(self) -> bool:
        """Take the lease if it is free or expired; extend it if it is already ours."""
        if self.renew():
            return True
        latest = self.collection.find_one({"name": self.name}, sort=[("epoch", DESCENDING)])
        now = self.clock()
        if latest is not None and _aware(latest["expires_at"]) > now:
            self.held_until = _aware(latest["expires_at"])
            return False
        epoch = int(latest["epoch"]) + 1 if latest is not None else 1
        expires = now + timedelta(seconds=self.ttl_seconds)
        try:
            self.collection.insert_one({"_id": f"{self.name}#{epoch:012d}", "name": self.name,
                                        "epoch": epoch, "holder": self.holder,
                                        "acquired_at": now, "expires_at": expires})
        except DuplicateKeyError:
            return False  # another replica took this epoch first
        self.fence, self._expires_at, self.held_until = epoch, expires, None
        if epoch % KEPT_EPOCHS == 0:
            self.collection.delete_many({"name": self.name,
                                         "epoch": {"$lt": epoch - KEPT_EPOCHS}})
        return True

    def renew(self) -> bool:
        """Extend a lease we hold. A lease already expired by our clock is lost, even if
        nobody took it yet: another replica may be inserting the next epoch right now."""
        if self.fence is None:
            return False
        now = self.clock()
        if now >= self._expires_at or self._newer_epoch_exists():
            self.fence, self._expires_at = None, RELEASED
            return False
        expires = now + timedelta(seconds=self.ttl_seconds)
        self.collection.update_one({"_id": self._doc_id(), "holder": self.holder},
                                   {"$set": {"expires_at": expires}})
        self._expires_at = expires
        return True

    def renew_if_due(self) -> bool:
        """For a long job under the lease, called per item: renews once a third of the TTL
        has gone by (so the lease never lapses while the job runs) and is otherwise free.
        False once the lease is lost: the job must stop, another holder may be at it."""
        if self.fence is None:
            return False
        left = (self._expires_at - self.clock()).total_seconds()
        return left > self.ttl_seconds * 2 / 3 or self.renew()

    def is_held(self) -> bool:
        return self.fence is not None and self.clock() < self._expires_at

    def release(self) -> None:
        if self.fence is not None:
            self.collection.update_one({"_id": self._doc_id(), "holder": self.holder},
                                       {"$set": {"expires_at": RELEASED}})
        self.fence, self._expires_at = None, RELEASED

    def _doc_id(self) -> str:
        return f"{self.name}#{self.fence:012d}"

    def _newer_epoch_exists(self) -> bool:
        """Epochs are inserted one after another (the next is always latest + 1, a unique
        `_id`), so a newer one exists exactly when ours + 1 does: one read by `_id`, on
        each renewal, instead of the query on `name`. Ours + 1 is pruned only once six more
        epochs were taken, which needs ours to have expired, and an expired lease is never
        renewed."""
        assert self.fence is not None
        return self.collection.find_one({"_id": f"{self.name}#{self.fence + 1:012d}"},
                                        projection={"_id": 1}) is not None

    def __enter__(self) -> Lease:
        if not self.acquire():
            raise LeaseUnavailable(self.name)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _aware(value: datetime) -> datetime:
    """Clients built without tz_aware return naive UTC datetimes; compare them as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
