"""Waiting for a lease shared by every replica: bounded, with jitter, never forever; and
keeping it while the work takes longer than the lease (a slow Intuit answer)."""
from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from clientsynq.common.lease import Lease
from clientsynq.common.problems import ClientSynqError
from pymongo.errors import PyMongoError
from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_delay, wait_random

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

log = logging.getLogger(__name__)


class _LeaseBusy(Exception):
    """Another request (on any replica) holds the lease right now."""


class HeldLease:
    """A lease renewed in the background every third of its time to live, so a holder
    that is alive never loses it to a slow call; a dead holder's lease still expires."""

    def __init__(self, lease: Lease) -> None:
        self._lease = lease
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._keep, name=f"lease:{lease.name}",
                                        daemon=True)

    def is_ours(self) -> bool:
        """Renew now and say whether we still hold it (checked before each irreversible
        step: calling Intuit, saving what Intuit answered)."""
        with self._lock:
            try:
                return self._lease.renew()
            except PyMongoError:
                return self._lease.is_held()

    def _keep(self) -> None:
        interval = max(self._lease.ttl_seconds / 3, 0.05)
        while not self._stop.wait(interval):
            if not self.is_ours():
                log.warning("lease.lost", extra={"lease": self._lease.name})
                return

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        with self._lock:
            self._lease.release()


@contextmanager
def waiting_lease(deps: Deps, name: str, ttl_seconds: float, wait_seconds: float,
                  busy: Callable[[], ClientSynqError]) -> Iterator[HeldLease]:
    """Hold ``name`` for the block; raise ``busy()`` if its holder keeps it too long."""
    lease = Lease(deps.stores.leases, name, holder=uuid.uuid4().hex, ttl_seconds=ttl_seconds)

    def acquire() -> None:
        if not lease.acquire():
            raise _LeaseBusy()
    try:
        Retrying(retry=retry_if_exception_type(_LeaseBusy), stop=stop_after_delay(wait_seconds),
                 wait=wait_random(0.02, 0.15))(acquire)
    except RetryError:
        raise busy() from None
    held = HeldLease(lease)
    held.start()
    try:
        yield held
    finally:
        held.stop()
