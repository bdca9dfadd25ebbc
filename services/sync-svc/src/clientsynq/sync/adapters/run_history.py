"""Run history retention: every run leaves a run, its checkpoints and its result (about
seven documents a quiet run, 314 runs a business a day), so old ones are deleted.

Kept, per tenant, whatever its age:
- the newest `keep_last` results (the portal shows the last run; support reads a few more);
- the newest failure (what went wrong last, after many quiet successes);
- per company (realm) and entity the completed result holding the furthest cursor:
  incremental syncs and a reconnect to the same company resume from it
  (`RunStore.cursors`);
- results whose event is not yet relayed, and anything finished within `min_age` (a
  request redelivered soon after must still find its run and not run twice).
Runs still pending or running, and their checkpoints, are never touched.

Cost: one scan of results, of final runs and of checkpoints (projections only), then
deletes by `_id`. It runs once an hour on one replica (`housekeeping`), off the tick path.
Deletion order (checkpoints, results, runs) means a pass cut short is finished by the
next one: a doomed run stays findable until its pieces are gone.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from clientsynq.sync.adapters.runs import CHECKPOINTS, RESULTS, RUNS
from clientsynq.sync.domain.run_status import (
    COMPLETED,
    FAILED,
    MERGED,
    PENDING,
    RUNNING,
    SKIPPED,
)
from pymongo.collection import Collection
from pymongo.database import Database

FINAL = [COMPLETED, FAILED, MERGED, SKIPPED]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CHUNK = 500


@dataclass(frozen=True)
class Retention:
    keep_last: int = 20
    min_age_seconds: float = 3600.0


class RunHistory:
    def __init__(self, db: Database[Any]) -> None:
        self._runs = db[RUNS]
        self._checkpoints = db[CHECKPOINTS]
        self._results = db[RESULTS]

    def prune(self, now: datetime, retention: Retention) -> dict[str, int]:
        """Deletes what retention no longer keeps; returns how many documents, per
        collection."""
        cutoff = now - timedelta(seconds=retention.min_age_seconds)
        active = {doc["_id"] for doc in self._runs.find(
            {"status": {"$in": [PENDING, RUNNING]}}, {"_id": 1})}
        kept, doomed_results = self._results_to_drop(cutoff, retention.keep_last, active)
        doomed_runs = {doc["_id"] for doc in self._runs.find(
            {"status": {"$in": FINAL}, "created_at": {"$lt": cutoff}}, {"_id": 1})
            if doc["_id"] not in kept}
        doomed = doomed_results | doomed_runs
        checkpoints = [doc["_id"] for doc in self._checkpoints.find({}, {"run_id": 1})
                       if doc.get("run_id") in doomed]
        return {CHECKPOINTS: _delete(self._checkpoints, checkpoints),
                RESULTS: _delete(self._results, doomed_results),
                RUNS: _delete(self._runs, doomed_runs)}

    def _results_to_drop(self, cutoff: datetime, keep_last: int, active: set[Any]
                         ) -> tuple[set[Any], set[Any]]:
        by_tenant: defaultdict[Any, list[dict[str, Any]]] = defaultdict(list)
        for doc in self._results.find({}, {"tenant_id": 1, "realm_id": 1, "status": 1,
                                           "finished_at": 1, "cursors": 1,
                                           "_outbox_pending": 1}):
            by_tenant[doc.get("tenant_id")].append(doc)
        kept: set[Any] = set()
        doomed: set[Any] = set()
        for docs in by_tenant.values():
            keep = kept_of_tenant(docs, keep_last, cutoff, active)
            kept |= keep
            doomed |= {doc["_id"] for doc in docs} - keep
        return kept, doomed


def kept_of_tenant(docs: list[dict[str, Any]], keep_last: int, cutoff: datetime,
                   active: set[Any]) -> set[Any]:
    """The result ids one tenant keeps (the rules in the module's docstring)."""
    newest = sorted(docs, key=lambda d: _utc(d.get("finished_at")), reverse=True)
    keep = {doc["_id"] for doc in newest[:keep_last]}
    keep |= {doc["_id"] for doc in newest if doc.get("_outbox_pending")
             or doc["_id"] in active or _utc(doc.get("finished_at")) >= cutoff}
    keep |= set([doc["_id"] for doc in newest if doc.get("status") == FAILED][:1])
    furthest: dict[tuple[Any, str], tuple[datetime, Any]] = {}
    for doc in newest:
        if doc.get("status") != COMPLETED:
            continue
        for entity, cursor in (doc.get("cursors") or {}).items():
            key = (doc.get("realm_id"), entity)
            if isinstance(cursor, datetime) and (
                    key not in furthest or _utc(cursor) > furthest[key][0]):
                furthest[key] = (_utc(cursor), doc["_id"])
    return keep | {run_id for _, run_id in furthest.values()}


def _delete(col: Collection[Any], ids: Iterable[Any]) -> int:
    ordered = list(ids)
    deleted = 0
    for start in range(0, len(ordered), CHUNK):
        deleted += col.delete_many({"_id": {"$in": ordered[start:start + CHUNK]}}).deleted_count
    return deleted


def _utc(moment: Any) -> datetime:
    if not isinstance(moment, datetime):
        return EPOCH
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
