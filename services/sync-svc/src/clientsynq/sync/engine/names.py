"""Names per realm that QBO references carry only as ids: terms and payment methods.

A run reads them once (`load_terms`, `load_methods`). They change rarely; a
webhook-triggered fetch should not cost a second QBO call each time, so the handlers' copy
is kept for an hour per realm (`TermCache`). Engine code, not an adapter: it reaches QBO
only through the `Realm` port (issue 9: adapters do not import the engine).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from clientsynq.sync.domain.errors import QboRefused
from clientsynq.sync.domain.qbo_values import text
from clientsynq.sync.engine.ports import Realm

log = logging.getLogger(__name__)
TTL_SECONDS = 3600.0
Loader = Callable[[Realm], dict[str, str]]


class TermCache:
    """Term names (`names`) and PaymentMethod names (`methods`), per realm."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._cached: dict[tuple[str, str], tuple[float, dict[str, str]]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def names(self, conn: Realm) -> dict[str, str]:
        return self._get(conn, "Term", load_terms)

    def methods(self, conn: Realm) -> dict[str, str]:
        return self._get(conn, "PaymentMethod", load_methods)

    def _get(self, conn: Realm, kind: str, load: Loader) -> dict[str, str]:
        key = (conn.realm_id, kind)
        with self._lock:
            cached = self._cached.get(key)
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        names = load(conn)
        with self._lock:
            self._cached[key] = (self._clock() + TTL_SECONDS, names)
        return names


def load_terms(conn: Realm) -> dict[str, str]:
    """Term names for invoices whose SalesTermRef carries only the id (one small query)."""
    return _names(conn, "Term")


def load_methods(conn: Realm) -> dict[str, str]:
    """PaymentMethod names ("Check", "Visa"): a payment's PaymentMethodRef has only the id.
    A company without the entity (or a refusal) leaves payments without a method name
    rather than failing the sync."""
    try:
        return _names(conn, "PaymentMethod")
    except QboRefused:
        log.warning("sync.payment_methods_unavailable", extra={"tenant_id": conn.tenant_id})
        return {}


def _names(conn: Realm, entity: str) -> dict[str, str]:
    body = conn.query(f"SELECT * FROM {entity} WHERE Active IN (true, false) "  # noqa: S608
                      "MAXRESULTS 1000")
    rows = (body.get("QueryResponse") or {}).get(entity) or []
    return {str(row["Id"]): name for row in rows if (name := text(row.get("Name")))}
