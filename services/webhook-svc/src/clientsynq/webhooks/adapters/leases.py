"""Per-endpoint delivery leases on `clientsynq.common.lease.Lease` (insert-based epochs, so
correct on FerretDB, where a compare-and-set update is not atomic).

The holder renews only when half the lease has passed: renewing on every 50 ms poll
would cost a write per endpoint per poll.
"""
from __future__ import annotations

import time
from typing import Any

from clientsynq.common.lease import Lease
from pymongo.collection import Collection


class MongoEndpointLeases:
    def __init__(self, collection: Collection[Any], holder: str, ttl_seconds: float) -> None:
        self._collection = collection
        self._holder = holder
        self._ttl = ttl_seconds
        self._leases: dict[str, Lease] = {}
        self._renewed_at: dict[str, float] = {}

    def hold(self, endpoint_id: str) -> bool:
        lease = self._leases.get(endpoint_id)
        if lease is None:
            lease = self._leases[endpoint_id] = Lease(
                self._collection, f"webhook-endpoint:{endpoint_id}", self._holder,
                ttl_seconds=self._ttl)
        fresh = time.monotonic() - self._renewed_at.get(endpoint_id, -1e9) < self._ttl / 2
        if lease.is_held() and fresh:
            return True
        if lease.acquire():
            self._renewed_at[endpoint_id] = time.monotonic()
            return True
        return False

    def is_held(self, endpoint_id: str) -> bool:
        lease = self._leases.get(endpoint_id)
        return lease is not None and lease.is_held()

    def release_all(self) -> None:
        for lease in self._leases.values():
            lease.release()
        self._leases.clear()
