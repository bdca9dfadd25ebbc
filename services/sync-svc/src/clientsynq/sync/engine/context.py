"""What every stream of one run shares, built once when the run starts (`RunContext.start`).

A run context is the run's fixed scope (`RunScope`: whose run, which realm, the day, the
page size and the realm's names) plus a few collaborators, each owning one concern: the
realm connection (a port), its checkpoints (`RunCheckpoints`), whether it may go on
(`RunSignals`), this run's payment links (`RunPayments`), the publisher and page pool, the
progress hints and the stage timers. Nothing is poked into it after it is built.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from clientsynq.sync.domain.errors import RunInterrupted
from clientsynq.sync.engine.names import RunNames
from clientsynq.sync.engine.pages import PageContext, PageResult
from clientsynq.sync.engine.ports import Link, PaymentLinkMemory, Realm, Runs
from clientsynq.sync.engine.progress import Progress
from clientsynq.sync.engine.publisher import PagePublisher
from clientsynq.sync.engine.run_links import RunLinks, mentioned_ids

SIDE_STREAMS = ("#reread", "#ties")  # read again: no progress for them


class Stopwatch:
    """Thread-seconds per stage, summed over every page (they overlap in wall time)."""

    def __init__(self) -> None:
        self._totals: defaultdict[str, float] = defaultdict(float)
        self._lock = threading.Lock()

    def add(self, **seconds: float) -> None:
        with self._lock:
            for stage, value in seconds.items():
                self._totals[stage] += value

    def add_page(self, fetch: float, result: PageResult, checkpoint: float) -> None:
        self.add(fetch=fetch, parse=result.parse_seconds, map=result.map_seconds,
                 publish=result.publish_seconds, checkpoint=checkpoint)

    def totals(self) -> dict[str, float]:
        with self._lock:
            return {k: round(v, 4) for k, v in self._totals.items()}


@dataclass(frozen=True)
class RunScope:
    run_id: str
    tenant_id: str
    realm_id: str
    source: str
    today: date
    page_size: int
    # per entity the names its rows refer to (Invoice: terms, Payment: payment methods);
    # an incremental run's CDC call keeps them current (engine.names)
    names: dict[str, RunNames] = field(default_factory=dict)

    def names_of(self, entity: str) -> dict[str, str]:
        found = self.names.get(entity)
        return found.names if found is not None else {}


@dataclass
class RunSignals:
    """Why a run would stop before its next request: the worker stopping, the realm's lease
    lost, or another stream of the run failed."""

    stop: threading.Event
    lost: threading.Event = field(default_factory=threading.Event)
    abort: threading.Event = field(default_factory=threading.Event)

    def check(self) -> None:
        if self.stop.is_set():
            raise RunInterrupted("the worker is shutting down")
        if self.lost.is_set():
            raise RunInterrupted("the realm's lease was lost")
        if self.abort.is_set():
            raise RunInterrupted("another stream of the run failed")


class RunCheckpoints:
    """The run's stream states (as stored when it started, plus this process's) and page
    checkpoints, with the page edges engine.ties needs.

    A fresh run (never started before: it can have no checkpoints) also keeps in memory
    what it writes, so it reads nothing back: not at the start, not when it reports
    (`final_states`, `final_rows`, `touched_customers` give what the store would; the
    realm's lease makes this thread the run's one writer). A resumed run reads the store,
    which holds the earlier process's checkpoints too."""

    def __init__(self, runs: Runs, tenant_id: str, run_id: str, fresh: bool = False) -> None:
        self._runs, self._tenant_id, self._run_id = runs, tenant_id, run_id
        self.fresh = fresh
        self._stored = {} if fresh else runs.stream_states(tenant_id, run_id)
        self._edges: dict[str, dict[int, tuple[str, str]]] = {}
        self._lock = threading.Lock()
        # a fresh run's own writes: stream states, and pages (rows, entity, customers)
        self._saved: dict[str, dict[str, Any]] = {}
        self._pages: dict[tuple[str, int], tuple[str, int, list[str]]] = {}

    def state(self, key: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._stored.get(key) or {})

    def states(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {key: dict(state) for key, state in self._stored.items()}

    def save(self, key: str, state: dict[str, Any], durable: bool = True) -> None:
        """`durable=False`: a fresh run may keep the state in memory only (a stream that
        found nothing, a segment's end: if the run is interrupted, a resume simply does
        that part again)."""
        if durable or not self.fresh:
            self._runs.save_stream(self._tenant_id, self._run_id, key, state)
        if self.fresh:
            with self._lock:
                self._saved.setdefault(key, {}).update(state)

    def final_states(self) -> dict[str, dict[str, Any]]:
        """Every stream's state as the store has it now (`Runs.stream_states`)."""
        if not self.fresh:
            return self._runs.stream_states(self._tenant_id, self._run_id)
        with self._lock:
            states = {key: dict(state) for key, state in self._saved.items()}
            for (key, page), _ in sorted(self._pages.items()):
                states.setdefault(key, {}).setdefault("done", []).append(page)
            for key, edges in self._edges.items():
                states.setdefault(key, {})["edges"] = dict(edges)
        return states

    def final_rows(self) -> dict[str, tuple[str, int]]:
        """Per stream its entity and the rows its pages published (`Runs.stream_rows`)."""
        if not self.fresh:
            return self._runs.stream_rows(self._tenant_id, self._run_id)
        found: dict[str, tuple[str, int]] = {}
        with self._lock:
            for (key, _), (entity, rows, _) in sorted(self._pages.items()):
                first, so_far = found.get(key, (entity, 0))
                found[key] = (first, so_far + rows)
        return found

    def note_server_time(self, key: str, server_time: Any) -> None:
        """The QBO time of a segment's count, for the later check of what changed since."""
        with self._lock:
            self._stored.setdefault(key, {})["server_time"] = server_time

    def page_done(self, key: str, page: int, entity: str, result: PageResult) -> None:
        self._runs.page_done(self._tenant_id, self._run_id, key, page, entity,
                             result.published, result.customers, result.edges)
        with self._lock:
            if result.edges is not None:
                self._edges.setdefault(key, {})[page] = result.edges
            if self.fresh:  # the store keeps a page's first checkpoint: so does this
                self._pages.setdefault((key, page), (entity, result.published,
                                                     list(result.customers)))

    def page_edges(self, key: str) -> dict[int, tuple[str, str]]:
        """Edges checkpointed before a resume, then this process's."""
        with self._lock:
            mine = dict(self._edges.get(key) or {})
            stored = (self._stored.get(key) or {}).get("edges") or {}
        return {**{int(k): tuple(v) for k, v in stored.items()}, **mine}

    def touched_customers(self) -> list[str]:
        """Whose invoices or payments the run's pages held (`Runs.touched_customers`)."""
        if not self.fresh:
            return self._runs.touched_customers(self._tenant_id, self._run_id)
        with self._lock:
            return sorted({customer for entity, _, customers in self._pages.values()
                           if entity in ("Invoice", "Payment") for customer in customers})

    def resumed_payments(self) -> bool:
        """Payment pages published before this process took the run: their links are in
        the store, not in this process's memory."""
        return any((state.get("entity") == "Payment" or key.startswith("Payment"))
                   and (state.get("done") or state.get("seq") or state.get("finished"))
                   for key, state in self.states().items())


class RunPayments:
    """This run's payment links: kept in memory for its invoice pages (engine.run_links)
    and remembered in the store for later deletions."""

    def __init__(self, store: PaymentLinkMemory | None, tenant_id: str, elsewhere: bool
                 ) -> None:
        self._store, self._tenant_id = store, tenant_id
        self.memory = RunLinks()
        self.elsewhere = elsewhere  # the store may know payments this run did not read
        self._ready = threading.Event()

    def mark_ready(self) -> None:
        """This run's payments are published: invoice pages may take their links."""
        self._ready.set()

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def remember(self, links: list[Link]) -> None:
        self.memory.add(links)
        if self._store is not None:
            self._store.remember(self._tenant_id, links)

    def last_known(self, payment_ids: Iterable[str]) -> dict[str, Link]:
        """For deleted stubs: what each payment paid when last seen."""
        if self._store is None:
            return {}
        return self._store.known(self._tenant_id, payment_ids)


@dataclass
class RunContext:
    scope: RunScope
    conn: Realm
    checkpoints: RunCheckpoints
    signals: RunSignals
    payments: RunPayments
    publisher: PagePublisher
    pages: ThreadPoolExecutor
    progress: Progress | None = None
    watch: Stopwatch = field(default_factory=Stopwatch)

    @property
    def tenant_id(self) -> str:
        return self.scope.tenant_id

    @property
    def page_size(self) -> int:
        return self.scope.page_size

    def check_running(self) -> None:
        """Called before each request: a stopping worker or a lost lease ends the run here,
        with every finished page checkpointed."""
        self.signals.check()

    def stream_state(self, key: str) -> dict[str, Any]:
        return self.checkpoints.state(key)

    def page_published(self, stream_key: str, page: int, entity: str, result: PageResult
                       ) -> None:
        """Checkpoint a page (Kafka has it) and let the progress bar move."""
        self.checkpoints.page_done(stream_key, page, entity, result)
        if result.links:
            self.payments.remember(result.links)
        if self.progress is not None and not stream_key.endswith(SIDE_STREAMS):
            self.progress.advance(entity, result.published)

    def page_context(self, entity: str, raw: bytes | None = None) -> PageContext:
        """`raw`: the page about to be published, whose payment links go with it."""
        use_links = self.payments.ready and entity == "Invoice"
        scope = self.scope
        return PageContext(tenant_id=scope.tenant_id, realm_id=scope.realm_id,
                           entity=entity, source=scope.source, today=scope.today,
                           terms=scope.names_of("Invoice") if entity == "Invoice" else {},
                           methods=scope.names_of("Payment") if entity == "Payment" else {},
                           use_links=use_links,
                           run_links=self.payments.memory.among(mentioned_ids(raw))
                           if use_links and raw is not None else None,
                           ask_store=self.payments.elsewhere)
