"""Failures heal themselves: a run that failed for a passing reason is queued again with
backoff, and the schedule counts a slot as done only once a run really covered it.

A passing reason is QBO unavailable or throttling through every retry, or our own side
(auth-svc down, a bug): not a dead authorization or a disconnection, which only the owner
can repair (and whose reconnect starts a sync of its own). Sync Now is the user's own
retry button, so manual runs are not repeated behind their back.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from clientsynq.sync.config import ScheduleSettings
from clientsynq.sync.domain.model import TenantState
from clientsynq.sync.domain.run_requests import RunRequest
from clientsynq.sync.domain.schedule import intervals_for
from clientsynq.sync.engine.ports import Runs, ScheduleSlots

PASSING = ("qbo_unavailable", "throttled", "internal")
SELF_HEALING = ("initial", "schedule", "reconcile", "webhook")
MAX_DELAY = 3600.0


def retry_delay(attempt: int, initial: float) -> timedelta:
    """initial, twice that, four times … capped at an hour."""
    return timedelta(seconds=min(MAX_DELAY, initial * 2 ** max(0, attempt - 1)))


def queue_retry(runs: Runs, run: dict[str, Any], error_class: str, now: datetime,
                initial: float) -> str | None:
    """The retry run's id, or None when this failure is not one to retry by itself. The id
    derives from the failed run, so reporting a failure twice queues one retry."""
    if error_class not in PASSING or run.get("reason") not in SELF_HEALING:
        return None
    attempt = int(run.get("attempt") or 1)
    return runs.request(RunRequest.retry(run), now,
                        not_before=now + retry_delay(attempt, initial))


def slots_covered(claims: ScheduleSlots, run: dict[str, Any], tenant: TenantState,
                  schedule: ScheduleSettings, now: datetime) -> None:
    """A completed initial sync covers the current slot of every kind it synced, so the
    schedule does not repeat it within minutes; a failed one covers nothing."""
    if run.get("reason") == "initial":
        claims.mark_done(tenant.tenant_id, intervals_for(tenant, schedule), now)
