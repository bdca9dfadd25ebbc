"""One claimed run, start to finish: plan, stream, checkpoint, report.

The run holds the realm's lease for its whole life and renews it (with the run's
heartbeat) from a side thread, so a page stuck in QBO retries does not let another replica
start a second sync of the same company. A SIGTERM or a lost lease leaves the run pending
with its checkpoints; a failure ends it with `sync.failed` and the reason.
"""
from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from clientsynq.common.lease import Lease
from clientsynq.common.metrics import counter, histogram
from clientsynq.sync.adapters.qbo_client import QboClient
from clientsynq.sync.adapters.runs import COMPLETED, FAILED, SKIPPED, RunStore
from clientsynq.sync.adapters.tenants import TenantStore
from clientsynq.sync.config import Settings
from clientsynq.sync.domain import events
from clientsynq.sync.domain.errors import RunInterrupted, SyncFailure
from clientsynq.sync.domain.model import TenantState
from clientsynq.sync.engine.context import RunContext
from clientsynq.sync.engine.publisher import PagePublisher
from clientsynq.sync.engine.reporting import completed_data, failed_data, run_cursors
from clientsynq.sync.engine.run_plan import RunPlan, load_terms, plan_run
from pymongo.collection import Collection

log = logging.getLogger(__name__)
RUNS = counter("clientsynq_sync_runs_total", "Sync runs by outcome", ["outcome"])
DURATION = histogram("clientsynq_sync_run_seconds", "Sync run wall time",
                     buckets=(1, 5, 15, 60, 300, 900, 3600))
RETRY_BUSY_SECONDS = 5.0


@dataclass
class RunnerDeps:
    settings: Settings
    tenants: TenantStore
    runs: RunStore
    leases: Collection[Any]
    qbo: QboClient
    publisher: PagePublisher
    holder: str
    stop: threading.Event


