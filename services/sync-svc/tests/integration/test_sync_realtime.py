"""Changes after the initial sync: a webhook's `qbo.entity.changed` is one fetch and one
event; an incremental (CDC) run picks up a deletion."""
from __future__ import annotations

from urllib.parse import unquote_plus

import pytest
from sync_harness import (
    TOPICS,
    KafkaReader,
    ThreadWorker,
    company_rows,
    completed_runs,
    notify_change,
    request_incremental_sync,
    sync_env,
)

pytestmark = pytest.mark.integration


def _synced(reader):
    return reader.until(lambda evs: bool(completed_runs(evs)), timeout=90)


def test_a_webhook_change_arrives_as_one_event(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    tenant = connect_tenant(plan="enterprise", customers=10, invoices=30, payments=10)
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)):
        _synced(reader)
        invoice = next(i for i in company_rows(tenant, "Invoice") if i["Balance"] > 0)
        tenant.control.change(tenant.realm_id, "Invoice", invoice["Id"], "update",
                              DueDate="2031-01-31")
        before = len(reader.of("invoice.updated"))
        notify_change(kafka_conn, tenant, "Invoice", invoice["Id"], "update")
        reader.until(lambda evs: len(reader.of("invoice.updated")) > before, timeout=30)
    news = reader.of("invoice.updated")[before:]
    assert len(news) == 1
    assert news[0]["data"]["invoice"]["id"] == invoice["Id"]
    assert news[0]["data"]["invoice"]["due_date"] == "2031-01-31"


def test_an_incremental_run_picks_up_a_deletion_through_cdc(
        infra, kafka_conn, mongo_db, auth_service, qbo_sandbox, connect_tenant):
    """…and a payment method renamed since the last run: the incremental run reuses the
    names the initial sync read (no query for them) and shows the new name on the first
    payment that refers to the method by id alone (engine.names, issue 17)."""
    tenant = connect_tenant(plan="basic", customers=10, invoices=30, payments=10)
    reader = KafkaReader(kafka_conn, TOPICS)
    with ThreadWorker(sync_env(infra, kafka_conn, mongo_db, auth_service, qbo_sandbox)):
        _synced(reader)
        victim = company_rows(tenant, "Invoice")[-1]["Id"]
        renamed = company_rows(tenant, "Payment")[0]["Id"]
        customer = next(c for c in company_rows(tenant, "Customer") if c["Active"])
        tenant.control.change(tenant.realm_id, "Invoice", victim, "delete")
        tenant.control.change(tenant.realm_id, "Customer", customer["Id"], "update",
                              Active=False)
        tenant.control.change(tenant.realm_id, "PaymentMethod", "2", "update", Name="Cheque")
        tenant.control.change(tenant.realm_id, "Payment", renamed, "update",
                              PaymentMethodRef={"value": "2"}, PrivateNote="by cheque")
        log_mark = len(tenant.control.request_log(realm_id=tenant.realm_id, limit=100000))
        request_incremental_sync(kafka_conn, tenant, ["Customer", "Invoice", "Payment"])
        events = reader.until(lambda evs: len(completed_runs(evs)) >= 2, timeout=90)
    second = completed_runs(events)[1]
    methods = [e["data"]["payment"]["method"] for e in events
               if e["type"] == "payment.recorded" and e["data"]["payment"]["id"] == renamed]
    assert methods[-1] == "Cheque"
    asked = [unquote_plus(r.get("query_string", "")) for r in
             tenant.control.request_log(realm_id=tenant.realm_id, limit=100000)[log_mark:]]
    assert not [a for a in asked if "FROM Term" in a or "FROM PaymentMethod" in a], asked
    # what another replica would start from: the names the run left in its result
    left = mongo_db["run_results"].find_one({"_id": second["run_id"]})["names"]
    assert left["PaymentMethod"]["names"]["2"] == "Cheque"
    assert second["mode"] == "incremental"
    deleted = [e["data"]["invoice"] for e in events if e["type"] == "invoice.updated"
               and e["data"]["invoice"]["id"] == victim
               and e["data"]["invoice"]["status"] == "deleted"]
    assert len(deleted) == 1
    inactive = [e["data"]["customer"] for e in events if e["type"] == "customer.updated"
                and e["data"]["customer"]["id"] == customer["Id"]
                and e["data"]["customer"]["active"] is False]
    assert len(inactive) == 1
