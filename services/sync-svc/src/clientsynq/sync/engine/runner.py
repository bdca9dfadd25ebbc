"""One run, start to finish, while holding the realm's lease: plan, stream, report.

The lease (insert-based, so exclusive on FerretDB too) is what makes a run ours: a pending
run, or a running one whose worker died (its lease lapsed), goes to whoever takes the
realm's lease next. It is renewed from a side thread, so a page stuck in QBO retries does
not let another replica start a second sync of the same company. A SIGTERM or a lost lease
leaves the run pending with its checkpoints; a failure ends it with `sync.failed`.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from clientsynq.common.lease import Lease
from clientsynq.common.metrics import counter
from clientsynq.sync.config import Settings
from clientsynq.sync.domain import events
from clientsynq.sync.domain.errors import RunInterrupted, SyncFailure
from clientsynq.sync.domain.model import TenantState, controls_in_force
from clientsynq.sync.domain.plan import ENTITIES
from clientsynq.sync.domain.run_requests import derived_id
from clientsynq.sync.domain.run_status import COMPLETED, FAILED, PENDING, RUNNING, SKIPPED
from clientsynq.sync.engine.balances import refresh_balances
from clientsynq.sync.engine.context import (
    RunCheckpoints,
    RunContext,
    RunPayments,
    RunScope,
    RunSignals,
)
from clientsynq.sync.engine.folding import fold_waiting
from clientsynq.sync.engine.freshness import LAST_SUCCESS
from clientsynq.sync.engine.healing import queue_retry, slots_covered
from clientsynq.sync.engine.names import (
    KIND_OF,
    Known,
    NameBook,
    RunNames,
    from_stored,
    stored,
)
from clientsynq.sync.engine.ports import (
    PaymentLinkMemory,
    QuickBooks,
    Realm,
    Runs,
    ScheduleSlots,
    Tenants,
)
from clientsynq.sync.engine.progress import Progress
from clientsynq.sync.engine.publisher import PagePublisher
from clientsynq.sync.engine.reporting import (
    completed_data,
    failed_data,
    run_counts,
    run_cursors,
    run_totals,
)
from clientsynq.sync.engine.run_plan import RunPlan, plan_run
from pymongo.collection import Collection

log = logging.getLogger(__name__)
RUNS = counter("clientsynq_sync_runs_total", "Sync runs by outcome", ["outcome"])


@dataclass(frozen=True)
class Held:
    """The realm's lease is another run's for about `seconds` more (at most its TTL)."""
    seconds: float


@dataclass
class RunnerDeps:
    settings: Settings
    tenants: Tenants
    runs: Runs
    leases: Collection[Any]
    qbo: QuickBooks
    publisher: PagePublisher
    holder: str
    stop: threading.Event
    plan_of: Callable[[str], str]
    emit: Callable[[dict[str, Any]], None]  # straight to Kafka (progress is a hint)
    links: PaymentLinkMemory
    claims: ScheduleSlots
    names: NameBook = field(default_factory=NameBook)  # one per worker process


class SyncRunner:
    def __init__(self, deps: RunnerDeps) -> None:
        self.d = deps

    def try_run(self, run: dict[str, Any]) -> str | Held:
        """The outcome, or Held when another worker (or thread) holds the realm."""
        tenant = controls_in_force(self.d.tenants.get(run["tenant_id"]), self.d.plan_of)
        realm = (tenant.realm_id if tenant else None) or run.get("realm_id") or run["tenant_id"]
        lease = Lease(self.d.leases, f"sync:{realm}", self.d.holder,
                      ttl_seconds=self.d.settings.lease_ttl_seconds)
        if not lease.acquire():
            until = lease.held_until
            return Held((until - datetime.now(UTC)).total_seconds() if until else 0.0)
        try:
            # re-read: it may have ended meanwhile
            fresh = self.d.runs.get(run["tenant_id"], run["_id"])
            if fresh is None or fresh["status"] not in (PENDING, RUNNING):
                return "gone"
            done = self.d.runs.result(run["tenant_id"], run["_id"])
            if done is not None:  # finished, but the worker died before saying so
                self.d.runs.update(run["tenant_id"], run["_id"], {"status": done["status"]})
                return str(done["status"])
            return self._under_lease(fresh, tenant, lease)
        finally:
            lease.release()

    def _under_lease(self, run: dict[str, Any], tenant: TenantState | None,
                     lease: Lease) -> str:
        refusal = _refusal(tenant)
        if refusal is not None:
            return self._end_early(run, tenant, *refusal)
        assert tenant is not None
        run = fold_waiting(self.d.runs, run)
        lost, done = threading.Event(), threading.Event()
        beat = threading.Thread(target=_heartbeat, args=(lease, lost, done,
                                                         self.d.settings.lease_ttl_seconds),
                                daemon=True, name=f"lease-{run['_id'][:8]}")
        beat.start()
        try:
            return self._sync(run, tenant, lost)
        except RunInterrupted as why:
            log.info("sync.run_interrupted", extra={"run_id": run["_id"], "why": str(why)})
            self.d.runs.update(run["tenant_id"], run["_id"], {"status": PENDING, "holder": None,
                                            "not_before": datetime.now(UTC)})
            return "postponed"
        except SyncFailure as err:
            return self._fail(run, tenant, err.error_class, str(err))
        finally:
            done.set()
            beat.join(timeout=5)

    def _sync(self, run: dict[str, Any], tenant: TenantState, lost: threading.Event) -> str:
        conn = self.d.qbo.for_tenant(tenant.tenant_id)
        now = datetime.now(UTC)
        cursors = self.d.runs.cursors(tenant.tenant_id, tenant.realm_id, ENTITIES)
        planned = plan_run(run, tenant, cursors, self.d.settings, now)
        # The history window is fixed when the run is planned: a resumed run reads the same
        # segments even if the tenant changed it meanwhile.
        history_days = int(run.get("history_days")
                           or tenant.controls.history(self.d.settings.history_days))
        fresh = run.get("started_at") is None  # so it has no checkpoints yet
        running = {"status": RUNNING, "holder": self.d.holder}
        self.d.runs.update(run["tenant_id"], run["_id"], {  # one write: running, and how
            **running, **({**planned.to_doc(), "history_days": history_days} if fresh
                          else {})})
        with ThreadPoolExecutor(self.d.settings.qbo.concurrent_requests,
                                thread_name_prefix=f"pages-{run['_id'][:8]}") as pool:
            ctx = self._context(run, conn, planned, "Payment" in cursors, lost, pool, fresh)
            planned.execute(ctx, history_days)
            refresh_balances(ctx, planned.entities, planned.modes)
        return self._complete(run, tenant, planned, ctx)

    def _context(self, run: dict[str, Any], conn: Realm, planned: RunPlan,
                 synced_before: bool, lost: threading.Event, pool: ThreadPoolExecutor,
                 fresh: bool) -> RunContext:
        """The one place a run's context is built (and nothing is set on it later)."""
        scope = RunScope(run_id=run["_id"], tenant_id=run["tenant_id"], realm_id=conn.realm_id,
                         source=self.d.settings.source, today=date.fromisoformat(planned.today),
                         page_size=self.d.settings.qbo.page_size,
                         names=self._names(run, conn, planned))
        checkpoints = RunCheckpoints(self.d.runs, run["tenant_id"], run["_id"], fresh)
        payments = RunPayments(self.d.links, run["tenant_id"],
                               elsewhere=synced_before or checkpoints.resumed_payments())
        return RunContext(scope=scope, conn=conn, checkpoints=checkpoints,
                          signals=RunSignals(stop=self.d.stop, lost=lost), payments=payments,
                          publisher=self.d.publisher, pages=pool,
                          progress=self._progress(run, conn.realm_id, checkpoints))

    def _names(self, run: dict[str, Any], conn: Realm, planned: RunPlan
               ) -> dict[str, RunNames]:
        """This process's names, or those the realm's last run left in its result (read
        at most once, and only when this process's are too old to trust)."""
        found: list[dict[str, Known]] = []

        def shared() -> dict[str, Known]:
            if not found:
                found.append(from_stored(self.d.runs.last_names(run["tenant_id"],
                                                                conn.realm_id)))
            return found[0]

        return {entity: self.d.names.for_run(conn, entity, planned.since.get(entity), shared)
                for entity in KIND_OF if entity in planned.entities}

    def _progress(self, run: dict[str, Any], realm_id: str,
                  checkpoints: RunCheckpoints) -> Progress:
        progress = Progress(self.d.emit, self.d.settings.progress_interval_seconds, run=run,
                            realm_id=realm_id, source=self.d.settings.source,
                            now=lambda: datetime.now(UTC))
        if not checkpoints.fresh:  # a resumed run's bar starts where the last one was
            progress.resume(run_counts(checkpoints.final_rows()), checkpoints.states())
        return progress

    def _complete(self, run: dict[str, Any], tenant: TenantState, planned: RunPlan,
                  ctx: RunContext) -> str:
        states, rows = ctx.checkpoints.final_states(), ctx.checkpoints.final_rows()
        data = completed_data(run, planned, run_cursors(states, planned), run_counts(rows),
                              datetime.now(UTC), run_totals(states, rows, planned))
        envelope = events.sync_completed(tenant_id=tenant.tenant_id, realm_id=tenant.realm_id,
                                         source=self.d.settings.source, data=data,
                                         event_id=_event_id(run, COMPLETED))
        self._record(run, tenant.realm_id, COMPLETED, {
            **data, "reason": run.get("reason"), "timings": ctx.watch.totals(),
            **({"names": left} if (left := stored(ctx.scope.names)) else {})}, [envelope])
        slots_covered(self.d.claims, run, tenant, self.d.settings.schedule, datetime.now(UTC))
        LAST_SUCCESS.record(tenant.tenant_id, planned.entities)
        log.info("sync.run_completed", extra={"run_id": run["_id"], "tenant_id":
                                              tenant.tenant_id, "counts": data["counts"]})
        return COMPLETED

    def fail_unexpected(self, run: dict[str, Any], err: Exception) -> str:
        tenant = self.d.tenants.get(run["tenant_id"])
        return self._fail(run, tenant, "internal", f"{type(err).__name__}: {err}")

    def _fail(self, run: dict[str, Any], tenant: TenantState | None, error_class: str,
              message: str) -> str:
        now = datetime.now(UTC)
        data = failed_data(run, error_class, message, run.get("started_at") or now, now)
        realm = tenant.realm_id if tenant else run.get("realm_id")
        envelope = events.sync_failed(tenant_id=run["tenant_id"], realm_id=realm,
                                      source=self.d.settings.source, data=data,
                                      event_id=_event_id(run, FAILED))
        self._record(run, realm, FAILED, {**data, "reason": run.get("reason"),
                                          "finished_at": now}, [envelope])
        queue_retry(self.d.runs, run, error_class, now,
                    self.d.settings.run_retry_initial_seconds)
        log.warning("sync.run_failed", extra={"run_id": run["_id"], "tenant_id":
                                              run["tenant_id"], "error_class": error_class})
        return FAILED

    def _end_early(self, run: dict[str, Any], tenant: TenantState | None, why: str,
                   error_class: str | None) -> str:
        """Paused: skipped quietly. Not connected: the requester hears why (sync.failed)."""
        if error_class is not None:
            return self._fail(run, tenant, error_class, "The QuickBooks connection is not "
                              f"usable ({error_class}); nothing was synced.")
        self._record(run, run.get("realm_id"), SKIPPED,
                     {"run_id": run["_id"], "finished_at": datetime.now(UTC),
                      "skipped_because": why, "reason": run.get("reason")}, [])
        return SKIPPED

    def _record(self, run: dict[str, Any], realm_id: str | None, status: str,
                fields: dict[str, Any], envelopes: list[dict[str, Any]]) -> None:
        self.d.runs.record_result({**fields, "_id": run["_id"], "tenant_id": run["tenant_id"],
                                   "realm_id": realm_id, "status": status}, envelopes)
        self.d.runs.update(run["tenant_id"], run["_id"],
                           {"status": status, "finished_at": datetime.now(UTC)})
        RUNS.labels(outcome=status).inc()


def _heartbeat(lease: Lease, lost: threading.Event, done: threading.Event, ttl: float) -> None:
    """Renew at a third of the TTL; two missed renewals still leave the lease ours."""
    while not done.wait(ttl / 3):
        if not lease.renew():
            log.error("sync.lease_lost", extra={"lease": lease.name})
            lost.set()
            return


def _refusal(tenant: TenantState | None) -> tuple[str, str | None] | None:
    if tenant is None or tenant.connection_status is None:
        return ("unknown_tenant", "disconnected")
    if tenant.connection_status == "authorization_expired":
        return ("authorization_expired", "authorization_expired")
    if not tenant.is_connected:
        return ("disconnected", "disconnected")
    if tenant.controls.paused:
        return ("paused", None)
    return None


def _event_id(run: dict[str, Any], outcome: str) -> str:
    """Deterministic: a run reported twice (a crash after the write) is one event."""
    return derived_id(f"{run['_id']}/{outcome}")
