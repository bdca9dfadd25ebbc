"""Sync Now pressed five times is one sync: requests waiting for a realm join the run that
is about to start (written by the realm's lease holder only)."""
from __future__ import annotations

from typing import Any

from clientsynq.sync.domain.plan import ENTITIES, FULL
from clientsynq.sync.engine.ports import Runs


def fold_waiting(runs: Runs, run: dict[str, Any]) -> dict[str, Any]:
    """A started run keeps its plan; only a fresh one absorbs the others."""
    if run.get("started_at") is not None:
        return run
    others = [r for r in runs.waiting(run["tenant_id"]) if r["_id"] != run["_id"]]
    if not others:
        return run
    group = [run, *others]
    merged = {
        "entities": [e for e in ENTITIES if any(e in r["entities"] for r in group)],
        "mode": FULL if any(r["mode"] == FULL for r in group) else run["mode"],
        "request_ids": [i for r in group for i in r.get("request_ids") or []],
        "look_back_seconds": max((r.get("look_back_seconds") or 0) for r in group) or None,
    }
    runs.update(run["tenant_id"], run["_id"], merged)
    for other in others:
        runs.mark_merged(run["tenant_id"], other["_id"], run["_id"])
    return {**run, **merged}
