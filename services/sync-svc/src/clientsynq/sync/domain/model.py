"""sync-svc's view of a tenant: its connection, its controls, its cursors and schedule."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from clientsynq.sync.domain.plan import ENTITIES, FULL, INCREMENTAL, choose_mode

CONNECTED = "connected"
WRITE_PLANS = ("pro", "enterprise")
CONTROL_PLANS = ("enterprise",)
RECONCILE = "reconcile"
SCHEDULE_KINDS = (*ENTITIES, RECONCILE)
# Enterprise may tune the cadence, within what QBO's 500 requests a minute can bear.
MIN_INTERVALS = {"Customer": 15 * 60, "Invoice": 60, "Payment": 60}
MAX_INTERVAL = 7 * 86400
# Enterprise may keep more history than the default 12 months, never less: the portal's
# statement of account and the help page promise the last 12 months.
HISTORY_DAYS_CHOICES = (365, 730, 1095)


@dataclass(frozen=True)
class SyncControls:
    """Enterprise's advanced sync controls; everyone else keeps the defaults."""

    paused: bool = False
    entities: tuple[str, ...] = ENTITIES
    intervals: Mapping[str, float] = field(default_factory=dict)
    history_days: int | None = None  # None: the deployment's HISTORY_DAYS (365)

    def interval(self, kind: str, defaults: Mapping[str, float]) -> float:
        return float(self.intervals.get(kind, defaults[kind]))

    def history(self, default: int) -> int:
        return self.history_days or default

    def to_doc(self) -> dict[str, Any]:
        return {"paused": self.paused, "entities": list(self.entities),
                "intervals": dict(self.intervals), "history_days": self.history_days}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any] | None) -> SyncControls:
        doc = doc or {}
        history = doc.get("history_days")
        return cls(paused=bool(doc.get("paused", False)),
                   entities=tuple(doc.get("entities") or ENTITIES),
                   intervals={k: float(v) for k, v in (doc.get("intervals") or {}).items()},
                   history_days=int(history) if history else None)

    def changed(self, paused: bool | None = None, entities: list[str] | None = None,
                intervals: Mapping[str, float] | None = None,
                history_days: int | None = None) -> SyncControls:
        merged = {**self.intervals, **(intervals or {})}
        return replace(self, paused=self.paused if paused is None else paused,
                       entities=tuple(e for e in ENTITIES if e in entities)
                       if entities is not None else self.entities,
                       intervals=merged, history_days=history_days or self.history_days)


@dataclass(frozen=True)
class TenantState:
    tenant_id: str
    realm_id: str | None
    connection_status: str | None
    company_name: str | None
    controls: SyncControls

    @property
    def is_connected(self) -> bool:
        return self.connection_status == CONNECTED

    def may_sync(self) -> bool:
        return self.is_connected and not self.controls.paused

    def wanted(self, entities: list[str]) -> list[str]:
        """Only the entities the tenant chose (Enterprise can leave some out)."""
        return [e for e in entities if e in self.controls.entities]

    @property
    def has_custom_controls(self) -> bool:
        return self.controls != SyncControls()


@dataclass(frozen=True)
class RecordedConnection:
    """A connection change as applied: the tenant now, and whether it was known before (a
    first connection has no runs, so no cursors to resume from)."""
    tenant: TenantState
    known_before: bool


def controls_in_force(tenant: TenantState | None, plan_of: Callable[[str], str]
                      ) -> TenantState | None:
    """Enterprise's sync controls apply only while the plan is Enterprise: a downgrade
    stops them at once and an upgrade brings the stored ones back. The plan is asked of
    auth-svc (its owner) only for tenants that have controls set, so the defaults cost
    no call."""
    if tenant is None or not tenant.has_custom_controls:
        return tenant
    if plan_of(tenant.tenant_id) in CONTROL_PLANS:
        return tenant
    return replace(tenant, controls=SyncControls())


def initial_mode(cursors: Mapping[str, datetime], now: datetime) -> str:
    """A reconnect to the same company resumes by CDC if every cursor is still reachable
    (Reconnect loses no data); a new company, or a cursor CDC cannot reach, means full."""
    modes = {choose_mode(INCREMENTAL, cursors.get(e), now) for e in ENTITIES}
    return INCREMENTAL if modes == {INCREMENTAL} else FULL


def validate_intervals(intervals: Mapping[str, Any]) -> dict[str, str]:
    """Field errors for intervals outside what we allow, keyed like the request body."""
    problems: dict[str, str] = {}
    for kind, value in intervals.items():
        if kind not in MIN_INTERVALS:
            problems[f"intervals.{kind}"] = f"must be one of {', '.join(MIN_INTERVALS)}"
        elif not isinstance(value, int) or isinstance(value, bool):
            problems[f"intervals.{kind}"] = "must be a whole number of seconds"
        elif not MIN_INTERVALS[kind] <= value <= MAX_INTERVAL:
            problems[f"intervals.{kind}"] = (
                f"must be between {MIN_INTERVALS[kind]} and {MAX_INTERVAL} seconds")
    return problems
