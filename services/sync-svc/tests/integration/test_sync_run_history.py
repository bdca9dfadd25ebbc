"""Run history retention: old runs, their checkpoints and results are deleted, except what
the product still reads — the last runs, the last failure, the result holding each
company's furthest cursor — and anything unfinished, unrelayed or young."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from clientsynq.common.outbox import PENDING as OUTBOX_PENDING
from clientsynq.sync.adapters.run_history import Retention, RunHistory
from clientsynq.sync.adapters.runs import COMPLETED, FAILED, SKIPPED, RunStore
from clientsynq.sync.adapters.schedule_claims import ScheduleClaims
from clientsynq.sync.domain.plan import ENTITIES
from clientsynq.sync.housekeeping import Housekeeping

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(microsecond=0)
HOURS = [NOW - timedelta(hours=2 + i) for i in range(10)]


def finished(runs: RunStore, run_id: str, at: datetime, status: str, realm: str = "r-1",
             cursors: dict[str, datetime] | None = None) -> None:
    runs.request({"_id": run_id, "tenant_id": "t-1", "realm_id": realm, "entities": ["Payment"],
                  "reason": "schedule"}, at)
    runs.page_done("t-1", run_id, "Payment", 0, "Payment", 1)
    runs.record_result({"_id": run_id, "tenant_id": "t-1", "realm_id": realm,
                        "status": status, "finished_at": at, "cursors": cursors or {}}, [])
    runs.update("t-1", run_id, {"status": status, "finished_at": at})


def seed(db: Any) -> RunStore:
    runs = RunStore(db)
    for i in range(3):  # the last three: kept whatever they hold
        finished(runs, f"new-{i}", HOURS[i], COMPLETED, cursors={"Payment": HOURS[i]})
    finished(runs, "fail-new", HOURS[3], FAILED)
    finished(runs, "fail-old", HOURS[4], FAILED)
    # the furthest Invoice cursor of realm r-1 and the only cursor of an earlier company
    finished(runs, "invoice-cursor", HOURS[5], COMPLETED, cursors={"Invoice": HOURS[5]})
    finished(runs, "old-company", HOURS[6], COMPLETED, realm="r-0",
             cursors={"Payment": HOURS[6]})
    finished(runs, "passed-cursor", HOURS[7], COMPLETED, cursors={"Payment": HOURS[7]})
    finished(runs, "skipped", HOURS[8], SKIPPED)
    finished(runs, "unrelayed", HOURS[9], COMPLETED)
    db["run_results"].update_many({"_id": {"$ne": "unrelayed"}},
                                  {"$set": {OUTBOX_PENDING: False}})  # as the relay does
    for run_id, at in (("merged-old", HOURS[9]), ("merged-young", NOW)):
        runs.request({"_id": run_id, "tenant_id": "t-1", "entities": ["Payment"]}, at)
        runs.mark_merged("t-1", run_id, "new-0")
    runs.request({"_id": "waiting", "tenant_id": "t-1", "entities": ["Payment"]}, HOURS[9])
    runs.page_done("t-1", "waiting", "Payment", 0, "Payment", 1)
    return runs


def test_old_run_history_is_pruned_keeping_what_is_still_read(mongo_db):
    runs = seed(mongo_db)
    cursors = {realm: runs.cursors("t-1", realm, ENTITIES) for realm in ("r-0", "r-1")}
    last = runs.last_result("t-1")

    deleted = RunHistory(mongo_db).prune(NOW, Retention(keep_last=3, min_age_seconds=3600))

    gone = {"fail-old", "passed-cursor", "skipped"}
    assert deleted == {"checkpoints": 3, "run_results": 3, "runs": 4}  # + merged-old
    left = {doc["_id"] for doc in mongo_db["run_results"].find({}, {"_id": 1})}
    assert left == {"new-0", "new-1", "new-2", "fail-new", "invoice-cursor", "old-company",
                    "unrelayed"}
    assert {doc["_id"] for doc in mongo_db["runs"].find({}, {"_id": 1})} == \
        left | {"merged-young", "waiting"}
    assert not mongo_db["checkpoints"].count_documents({"run_id": {"$in": sorted(gone)}})
    assert mongo_db["checkpoints"].count_documents({"run_id": "waiting"}) == 1
    assert {realm: runs.cursors("t-1", realm, ENTITIES) for realm in cursors} == cursors
    assert runs.last_result("t-1") == last
    assert RunHistory(mongo_db).prune(NOW, Retention(3, 3600)) == \
        {"checkpoints": 0, "run_results": 0, "runs": 0}


def test_one_replica_prunes_per_housekeeping_interval(mongo_db):
    seed(mongo_db)
    replicas = [Housekeeping(ScheduleClaims(mongo_db), RunHistory(mongo_db), Retention(3, 3600),
                             interval=3600, wake_seconds=30) for _ in range(2)]
    first, second = (replica.tick(NOW) for replica in replicas)
    assert first is not None and first["run_results"] == 3
    assert second is None
    assert replicas[0].tick(NOW + timedelta(seconds=1)) is None  # same slot: not again
