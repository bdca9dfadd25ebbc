"""Names per realm that QBO references carry only as ids: terms and payment methods.

Runs (`NameBook`, issue 17): a full run reads them (`load_terms`, `load_methods`); an
incremental run reuses the names the last run of the realm left in this process, and asks
its CDC call for the names' entity too (`cdc?entities=Term,Invoice`), applying those
changes before it publishes a row. So a renamed term reaches the portal with the first
invoice that uses it, and a quiet run costs no query for names. The book is trusted only
when the run's CDC window starts before the time the names were last known at (else the
names are read again), and read again at least hourly and after a CDC answer at the cap.

Webhook-triggered fetches (handlers) keep their own copy for an hour per realm
(`TermCache`). Engine code, not an adapter: it reaches QBO only through the `Realm` port
(issue 9: adapters do not import the engine).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from clientsynq.sync.domain.errors import QboRefused
from clientsynq.sync.domain.qbo_values import is_deleted_stub, parse_qbo_time, text
from clientsynq.sync.engine.ports import Realm

log = logging.getLogger(__name__)
TTL_SECONDS = 3600.0
Loader = Callable[[Realm], dict[str, str]]
KIND_OF = {"Invoice": "Term", "Payment": "PaymentMethod"}  # whose names a row refers to
# QBO stamps changes in whole seconds: a change in the second the names were read at may
# postdate the read, so a CDC window must start at least this much before it.
CLOCK_SLACK = timedelta(seconds=1)
NEVER = datetime.min.replace(tzinfo=UTC)


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


@dataclass(frozen=True)
class Known:
    """Names of one kind as they were at QBO's time `through`; `read_at`: the last full
    read (POSIX seconds: compared across replicas)."""

    names: dict[str, str]
    through: datetime
    read_at: float


class NameBook:
    """Per tenant, realm and kind, the names the last run left (one per worker process;
    a realm runs on one thread at a time, under its lease)."""

    def __init__(self, clock: Callable[[], float] = time.time,
                 max_age: float = TTL_SECONDS) -> None:
        self._known: dict[tuple[str, str, str], Known] = {}
        self._lock = threading.Lock()
        self._clock, self._max_age = clock, max_age

    def for_run(self, conn: Realm, entity: str, since: datetime | None,
                shared: Callable[[], Mapping[str, Known]] | None = None) -> RunNames:
        """The names for a run of `entity` whose CDC reads changes from `since` (None: a
        full read, which reads the names too). `shared`: the names the realm's last run
        left in its result (`stored`), asked for only when this process's are too old —
        another replica may have run the realm since."""
        kind = KIND_OF[entity]
        key = (conn.tenant_id, conn.realm_id, kind)
        with self._lock:
            known = self._known.get(key)
        if since is not None and not self._usable(known, since) and shared is not None:
            known = shared().get(kind)
        if since is not None and known is not None and self._usable(known, since):
            self.keep(key, known)
            return RunNames(self, key, known, follow=True)
        return RunNames(self, key, self.read(conn, kind), follow=since is not None)

    def _usable(self, known: Known | None, since: datetime) -> bool:
        return (known is not None and since <= known.through - CLOCK_SLACK
                and self._clock() - known.read_at < self._max_age)

    def read(self, conn: Realm, kind: str) -> Known | None:
        """A full read (one query); None if QBO refuses it (the run goes on without names:
        `load_methods`) or gives no time to know it by."""
        try:
            body = _query_names(conn, kind)
        except QboRefused:
            log.warning("sync.names_unavailable", extra={"tenant_id": conn.tenant_id,
                                                         "kind": kind})
            return None
        known = Known(_names_in(body, kind), _time_of(body) or NEVER, self._clock())
        if _time_of(body) is not None:
            self.keep((conn.tenant_id, conn.realm_id, kind), known)
        return known

    def keep(self, key: tuple[str, str, str], known: Known) -> None:
        with self._lock:
            self._known[key] = known


def stored(names: Mapping[str, RunNames]) -> dict[str, Any]:
    """What a completed run leaves in its result for the realm's next run, on any replica:
    per kind the names and the QBO time they were known at (a read that gave no time, or
    none, leaves nothing)."""
    return {run.kind: {"names": run.names, "through": run.known.through,
                       "read_at": run.known.read_at}
            for run in names.values() if run.known is not None and run.known.through > NEVER}


def from_stored(doc: Mapping[str, Any] | None) -> dict[str, Known]:
    found: dict[str, Known] = {}
    for kind, value in (doc or {}).items():
        through = value.get("through")
        if isinstance(through, datetime) and isinstance(value.get("names"), dict):
            aware = through if through.tzinfo else through.replace(tzinfo=UTC)
            found[kind] = Known({str(k): str(v) for k, v in value["names"].items()}, aware,
                                float(value.get("read_at") or 0.0))
    return found


class RunNames:
    """One run's names of one kind. `follow`: the run's CDC call asks for the kind too
    (`cdc_entities`) and `apply`s its answer before publishing any row."""

    def __init__(self, book: NameBook, key: tuple[str, str, str], known: Known | None,
                 follow: bool) -> None:
        self._book, self._key, self._known = book, key, known
        self.kind = key[2]
        self.follow = follow and known is not None

    @property
    def names(self) -> dict[str, str]:
        return self._known.names if self._known is not None else {}

    @property
    def known(self) -> Known | None:
        return self._known

    def cdc_entities(self, entity: str) -> list[str]:
        """The names first: QBO cuts a CDC answer at 1000 objects, and the few name
        changes then still fit."""
        return [self.kind, entity] if self.follow else [entity]

    def apply(self, body: dict[str, Any], conn: Realm, capped: bool) -> None:
        """A CDC answer that asked for the names: changed ones replace, deleted ones go.
        At the cap the answer may lack some: the names are read again instead."""
        if not self.follow or self._known is None:
            return
        if capped:
            self._known = self._book.read(conn, self.kind) or self._known
            return
        names = dict(self._known.names)
        for row in _cdc_rows(body, self.kind):
            if is_deleted_stub(row):
                names.pop(str(row.get("Id")), None)
            elif name := text(row.get("Name")):
                names[str(row["Id"])] = name
        through = _time_of(body)
        self._known = Known(names, through or self._known.through, self._known.read_at)
        if through is not None:
            self._book.keep(self._key, self._known)


def _cdc_rows(body: dict[str, Any], entity: str) -> list[dict[str, Any]]:
    return [row for response in body.get("CDCResponse") or []
            for group in response.get("QueryResponse") or [] for row in group.get(entity) or []]


def _time_of(body: dict[str, Any]) -> datetime | None:
    stamp = body.get("time")
    return parse_qbo_time(stamp) if isinstance(stamp, str) and stamp else None


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
    return _names_in(_query_names(conn, entity), entity)


def _query_names(conn: Realm, entity: str) -> dict[str, Any]:
    return conn.query(f"SELECT * FROM {entity} WHERE Active IN (true, false) "  # noqa: S608
                      "MAXRESULTS 1000")


def _names_in(body: dict[str, Any], entity: str) -> dict[str, str]:
    rows = (body.get("QueryResponse") or {}).get(entity) or []
    return {str(row["Id"]): name for row in rows if (name := text(row.get("Name")))}
