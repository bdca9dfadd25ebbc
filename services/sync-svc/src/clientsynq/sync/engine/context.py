"""What every stream of one run shares: the realm connection, the run's checkpoints, the
page pool, the stop signal, and where the time went."""
from __future__ import annotations

import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from clientsynq.sync.domain.errors import RunInterrupted
from clientsynq.sync.engine.pages import PageContext, PageResult
from clientsynq.sync.engine.ports import PaymentLinkMemory, Realm, Runs
from clientsynq.sync.engine.progress import Progress
from clientsynq.sync.engine.publisher import PagePublisher
from clientsynq.sync.engine.run_links import RunLinks, mentioned_ids


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


@dataclass
class RunContext:
    run_id: str
    tenant_id: str
    conn: Realm
    runs: Runs
    publisher: PagePublisher
    pages: ThreadPoolExecutor
    page_size: int
    source: str
    today: date
    stop: threading.Event
    terms: dict[str, str] = field(default_factory=dict)
    methods: dict[str, str] = field(default_factory=dict)
    streams: dict[str, dict[str, Any]] = field(default_factory=dict)
    watch: Stopwatch = field(default_factory=Stopwatch)
    lost: threading.Event = field(default_factory=threading.Event)
    abort: threading.Event = field(default_factory=threading.Event)
    progress: Progress | None = None
    links: PaymentLinkMemory | None = None
    links_ready: bool = False  # this run's payments are published: invoices may use them
    run_links: RunLinks = field(default_factory=RunLinks)  # this run's, in memory
    links_elsewhere: bool = True  # the store may know payments this run did not read
    # Per full segment, each page's first and last CreateTime (engine.ties).
    edges: dict[str, dict[int, tuple[str, str]]] = field(default_factory=dict)
    _edges_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def page_edges(self, stream_key: str) -> dict[int, tuple[str, str]]:
        """Edges checkpointed before a resume, then this process's."""
        with self._edges_lock:
            mine = dict(self.edges.get(stream_key) or {})
        stored = (self.streams.get(stream_key) or {}).get("edges") or {}
        return {**{int(k): tuple(v) for k, v in stored.items()}, **mine}

    def page_published(self, stream_key: str, page: int, entity: str, result: PageResult
                       ) -> None:
        """Checkpoint a page (Kafka has it) and let the progress bar move."""
        self.runs.page_done(self.tenant_id, self.run_id, stream_key, page, entity,
                            result.published, result.customers, result.edges)
        if result.edges is not None:
            with self._edges_lock:
                self.edges.setdefault(stream_key, {})[page] = result.edges
        if result.links:
            self.run_links.add(result.links)
            if self.links is not None:
                self.links.remember(self.tenant_id, result.links)
        if self.progress is not None and not stream_key.endswith(("#reread", "#ties")):
            self.progress.advance(entity, result.published)

    def check_running(self) -> None:
        """Called before each request: a stopping worker or a lost lease ends the run here,
        with every finished page checkpointed."""
        if self.stop.is_set():
            raise RunInterrupted("the worker is shutting down")
        if self.lost.is_set():
            raise RunInterrupted("the realm's lease was lost")
        if self.abort.is_set():
            raise RunInterrupted("another stream of the run failed")

    def page_context(self, entity: str, raw: bytes | None = None) -> PageContext:
        """`raw`: the page about to be published, whose payment links go with it."""
        use_links = self.links_ready and entity == "Invoice"
        return PageContext(tenant_id=self.tenant_id, realm_id=self.conn.realm_id,
                           entity=entity, source=self.source, today=self.today,
                           terms=self.terms if entity == "Invoice" else {},
                           methods=self.methods if entity == "Payment" else {},
                           use_links=use_links,
                           run_links=self.run_links.among(mentioned_ids(raw))
                           if use_links and raw is not None else None,
                           ask_store=self.links_elsewhere)

    def stream_state(self, key: str) -> dict[str, Any]:
        return dict(self.streams.get(key) or {})
