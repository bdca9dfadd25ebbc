"""Names per realm that QBO references carry only as ids: terms and payment methods.

They change rarely; a webhook-triggered fetch should not cost a second QBO call each
time, so the names are kept for an hour per realm.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from clientsynq.sync.adapters.qbo_client import RealmConnection
from clientsynq.sync.engine.run_plan import load_methods, load_terms

TTL_SECONDS = 3600.0
Loader = Callable[[RealmConnection], dict[str, str]]


class TermCache:
    """Term names (`names`) and PaymentMethod names (`methods`), per realm."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._cached: dict[tuple[str, str], tuple[float, dict[str, str]]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def names(self, conn: RealmConnection) -> dict[str, str]:
        return self._get(conn, "Term", load_terms)

    def methods(self, conn: RealmConnection) -> dict[str, str]:
        return self._get(conn, "PaymentMethod", load_methods)

    def _get(self, conn: RealmConnection, kind: str, load: Loader) -> dict[str, str]:
        key = (conn.realm_id, kind)
        with self._lock:
            cached = self._cached.get(key)
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        names = load(conn)
        with self._lock:
            self._cached[key] = (self._clock() + TTL_SECONDS, names)
        return names
