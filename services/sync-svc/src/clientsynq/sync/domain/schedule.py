"""The interval policy: how often each kind of sync runs for a tenant, and when each of its
slots falls due.

Pure functions of the tenant, the kind and the interval, so every replica (the scheduler,
the run engine marking slots covered, housekeeping, the sync-controls API) agrees on them
without asking anyone. Time is cut into slots of the interval, shifted by a per-tenant
phase so a thousand tenants do not all sync at the top of the hour.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from clientsynq.sync.config import ScheduleSettings
from clientsynq.sync.domain.model import RECONCILE, SCHEDULE_KINDS, TenantState


def default_intervals(schedule: ScheduleSettings) -> dict[str, float]:
    return {"Customer": schedule.customer_interval, "Invoice": schedule.invoice_interval,
            "Payment": schedule.payment_interval, RECONCILE: schedule.reconcile_interval}


def intervals_for(tenant: TenantState, schedule: ScheduleSettings) -> dict[str, float]:
    """Per kind the tenant syncs (its own entities, always the reconciliation), the interval
    in force: an Enterprise tenant's own, otherwise the default."""
    defaults = default_intervals(schedule)
    return {kind: tenant.controls.interval(kind, defaults) for kind in SCHEDULE_KINDS
            if kind == RECONCILE or kind in tenant.controls.entities}


def phase_of(tenant_id: str, kind: str, interval: float) -> int:
    digest = hashlib.sha256(f"{tenant_id}|{kind}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % max(1, int(interval))


def slot_of(tenant_id: str, kind: str, interval: float, now: datetime) -> int:
    return int((now.timestamp() - phase_of(tenant_id, kind, interval)) // interval)


def slot_start(tenant_id: str, kind: str, interval: float, slot: int) -> float:
    """When `slot` falls due (a POSIX timestamp): the inverse of `slot_of`."""
    return slot * interval + phase_of(tenant_id, kind, interval)


def next_start(tenant_id: str, kind: str, interval: float, now: datetime) -> float:
    return slot_start(tenant_id, kind, interval, slot_of(tenant_id, kind, interval, now) + 1)
