"""A failed initial sync heals by itself: it is retried with backoff (no Sync Now), and
the schedule counts its slots as done only once a run has really covered them."""
from __future__ import annotations

import pytest
from sync_harness import (
    TOPICS,
    KafkaReader,
    ThreadWorker,
    completed_runs,
    failures,
    sync_env,
)

pytestmark = pytest.mark.integration


def test_a_failed_initial_sync_is_retried_until_it_completes(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="basic", customers=4, invoices=8, payments=2, seed=41)
    tenant.control.inject_fault(status=503, count=6, realm_id=tenant.realm_id, kind="api")
    env = sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox,
                   SYNC_QBO_RETRY_ATTEMPTS="2", SYNC_RUN_RETRY_INITIAL="300ms")
    claims = mongo_db["schedule_claims"]
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(env):
        reader.until(lambda evs: bool(failures(evs)), timeout=90)
        assert claims.count_documents({"tenant_id": tenant.tenant_id}) == 0  # not covered
        events = reader.until(lambda evs: bool(completed_runs(evs)), timeout=90)

    assert failures(events)[0]["error_class"] == "qbo_unavailable"
    done = completed_runs(events)[0]
    assert done["mode"] == "full" and done["counts"]["Invoice"] > 0
    assert claims.count_documents({"tenant_id": tenant.tenant_id}) > 0  # covered now
    retry = mongo_db["runs"].find_one({"tenant_id": tenant.tenant_id, "attempt": {"$gt": 1}})
    assert retry is not None and retry["reason"] == "initial"
