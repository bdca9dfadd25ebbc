"""What a company's next run starts from (cursors, names) is read from one summary document
by `_id`, and says the same as the company's completed results would: the furthest cursor
per entity, the newest completed run's names; a company whose results predate the summary
is read from its results and its summary seeded from them."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from clientsynq.sync.adapters.runs import SUMMARIES, RunStore

pytestmark = pytest.mark.integration
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ENTITIES = ("Customer", "Invoice", "Payment")


def _result(n: int, status: str = "completed", **fields) -> dict:
    return {"_id": f"run-{n}", "tenant_id": "t1", "realm_id": "r1", "status": status,
            "finished_at": T0 + timedelta(minutes=n), **fields}


def test_the_summary_keeps_the_furthest_cursors_and_the_newest_names(mongo_db):
    runs = RunStore(mongo_db)
    runs.record_result(_result(1, cursors={"Invoice": T0, "Customer": T0},
                               names={"terms": {"1": "Net 30"}}), [])
    runs.record_result(_result(2, cursors={"Payment": T0 + timedelta(minutes=2)},
                               names={"terms": {"1": "Net 15"}}), [])
    runs.record_result(_result(3, "failed", cursors={"Invoice": T0 + timedelta(days=1)}), [])
    runs.record_result(_result(4, cursors={"Invoice": T0 - timedelta(hours=1)}), [])

    expected = {"Invoice": T0, "Customer": T0, "Payment": T0 + timedelta(minutes=2)}
    assert runs.cursors("t1", "r1", ENTITIES) == expected
    assert runs.cursors("t1", "r1", ("Invoice",)) == {"Invoice": T0}
    assert runs.last_names("t1", "r1") == {"terms": {"1": "Net 15"}}
    assert runs.cursors("t2", "r1", ENTITIES) == {} and runs.cursors("t1", "r2", ENTITIES) == {}
    mongo_db[SUMMARIES].delete_many({})  # as if the results predated the summary
    assert runs.cursors("t1", "r1", ENTITIES) == expected
    assert runs.last_names("t1", "r1") == {"terms": {"1": "Net 15"}}


def test_a_company_with_results_but_no_summary_gets_one_seeded_from_them(mongo_db):
    runs = RunStore(mongo_db)
    mongo_db["run_results"].insert_one(_result(1, cursors={"Customer": T0},
                                                names={"terms": {"1": "Net 30"}}))
    runs.record_result(_result(2, cursors={"Payment": T0}), [])

    assert mongo_db[SUMMARIES].count_documents({}) == 1
    assert runs.cursors("t1", "r1", ENTITIES) == {"Customer": T0, "Payment": T0}
    assert runs.last_names("t1", "r1") == {"terms": {"1": "Net 30"}}


def test_a_first_run_that_synced_everything_seeds_the_summary_alone(mongo_db):
    """Every company's first completed run is its initial sync: it reads no results."""
    runs = RunStore(mongo_db)
    later = T0 + timedelta(hours=1)
    runs.record_result(_result(1, cursors=dict.fromkeys(ENTITIES, later),
                               names={"terms": {"1": "Net 30"}}), [])
    mongo_db["run_results"].delete_many({})  # the summary alone answers from now on

    assert runs.cursors("t1", "r1", ENTITIES) == dict.fromkeys(ENTITIES, later)
    assert runs.last_names("t1", "r1") == {"terms": {"1": "Net 30"}}


def test_a_tenant_met_for_the_first_time_starts_with_an_empty_summary(mongo_db):
    """Its first runs read the summary alone (no scan of results), and say what its (no)
    results would; a tenant already known that moves to another company gets none, so
    that company's older results, if any, are still read."""
    from clientsynq.sync.adapters.tenants import TenantStore

    tenants, runs = TenantStore(mongo_db), RunStore(mongo_db)
    tenants.record_connection("t1", "r1", "connected", "Acme", T0)
    tenants.record_connection("t1", "r1", "connected", "Acme", T0 + timedelta(minutes=1))
    assert list(mongo_db[SUMMARIES].find({}, {"_id": 0})) == [
        {"tenant_id": "t1", "realm_id": "r1", "cursors": {}}]
    assert runs.cursors("t1", "r1", ENTITIES) == {} and runs.last_names("t1", "r1") is None
    runs.record_result(_result(1, cursors={"Invoice": T0}, names={"terms": {"1": "Net 30"}}),
                       [])
    assert runs.cursors("t1", "r1", ENTITIES) == {"Invoice": T0}
    assert runs.last_names("t1", "r1") == {"terms": {"1": "Net 30"}}
    tenants.record_connection("t1", "r2", "connected", "Other", T0 + timedelta(minutes=2))
    assert mongo_db[SUMMARIES].count_documents({"realm_id": "r2"}) == 0
