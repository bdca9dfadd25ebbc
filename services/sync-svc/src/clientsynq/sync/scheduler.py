"""The schedule: customers daily, invoices hourly, a payments CDC safety net every few
minutes, and a daily CDC reconciliation of everything (Intuit: webhooks can be late or
lost). Enterprise tenants may set their own intervals.

Each due slot becomes a `sync.requested(schedule|reconcile)` in the outbox of the slot's
claim document, inserted once: with several replicas ticking only one requests it, and a
crash between "claimed" and "published" loses nothing.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from clientsynq.sync.adapters.schedule_claims import ScheduleClaims
from clientsynq.sync.adapters.tenants import TenantStore
from clientsynq.sync.config import ScheduleSettings
from clientsynq.sync.domain import events
from clientsynq.sync.domain.model import (
    RECONCILE,
    SCHEDULE_KINDS,
    TenantState,
    controls_in_force,
)

log = logging.getLogger(__name__)


def default_intervals(schedule: ScheduleSettings) -> dict[str, float]:
    return {"Customer": schedule.customer_interval, "Invoice": schedule.invoice_interval,
            "Payment": schedule.payment_interval, RECONCILE: schedule.reconcile_interval}


def intervals_for(tenant: TenantState, schedule: ScheduleSettings) -> dict[str, float]:
    defaults = default_intervals(schedule)
    return {kind: tenant.controls.interval(kind, defaults) for kind in SCHEDULE_KINDS
            if kind == RECONCILE or kind in tenant.controls.entities}


class Scheduler:
    def __init__(self, tenants: TenantStore, claims: ScheduleClaims, schedule: ScheduleSettings,
                 source: str, plan_of: Callable[[str], str]) -> None:
        self._tenants = tenants
        self._plan_of = plan_of
        self._claims = claims
        self._schedule = schedule
        self._source = source

    def run(self, stop: threading.Event) -> None:
        """Loop edge: a failed tick is logged and the next one tries again."""
        while not stop.wait(self._schedule.tick_seconds):
            try:
                self.tick(datetime.now(UTC))
            except Exception:
                log.exception("sync.scheduler_tick_failed")

    def tick(self, now: datetime) -> int:
        requested = 0
        for stored in self._tenants.connected():
            tenant = controls_in_force(stored, self._plan_of)
            if tenant is not None and not tenant.controls.paused:
                requested += self._tenant_tick(tenant, now)
        self._claims.forget_old(now)
        return requested

    def _tenant_tick(self, tenant: TenantState, now: datetime) -> int:
        requested = 0
        for kind, interval in intervals_for(tenant, self._schedule).items():
            if self._claims.is_claimed(tenant.tenant_id, kind, interval, now):
                continue
            entities = list(tenant.controls.entities) if kind == RECONCILE else [kind]
            envelope = events.sync_requested(
                tenant_id=tenant.tenant_id, realm_id=tenant.realm_id, source=self._source,
                entities=entities, reason="reconcile" if kind == RECONCILE else "schedule",
                mode="incremental")
            if self._claims.claim(tenant.tenant_id, kind, interval, now, [envelope]):
                requested += 1
                log.info("sync.scheduled", extra={"tenant_id": tenant.tenant_id, "kind": kind})
        return requested
