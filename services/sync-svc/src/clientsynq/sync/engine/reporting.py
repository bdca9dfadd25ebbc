"""The data of `sync.completed` / `sync.failed`, and the cursors a finished run leaves."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from clientsynq.sync.domain.qbo_values import parse_qbo_time


def run_cursors(states: Mapping[str, Mapping[str, Any]], planned: Any) -> dict[str, datetime]:
    """Per entity, the QBO server time when its oldest stream began reading: anything
    changed after that is for the next incremental run (the overlap covers the edge)."""
    cursors: dict[str, datetime] = {}
    for state in states.values():
        entity, stamp = str(state.get("entity") or ""), state.get("server_time")
        if entity in planned.entities and stamp:
            moment = parse_qbo_time(stamp)
            cursors[entity] = min(cursors.get(entity, moment), moment)
    return cursors


REREAD, BALANCES, NARROWED = "#reread", "Customer_balances", "Invoice_paid_late"
TIES = "#ties"  # a second read again where pages met inside it: rows counted by the pages


def run_counts(rows: Mapping[str, tuple[str, int]]) -> dict[str, int]:
    """Rows published per entity, each segment once: a segment read again counts its last
    reading (the complete one), a second re-read at a page edge is not counted again (the
    pages counted its rows' positions), and customers re-read for their balance are not counted
    as customers synced."""
    counts: dict[str, int] = {}
    for key, (entity, published) in rows.items():
        if key == BALANCES or f"{key}{REREAD}" in rows or key.endswith(TIES):
            continue
        counts[entity] = counts.get(entity, 0) + published
    return counts


def run_totals(states: Mapping[str, Mapping[str, Any]], rows: Mapping[str, tuple[str, int]],
               planned: Any) -> dict[str, int]:
    """Rows in scope per fully read entity: QBO's COUNT(*) of each segment (a narrowed
    segment counts what it kept); an incremental entity is not counted (absent)."""
    totals: dict[str, int] = {}
    for key, state in states.items():
        entity = str(state.get("entity") or "")
        if planned.modes.get(entity) != "full" or "counted" not in state:
            continue
        if f"{key}{REREAD}" in states:
            continue
        kept = rows.get(key, (entity, 0))[1] if key.startswith(NARROWED) else state["counted"]
        totals[entity] = totals.get(entity, 0) + int(kept)
    return totals


def completed_data(run: Mapping[str, Any], planned: Any, cursors: Mapping[str, datetime],
                   counts: Mapping[str, int], finished_at: datetime,
                   totals: Mapping[str, int] | None = None) -> dict[str, Any]:
    return {
        "run_id": str(run["_id"]),
        "request_id": _request_id(run),
        "entities": list(planned.entities),
        "mode": planned.mode,
        "counts": {e: int(counts.get(e, 0)) for e in planned.entities},
        "started_at": planned.started_at,
        "finished_at": max(finished_at, planned.started_at),
        "cursors": dict(cursors),
        "totals": {e: n for e, n in (totals or {}).items() if e in planned.entities} or None,
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
