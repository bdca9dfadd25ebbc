"""The data of `sync.completed` / `sync.failed`, and the cursors a finished run leaves."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from clientsynq.sync.domain.qbo_values import parse_time


def run_cursors(states: Mapping[str, Mapping[str, Any]], planned: Any) -> dict[str, datetime]:
    """Per entity, the QBO server time when its oldest stream began reading: anything
    changed after that is for the next incremental run (the overlap covers the edge)."""
    cursors: dict[str, datetime] = {}
    for state in states.values():
        entity, stamp = str(state.get("entity") or ""), state.get("server_time")
        if entity in planned.entities and stamp:
            moment = parse_time(stamp)
            cursors[entity] = min(cursors.get(entity, moment), moment)
    return cursors


def completed_data(run: Mapping[str, Any], planned: Any, cursors: Mapping[str, datetime],
                   counts: Mapping[str, int], finished_at: datetime) -> dict[str, Any]:
    return {
        "run_id": str(run["_id"]),
        "request_id": _request_id(run),
        "entities": list(planned.entities),
        "mode": planned.mode,
        "counts": {e: int(counts.get(e, 0)) for e in planned.entities},
        "started_at": planned.started_at,
        "finished_at": max(finished_at, planned.started_at),
        "cursors": dict(cursors),
    }


def failed_data(run: Mapping[str, Any], error_class: str, message: str, started: datetime,
                failed_at: datetime) -> dict[str, Any]:
    return {
        "run_id": str(run["_id"]),
        "request_id": _request_id(run),
        "entities": [e for e in ("Customer", "Invoice", "Payment")
                     if e in (run.get("planned_entities") or run.get("entities") or [])],
        "error_class": error_class,
        "message": message[:1000],
        "started_at": started,
        "failed_at": max(failed_at, started),
    }


def _request_id(run: Mapping[str, Any]) -> str | None:
    ids = run.get("request_ids") or []
    return str(ids[0]) if ids else None
