"""The schedule: customers daily, invoices hourly, a payments CDC safety net every few
minutes, and a daily CDC reconciliation of everything (Intuit: webhooks can be late or
lost). Enterprise tenants may set their own intervals.

Each due item becomes a `sync.requested(schedule|reconcile)` written to the tenant's
outbox by the same update that moves its next due time, so with several replicas ticking
only one requests it, and a crash in between loses nothing.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from clientsynq.sync.adapters.tenants import TenantStore
from clientsynq.sync.config import ScheduleSettings
from clientsynq.sync.domain import events
from clientsynq.sync.domain.model import RECONCILE, SCHEDULE_KINDS, SyncControls, next_due

log = logging.getLogger(__name__)


def default_intervals(schedule: ScheduleSettings) -> dict[str, float]:
    return {"Customer": schedule.customer_interval, "Invoice": schedule.invoice_interval,
            "Payment": schedule.payment_interval, RECONCILE: schedule.reconcile_interval}


class Scheduler:
    def __init__(self, tenants: TenantStore, schedule: ScheduleSettings, source: str) -> None:
        self._tenants = tenants
        self._schedule = schedule
        self._defaults = default_intervals(schedule)
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
        for doc in self._tenants.schedulable():
            controls = SyncControls.from_doc(doc.get("controls"))
            if not controls.paused:
                requested += self._tenant_tick(doc, controls, now)
        return requested

    def _tenant_tick(self, doc: Mapping[str, Any], controls: SyncControls,
                     now: datetime) -> int:
        due, requested = doc.get("next_due") or {}, 0
        for kind in SCHEDULE_KINDS:
            seen = due.get(kind)
            if (seen is not None and seen > now) or (
                    kind != RECONCILE and kind not in controls.entities):
                continue
            entities = list(controls.entities) if kind == RECONCILE else [kind]
            envelope = events.sync_requested(
                tenant_id=doc["tenant_id"], realm_id=doc.get("realm_id"), source=self._source,
                entities=entities, reason="reconcile" if kind == RECONCILE else "schedule",
                mode="incremental")
            upcoming = next_due(now, controls.interval(kind, self._defaults))
            if self._tenants.claim_due(doc["tenant_id"], kind, seen, upcoming, [envelope]):
                requested += 1
                log.info("sync.scheduled", extra={"tenant_id": doc["tenant_id"],
                                                  "kind": kind})
        return requested
