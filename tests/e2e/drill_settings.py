"""Settings of the drill stack (`conftest.drill_stack`): sync-svc's schedule compressed and
the sandbox's webhooks as messy as Intuit warns they can be.

TIME_SCALE compresses the schedule as `bench/scale_model.py` does (each SYNC_*_INTERVAL
divided, never below sync-svc's 1 s minimum): the 5-minute payments safety net runs every
second, the hourly invoice sync every 10 s, the daily customer sync and reconciliation every
4 minutes (longer than any drill: they never hide a loss). So a webhook the sandbox never
sends is made up by the next scheduled CDC sync within seconds, not hours.
"""
from __future__ import annotations

from typing import Any

TIME_SCALE = 360
INTERVALS = {"PAYMENT": 5 * 60, "INVOICE": 3600, "CUSTOMER": 86_400, "RECONCILE": 86_400}
DRILL_SCHEDULE = {
    **{f"SYNC_{kind}_INTERVAL": f"{max(1.0, every / TIME_SCALE):g}s"
       for kind, every in INTERVALS.items()},
    "SYNC_SCHEDULER_TICK": "0.5s",
    "SYNC_SCHEDULER_ROSTER_REFRESH": "1s",  # 5 min: a new tenant is scheduled at once
}
# Late (every batch 0.5 s more), duplicated, reordered (held behind the next or 1 s) and
# lost, each at a rate; the seed makes a run's dice reproducible for the same deliveries.
DRILL_SANDBOX: dict[str, Any] = {
    "webhook_first_delay_seconds": 0.5, "webhook_duplicate_rate": 0.35,
    "webhook_reorder_rate": 0.35, "webhook_drop_rate": 0.35, "webhook_hold_seconds": 1.0,
    "webhook_seed": 11, "webhook_time_scale": 0.01,
}
