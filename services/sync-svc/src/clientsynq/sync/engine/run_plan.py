"""A run's plan — which entities, full or incremental, from when — decided once, stored in
the run document, and reused unchanged when a restarted worker resumes the run."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from clientsynq.sync.config import Settings
from clientsynq.sync.domain import plan
from clientsynq.sync.domain.errors import RunInterrupted
from clientsynq.sync.domain.model import TenantState
from clientsynq.sync.domain.qbo_values import company_today
from clientsynq.sync.engine.context import RunContext
from clientsynq.sync.engine.streams import run_cdc, run_pages

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunPlan:
    entities: list[str]
    modes: dict[str, str]
    since: dict[str, datetime]
    today: str
    started_at: datetime

    @property
    def mode(self) -> str:
        return plan.FULL if plan.FULL in self.modes.values() else plan.INCREMENTAL

    def to_doc(self) -> dict[str, Any]:
        return {"planned_entities": self.entities, "modes": self.modes, "since": self.since,
                "today": self.today, "started_at": self.started_at}

    def streams(self, history_days: int) -> list[plan.Stream]:
        found: list[plan.Stream] = []
        for entity in self.entities:
            if self.modes[entity] == plan.FULL:
                found += plan.full_streams(entity, date.fromisoformat(self.today), history_days)
            else:
                found.append(plan.cdc_stream(entity))
        return found

    def execute(self, ctx: RunContext, history_days: int = 365) -> None:
        """Every stream at once (pages share the run's pool, so the limiter's ten slots
        stay busy); the first failure stops the run. When payments are read in full too,
        invoice streams start as soon as the payment streams are done (customers go on
        meanwhile): their pages then carry paid dates from this run's payment links
        instead of one extra query per page."""
        streams = self.streams(history_days)
        wait_for_payments = self.modes.get("Payment") == plan.FULL and "Invoice" in self.entities
        later = [s for s in streams if s.entity == "Invoice"] if wait_for_payments else []
        first = [s for s in streams if s not in later]
        with ThreadPoolExecutor(max(1, len(streams)), thread_name_prefix="stream") as pool:
            futures = {pool.submit(self._run_stream, ctx, s): s for s in first}
            payments = [f for f, s in futures.items() if s.entity == "Payment"]
            pending = set(futures)
            while pending:
                done = next(as_completed(pending))
                pending.discard(done)
                if done.exception() is not None:
                    ctx.signals.abort.set()  # the other streams stop at their next request
                if later and all(f.done() for f in payments):
                    if not ctx.signals.abort.is_set():
                        ctx.payments.mark_ready()
                    started = {pool.submit(self._run_stream, ctx, s): s for s in later}
                    futures.update(started)
                    pending.update(started)
                    later = []
        errors = [e for f in futures if (e := f.exception()) is not None]
        real = [e for e in errors if not isinstance(e, RunInterrupted)]
        if real or errors:
            raise (real or errors)[0]

    def _run_stream(self, ctx: RunContext, stream: plan.Stream) -> None:
        if stream.kind == plan.PAGES:
            run_pages(ctx, stream)
        else:
            run_cdc(ctx, stream, self.since[stream.entity])


def plan_run(run: dict[str, Any], tenant: TenantState, cursors: Mapping[str, datetime],
             settings: Settings, now: datetime) -> RunPlan:
    if run.get("started_at") is not None and run.get("modes"):
        return RunPlan(entities=list(run["planned_entities"]), modes=dict(run["modes"]),
                       since=dict(run.get("since") or {}), today=run["today"],
                       started_at=run["started_at"])
    entities = tenant.wanted([e for e in plan.ENTITIES if e in run["entities"]])
    modes = {e: plan.choose_mode(run["mode"], cursors.get(e), now) for e in entities}
    look_back = timedelta(seconds=run["look_back_seconds"]) \
        if run.get("look_back_seconds") else None
    overlap = timedelta(seconds=settings.cdc_overlap_seconds)
    since = {e: plan.changed_since(cursors[e], overlap, now, look_back)
             for e in entities if modes[e] == plan.INCREMENTAL}
    return RunPlan(entities=entities, modes=modes, since=since,
                   today=company_today(now).isoformat(), started_at=now)
