"""Waiting for a lease shared by every replica: bounded, with jitter, never forever."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from clientsynq.common.lease import Lease
from clientsynq.common.problems import ClientSynqError
from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_delay, wait_random

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps


class _LeaseBusy(Exception):
    """Another request (on any replica) holds the lease right now."""


@contextmanager
def waiting_lease(deps: Deps, name: str, ttl_seconds: float, wait_seconds: float,
                  busy: Callable[[], ClientSynqError]) -> Iterator[None]:
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
    try:
        yield
    finally:
        lease.release()