class SyncRunner:
    def __init__(self, deps: RunnerDeps) -> None:
        self.d = deps

    def execute(self, run: dict[str, Any]) -> str:
        """Returns the outcome: completed, failed, skipped or postponed."""
        tenant = self.d.tenants.get(run["tenant_id"])
        refusal = _refusal(tenant)
        if refusal is not None:
            return self._end_early(run, tenant, *refusal)
        assert tenant is not None and tenant.realm_id is not None
        lease = Lease(self.d.leases, f"sync:{tenant.realm_id}", self.d.holder,
                      ttl_seconds=self.d.settings.lease_ttl_seconds)
        if not lease.acquire():
            self._postpone(run, RETRY_BUSY_SECONDS)
            return "postponed"
        try:
            return self._with_lease(run, tenant, lease)
        finally:
            lease.release()

    def _with_lease(self, run: dict[str, Any], tenant: TenantState, lease: Lease) -> str:
        lost, beating = threading.Event(), threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(run, lease, lost, beating),
                                daemon=True, name=f"heartbeat-{run['_id']}")
        beat.start()
        try:
            return self._sync(run, tenant, lost)
        except RunInterrupted as why:
            log.info("sync.run_interrupted", extra={"run_id": run["_id"], "why": str(why)})
            self._postpone(run, 0.0)
            return "postponed"
        except SyncFailure as err:
            return self._fail(run, tenant, err.error_class, str(err))
        finally:
            beating.set()
            beat.join(timeout=5)

    def _sync(self, run: dict[str, Any], tenant: TenantState, lost: threading.Event) -> str:
        conn = self.d.qbo.for_tenant(tenant.tenant_id)
        self.d.tenants.set_plan(tenant.tenant_id, conn.plan)
        planned = plan_run(run, tenant, self.d.settings, datetime.now(UTC))
        if run.get("started_at") is None:
            self.d.runs.start(run["_id"], planned.to_doc())
        size = self.d.settings.qbo.page_size
        with ThreadPoolExecutor(self.d.settings.qbo.concurrent_requests,
                                thread_name_prefix=f"pages-{run['_id'][:8]}") as pool:
            ctx = RunContext(run_id=run["_id"], tenant_id=tenant.tenant_id, conn=conn,
                             runs=self.d.runs, publisher=self.d.publisher, pages=pool,
                             page_size=size, source=self.d.settings.source,
                             today=date.fromisoformat(planned.today), stop=self.d.stop,
                             streams=dict(run.get("streams") or {}), lost=lost)
            if "Invoice" in planned.entities:
                ctx.terms = load_terms(conn)
            planned.execute(ctx, self.d.settings.history_days)
        return self._complete(run, tenant, planned, ctx)

    def _complete(self, run: dict[str, Any], tenant: TenantState, planned: RunPlan,
                  ctx: RunContext) -> str:
        stored = self.d.runs.get(run["_id"]) or run
        cursors = run_cursors(stored, planned)
        self.d.tenants.advance_cursors(tenant.tenant_id, cursors)
        finished_at = datetime.now(UTC)
        data = completed_data(stored, planned, cursors, finished_at)
        envelope = events.sync_completed(tenant_id=tenant.tenant_id, realm_id=tenant.realm_id,
                                         source=self.d.settings.source, data=data,
                                         event_id=_event_id(run, "completed"))
        self.d.runs.finish(run["_id"], self.d.holder, COMPLETED,
                           {"finished_at": finished_at, "cursors": cursors,
                            "timings": ctx.watch.totals()}, [envelope])
        RUNS.labels(outcome=COMPLETED).inc()
        DURATION.observe((finished_at - planned.started_at).total_seconds())
        log.info("sync.run_completed", extra={"run_id": run["_id"], "tenant_id":
                                              tenant.tenant_id, "counts": data["counts"]})
        return COMPLETED

    def fail_unexpected(self, run: dict[str, Any], err: Exception) -> str:
        tenant = self.d.tenants.get(run["tenant_id"])
        return self._fail(run, tenant, "internal", f"{type(err).__name__}: {err}")

    def _fail(self, run: dict[str, Any], tenant: TenantState | None, error_class: str,
              message: str) -> str:
        now = datetime.now(UTC)
        started = run.get("started_at") or now
        data = failed_data(run, error_class, message, started, now)
        envelope = events.sync_failed(tenant_id=run["tenant_id"],
                                      realm_id=tenant.realm_id if tenant else None,
                                      source=self.d.settings.source, data=data,
                                      event_id=_event_id(run, "failed"))
        self.d.runs.finish(run["_id"], self.d.holder, FAILED,
                           {"finished_at": now, "error": {"class": error_class,
                                                          "message": message}}, [envelope])
        RUNS.labels(outcome=FAILED).inc()
        log.warning("sync.run_failed", extra={"run_id": run["_id"], "tenant_id":
                                              run["tenant_id"], "error_class": error_class})
        return FAILED

    def _end_early(self, run: dict[str, Any], tenant: TenantState | None, outcome: str,
                   error_class: str | None) -> str:
        """Paused or not wanted: skipped quietly. Not connected: the requester hears why."""
        if error_class is not None:
            return self._fail(run, tenant, error_class, "The QuickBooks connection is not "
                              f"usable ({error_class}); nothing was synced.")
        self.d.runs.finish(run["_id"], self.d.holder, SKIPPED,
                           {"finished_at": datetime.now(UTC), "skipped_because": outcome}, [])
        RUNS.labels(outcome=SKIPPED).inc()
        return SKIPPED

    def _postpone(self, run: dict[str, Any], seconds: float) -> None:
        until = datetime.now(UTC) + timedelta(seconds=seconds)
        self.d.runs.postpone(run["_id"], self.d.holder, until)

    def _heartbeat(self, run: dict[str, Any], lease: Lease, lost: threading.Event,
                   done: threading.Event) -> None:
        """Renew at a third of the TTL; two missed renewals still leave the lease ours."""
        ttl = self.d.settings.lease_ttl_seconds
        while not done.wait(ttl / 3):
            until = datetime.now(UTC) + timedelta(seconds=ttl)
            if not (lease.renew() and self.d.runs.heartbeat(run["_id"], self.d.holder, until)):
                log.error("sync.lease_lost", extra={"run_id": run["_id"]})
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
    """Deterministic: finishing the same run twice (a crash after the write) is one event."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"clientsynq-sync/{run['_id']}/{outcome}"))
