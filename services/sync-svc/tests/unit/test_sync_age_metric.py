"""The sync-age metric grows between runs and restarts at each success, per business and
entity (the alert `SyncAgeHigh` reads it)."""
from __future__ import annotations

from clientsynq.sync.engine.freshness import METRIC, LastSuccess


def ages(collector: LastSuccess) -> dict[tuple[str, str], float]:
    (family,) = collector.collect()
    assert family.name == METRIC
    return {(s.labels["tenant_id"], s.labels["entity"]): s.value for s in family.samples}


def test_the_age_grows_until_the_next_success_of_that_entity():
    now = [1_000.0]
    collector = LastSuccess(clock=lambda: now[0])
    collector.record("t1", ["Customer", "Invoice"])
    now[0] += 3_600
    collector.record("t2", ["Invoice"])
    now[0] += 60
    assert ages(collector) == {("t1", "Customer"): 3_660, ("t1", "Invoice"): 3_660,
                               ("t2", "Invoice"): 60}
    collector.record("t1", ["Invoice"])
    assert ages(collector)[("t1", "Invoice")] == 0
    assert ages(collector)[("t1", "Customer")] == 3_660
