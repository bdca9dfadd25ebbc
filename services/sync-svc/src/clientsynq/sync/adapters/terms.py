"""Term names per realm, for invoices whose SalesTermRef carries only an id.

Terms change rarely; a webhook-triggered invoice fetch should not cost a second QBO call
each time, so the names are kept for an hour per realm.
"""
from __future__ import annotations

import threading
import time

from clientsynq.sync.adapters.qbo_client import RealmConnection
from clientsynq.sync.engine.run_plan import load_terms

TTL_SECONDS = 3600.0


class TermCache:
    def __init__(self) -> None:
        self._names: dict[str, tuple[float, dict[str, str]]] = {}
        self._lock = threading.Lock()

    def names(self, conn: RealmConnection) -> dict[str, str]:
        with self._lock:
            cached = self._names.get(conn.realm_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        names = load_terms(conn)
        with self._lock:
            self._names[conn.realm_id] = (time.monotonic() + TTL_SECONDS, names)
        return names
