"""QBO misbehaving mid-sync: a 429 storm, a run of 503s, a token that expires, an
authorization that ends."""
from __future__ import annotations

import pytest
from sync_harness import (
    TOPICS,
    KafkaReader,
    ThreadWorker,
    checkpointed_pages,
    completed_runs,
    expected_ids,
    failures,
    finished,
    snapshot_ids,
    sync_env,
    wait_for,
)

pytestmark = pytest.mark.integration


def _env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, **extra):
    return sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox,
                    SYNC_QBO_PAGE_SIZE="20", **extra)


@pytest.mark.parametrize(("status", "count"), [(429, 25), (503, 12)])
def test_a_storm_of_throttles_or_outages_is_ridden_out(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant, status, count):
    tenant = connect_tenant(plan="basic", customers=30, invoices=120, payments=50, seed=9)
    tenant.control.inject_fault(status=status, count=count, realm_id=tenant.realm_id,
                                kind="api")
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox,
                           SYNC_QBO_RETRY_ATTEMPTS="40")):
        events = reader.until(finished, timeout=120)
    assert not failures(events), failures(events)
    customers, invoices, payments = expected_ids(tenant)
    assert snapshot_ids(events, "invoice.updated", "invoice") == invoices
    assert snapshot_ids(events, "customer.updated", "customer") == customers
    assert snapshot_ids(events, "payment.recorded", "payment") == payments
    answered = [r for r in tenant.control.request_log(realm_id=tenant.realm_id, limit=100000)
                if r.get("status") == status]
    # the storm really happened, and was outlasted (the test's own reads right after the
    # sync may meet the realm's real 10/s limit too, so more 429s than injected are fine)
    assert len(answered) >= count


def test_a_token_that_expires_mid_sync_is_refreshed_once(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="basic", customers=40, invoices=200, payments=80, seed=4,
                            tie_fraction=0.3, shuffle_ties=True)
    tenant.control.inject_fault(delay_ms=150, count=1000, realm_id=tenant.realm_id,
                                kind="query")
    refreshes_before = tenant.control.counts(tenant.realm_id)["token_refreshes"]
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)):
        wait_for(lambda: checkpointed_pages(mongo_db) >= 2, what="two pages")
        assert tenant.control.expire_tokens(realm_id=tenant.realm_id, which="access") >= 1
        tenant.control.clear_faults()
        events = reader.until(finished, timeout=120)
    assert not failures(events), failures(events)
    assert tenant.control.counts(tenant.realm_id)["token_refreshes"] == refreshes_before + 1
    _, invoices, _ = expected_ids(tenant)
    assert snapshot_ids(events, "invoice.updated", "invoice") == invoices


def test_an_expired_authorization_stops_the_sync_cleanly(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="basic", customers=40, invoices=200, payments=80, seed=4)
    tenant.control.inject_fault(delay_ms=150, count=1000, realm_id=tenant.realm_id,
                                kind="query")
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)) as worker:
        wait_for(lambda: checkpointed_pages(mongo_db) >= 2, what="two pages")
        tenant.control.expire_tokens(realm_id=tenant.realm_id, which="all")
        tenant.control.clear_faults()
        events = reader.until(finished, timeout=120)
        assert worker.thread.is_alive()  # the worker goes on serving other tenants
    assert not completed_runs(events)
    failed = failures(events)
    assert [f["error_class"] for f in failed] == ["authorization_expired"]
    run = mongo_db["runs"].find_one({"_id": failed[0]["run_id"]})
    assert run["status"] == "failed"


def test_a_dead_grant_behind_a_stale_token_is_reported_to_auth_svc(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    """The worker holds a token auth-svc has since replaced (a reconnect does that), then
    the grant dies. Its 401 gets auth-svc's current token without a refresh; when that is
    refused too, the worker must ask auth-svc to refresh it, so auth-svc learns from Intuit
    that the authorization expired and records it (the business sees Authorization Expired
    now, not at the next scheduled run: the browser story failed in CI that way)."""
    import requests

    tenant = connect_tenant(plan="basic", customers=40, invoices=200, payments=80, seed=4)
    tenant.control.inject_fault(delay_ms=150, count=1000, realm_id=tenant.realm_id,
                                kind="query")
    base = f"{auth_service.base_url}/internal/v1/tenants/{tenant.tenant_id}/qbo/access-token"
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)):
        wait_for(lambda: checkpointed_pages(mongo_db) >= 2, what="two pages")
        held = requests.get(base, headers=auth_service.service_headers(), timeout=30).json()
        rotated = requests.post(f"{base}/refresh", headers=auth_service.service_headers(),
                                json={"rejected_access_token": held["access_token"]},
                                timeout=30)
        assert rotated.status_code == 200, rotated.text  # the worker's token is now stale
        tenant.control.expire_tokens(realm_id=tenant.realm_id, which="all")
        tenant.control.clear_faults()
        events = reader.until(finished, timeout=120)
    assert [f["error_class"] for f in failures(events)] == ["authorization_expired"]
    stored = auth_service.deps.stores.connections.get(tenant.tenant_id)
    assert stored is not None and stored.connection.status == "authorization_expired"
