"""A deleted payment reaches read models as a stub that still says whose it was and which
invoices it paid (from the last snapshot sync-svc published), so they can reverse it."""
from __future__ import annotations

import pytest
from sync_harness import (
    KafkaReader,
    ThreadWorker,
    company_rows,
    completed_runs,
    notify_change,
    request_incremental_sync,
    sync_env,
)

pytestmark = pytest.mark.integration
TOPICS = ("payment.recorded", "customer.updated", "invoice.updated", "sync.completed")


def _stub(reader, payment_id):
    return next((e["data"]["payment"] for e in reader.of("payment.recorded")
                 if e["data"]["payment"]["id"] == payment_id
                 and e["data"]["payment"]["status"] == "deleted"), None)


def test_deleted_payments_keep_their_customer_and_invoices_by_cdc_and_by_webhook(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="enterprise", customers=5, invoices=20, payments=8, seed=17)
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)):
        reader.until(lambda evs: bool(completed_runs(evs)), timeout=90)
        synced = {e["data"]["payment"]["id"]: e["data"]["payment"]
                  for e in reader.of("payment.recorded")}
        by_cdc, by_webhook = [p for p in company_rows(tenant, "Payment")
                              if p["Id"] in synced and p.get("Line")][:2]

        tenant.control.change(tenant.realm_id, "Payment", by_cdc["Id"], "delete")
        request_incremental_sync(kafka_conn, tenant, ["Payment"])
        reader.until(lambda evs: _stub(reader, by_cdc["Id"]) is not None, timeout=90)

        tenant.control.change(tenant.realm_id, "Payment", by_webhook["Id"], "delete")
        notify_change(kafka_conn, tenant, "Payment", by_webhook["Id"], "delete")
        reader.until(lambda evs: _stub(reader, by_webhook["Id"]) is not None, timeout=60)

    for payment in (by_cdc, by_webhook):
        stub, last = _stub(reader, payment["Id"]), synced[payment["Id"]]
        assert stub["customer_id"] == payment["CustomerRef"]["value"]
        assert stub["applied_to"] == last["applied_to"] and stub["applied_to"]
