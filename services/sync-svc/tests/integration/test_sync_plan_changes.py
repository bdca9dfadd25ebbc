"""A plan change takes effect from the next command or run, in both directions: a tenant
downgraded from Pro can no longer write to QuickBooks, one downgraded from Enterprise
loses its sync controls (a pause no longer holds its syncs back); an upgrade restores them.
"""
from __future__ import annotations

import pytest
from clientsynq.sync.app import create_app
from clientsynq.sync.bootstrap import build
from clientsynq.sync.config import Settings
from sync_harness import (
    KafkaReader,
    ThreadWorker,
    company_rows,
    completed_runs,
    invoice_command,
    portal_headers,
    publish,
    request_incremental_sync,
    sync_env,
    wait_for,
)

pytestmark = pytest.mark.integration
TOPICS = ("invoice.updated", "command.failed", "command.succeeded", "sync.completed",
          "sync.failed")


def _command(customer_id: str) -> dict:
    return invoice_command(customer_id, "Window cleaning", "45.00")


def _outcome(reader, command_id):
    reader.until(lambda evs: any(e["data"]["command_id"] == command_id for e in
                                 reader.of("command.succeeded") + reader.of("command.failed")),
                 timeout=60)
    return next(e["type"] for e in reader.events if e["type"].startswith("command.")
                and e["data"]["command_id"] == command_id)


def test_writes_stop_at_once_on_a_downgrade_and_resume_on_an_upgrade(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="pro", customers=3, invoices=4, payments=1, seed=8)
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)):
        reader.until(lambda evs: bool(completed_runs(evs)), timeout=90)
        customer = next(c for c in company_rows(tenant, "Customer") if c["Active"])
        first = _command(customer["Id"])
        publish(kafka_conn, "invoice.create.requested", tenant, first)
        assert _outcome(reader, first["command_id"]) == "command.succeeded"  # token cached

        auth_service.set_plan(tenant.tenant_id, "basic")
        downgraded = _command(customer["Id"])
        publish(kafka_conn, "invoice.create.requested", tenant, downgraded)
        assert _outcome(reader, downgraded["command_id"]) == "command.failed"

        auth_service.set_plan(tenant.tenant_id, "pro")
        upgraded = _command(customer["Id"])
        publish(kafka_conn, "invoice.create.requested", tenant, upgraded)
        assert _outcome(reader, upgraded["command_id"]) == "command.succeeded"
    refused = next(e["data"] for e in reader.of("command.failed"))
    assert refused["code"] == "plan_does_not_allow"


def test_enterprise_controls_stop_applying_on_a_downgrade_and_return_on_an_upgrade(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="enterprise", customers=3, invoices=4, payments=1, seed=9)
    env = sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)
    reader = KafkaReader(kafka_conn, TOPICS)
    results = mongo_db["run_results"]

    def outcome_of_sync_now() -> str:
        before = results.count_documents({"tenant_id": tenant.tenant_id})
        request_incremental_sync(kafka_conn, tenant, ["Invoice"])
        wait_for(lambda: results.count_documents({"tenant_id": tenant.tenant_id}) > before,
                 timeout=60, what="the run's result")
        last = results.find_one({"tenant_id": tenant.tenant_id},
                                sort=[("finished_at", -1)])
        return str(last["status"])

    with ThreadWorker(env):
        reader.until(lambda evs: bool(completed_runs(evs)), timeout=90)
        client = create_app(build(Settings.from_env(env))).test_client()
        paused = client.post(f"/internal/v1/tenants/{tenant.tenant_id}/sync/pause",
                             headers=portal_headers(env))
        assert paused.json["paused"] is True
        assert outcome_of_sync_now() == "skipped"  # Enterprise: the pause holds

        auth_service.set_plan(tenant.tenant_id, "pro")
        assert outcome_of_sync_now() == "completed"  # the pause is Enterprise's alone

        auth_service.set_plan(tenant.tenant_id, "enterprise")
        assert outcome_of_sync_now() == "skipped"  # the stored pause is back
