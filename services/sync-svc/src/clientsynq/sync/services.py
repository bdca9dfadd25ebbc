"""Use cases behind the HTTP API: sync status for the portal, Enterprise sync controls.

The web app has no Kafka producer: a resync or a resume is queued as a run document,
which the worker's run threads pick up like any other.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from clientsynq.common.events import format_time
from clientsynq.common.problems import ServiceUnavailable, ValidationFailed
from clientsynq.sync.bootstrap import Deps
from clientsynq.sync.domain.errors import (
    AuthServiceUnavailable,
    EnterpriseOnly,
    NotConnectedForSync,
    TenantNotKnown,
)
from clientsynq.sync.domain.model import CONTROL_PLANS, TenantState, validate_intervals
from clientsynq.sync.domain.plan import ENTITIES
from clientsynq.sync.domain.run_requests import RunRequest
from clientsynq.sync.domain.schedule import default_intervals


def get_status(deps: Deps, tenant_id: str) -> dict[str, Any]:
    tenant = _tenant(deps, tenant_id)
    raw = deps.tenants.raw(tenant_id) or {}
    active = deps.runs.active(tenant_id)
    running = next((run for run in active if run["status"] == "running"), None)
    last = deps.runs.last_result(tenant_id)
    return {
        "tenant_id": tenant_id,
        "realm_id": tenant.realm_id,
        "connection": _times(raw.get("connection") or {}),
        "settings": settings_view(deps, tenant),
        "running": running is not None,
        "current_run": _current_view(deps, running) if running else None,
        "pending_runs": sum(1 for run in active if run["status"] == "pending"),
        "last_run": _result_view(last) if last else None,
        "cursors": _times(deps.runs.cursors(tenant_id, tenant.realm_id, ENTITIES)),
    }


def settings_view(deps: Deps, tenant: TenantState) -> dict[str, Any]:
    defaults = default_intervals(deps.settings.schedule)
    return {"paused": tenant.controls.paused, "entities": list(tenant.controls.entities),
            "intervals": {kind: int(tenant.controls.interval(kind, defaults))
                          for kind in ENTITIES},
            "history_days": tenant.controls.history(deps.settings.history_days)}


def update_settings(deps: Deps, tenant_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Enterprise only; a resume queues a CDC run so nothing changed while paused is missed."""
    tenant = _enterprise_tenant(deps, tenant_id)
    problems = validate_intervals(changes.get("intervals") or {})
    if problems:
        raise ValidationFailed({key: [message] for key, message in problems.items()})
    controls = tenant.controls.changed(paused=changes.get("paused"),
                                       entities=changes.get("entities"),
                                       intervals=changes.get("intervals"),
                                       history_days=changes.get("history_days"))
    deps.tenants.set_controls(tenant_id, controls)
    if tenant.controls.paused and not controls.paused and tenant.is_connected:
        _queue(deps, tenant, "manual", "incremental", list(controls.entities))
    updated = deps.tenants.get(tenant_id)
    assert updated is not None
    return settings_view(deps, updated)


def request_full_resync(deps: Deps, tenant_id: str, requested_by: str | None) -> str:
    tenant = _enterprise_tenant(deps, tenant_id)
    if not tenant.is_connected:
        raise NotConnectedForSync(f"The QuickBooks connection is {tenant.connection_status}.")
    return _queue(deps, tenant, "full_resync", "full", list(tenant.controls.entities),
                  requested_by)


def _queue(deps: Deps, tenant: TenantState, reason: str, mode: str, entities: list[str],
           requested_by: str | None = None) -> str:
    return deps.runs.request(RunRequest.on_demand(tenant.tenant_id, tenant.realm_id, reason,
                                                  mode, entities, requested_by),
                             datetime.now(UTC))


def _tenant(deps: Deps, tenant_id: str) -> TenantState:
    tenant = deps.tenants.get(tenant_id)
    if tenant is None:
        raise TenantNotKnown("No QuickBooks connection was ever recorded for this tenant.")
    return tenant


def _enterprise_tenant(deps: Deps, tenant_id: str) -> TenantState:
    """The plan is asked of auth-svc each time: a downgrade must take effect at once."""
    tenant = _tenant(deps, tenant_id)
    try:
        plan = deps.tokens.tenant(tenant_id).plan
    except AuthServiceUnavailable as err:
        raise ServiceUnavailable("The plan could not be checked; try again.") from err
    if plan not in CONTROL_PLANS:
        raise EnterpriseOnly(f"The {plan} plan does not include advanced sync controls.")
    return tenant


def _current_view(deps: Deps, run: Mapping[str, Any]) -> dict[str, Any]:
    """A running sync as it stands: rows published so far and pages per stream."""
    states = deps.runs.stream_states(str(run["tenant_id"]), str(run["_id"]))
    return {
        "run_id": str(run["_id"]), "reason": run.get("reason"), "mode": run.get("mode"),
        "modes": run.get("modes"), "entities": run.get("planned_entities") or run["entities"],
        "started_at": _time(run.get("started_at")),
        "counts": deps.runs.counts(str(run["tenant_id"]), str(run["_id"])),
        "progress": {key: {"pages": s.get("pages"), "pages_done": len(s.get("done") or []),
                           "finished": bool(s.get("finished"))}
                     for key, s in states.items()},
    }


def _result_view(result: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("status", "reason", "mode", "entities", "counts", "cursors", "started_at",
            "finished_at", "failed_at", "error_class", "message", "skipped_because",
            "timings")
    view = {key: result[key] for key in keys if key in result}
    view["run_id"] = str(result["_id"])
    return {key: _time(value) if not isinstance(value, dict) else _times(value)
            for key, value in view.items()}


def _time(value: Any) -> Any:
    return format_time(value) if isinstance(value, datetime) else value


def _times(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _time(value) for key, value in values.items()}
