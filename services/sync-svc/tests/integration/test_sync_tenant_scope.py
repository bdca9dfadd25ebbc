"""Tenant scope in sync-svc's own data: runs, checkpoints, results and command documents
carry `tenant_id`, and a query naming another tenant finds nothing and changes nothing."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from clientsynq.sync.adapters.commands import CommandLedger
from clientsynq.sync.adapters.payment_links import PaymentLinks
from clientsynq.sync.adapters.runs import RunStore
from pymongo.errors import DuplicateKeyError

pytestmark = pytest.mark.integration
COMMAND = "6f1c2a52-7d1e-4a3b-9a55-0f0e1f2d3c4b"


def test_runs_and_checkpoints_are_invisible_to_another_tenant(mongo_db):
    runs, now = RunStore(mongo_db), datetime.now(UTC)
    runs.request({"_id": "run-a", "tenant_id": "tenant-a", "realm_id": "r-a",
                  "request_ids": [], "reason": "manual", "mode": "full",
                  "entities": ["Invoice"]}, now)
    runs.save_stream("tenant-a", "run-a", "Invoice_recent", {"entity": "Invoice", "pages": 1})
    runs.page_done("tenant-a", "run-a", "Invoice_recent", 0, "Invoice", 7, ["3"])
    runs.record_result({"_id": "run-a", "tenant_id": "tenant-a", "status": "completed"}, [])

    assert runs.get("tenant-b", "run-a") is None
    assert runs.stream_states("tenant-b", "run-a") == {}
    assert runs.counts("tenant-b", "run-a") == {}
    assert runs.touched_customers("tenant-b", "run-a") == []
    assert runs.result("tenant-b", "run-a") is None
    runs.update("tenant-b", "run-a", {"status": "failed"})
    with pytest.raises(DuplicateKeyError):  # it cannot take over tenant-a's document
        runs.save_stream("tenant-b", "run-a", "Invoice_recent", {"pages": 99})

    assert runs.get("tenant-a", "run-a")["status"] == "pending"
    assert runs.stream_states("tenant-a", "run-a")["Invoice_recent"]["pages"] == 1
    assert runs.counts("tenant-a", "run-a") == {"Invoice": 7}
    assert all(doc.get("tenant_id") == "tenant-a" for doc in mongo_db["checkpoints"].find())


def test_a_command_id_cannot_be_taken_or_read_by_another_tenant(mongo_db):
    ledger, now = CommandLedger(mongo_db), datetime.now(UTC)
    assert ledger.begin("tenant-a", COMMAND, "invoice.create.requested", {}, now) is not None

    assert ledger.begin("tenant-b", COMMAND, "invoice.create.requested", {}, now) is None
    assert ledger.get("tenant-b", COMMAND) is None
    ledger.fail("tenant-b", COMMAND, "forged", None, [], now)
    ledger.unknown("tenant-b", COMMAND, "forged", now)

    assert ledger.get("tenant-a", COMMAND)["status"] == "in_progress"
    assert ledger.due("tenant-b", now.replace(year=now.year + 1)) == []


def test_payment_links_are_per_tenant_and_the_newest_version_wins(mongo_db):
    links = PaymentLinks(mongo_db)
    old = {"payment_id": "131", "updated_at": "2025-06-01T10:00:00Z", "customer_id": "3",
           "customer_name": "Cool Cars", "txn_date": "2025-06-01",
           "applied_to": [{"invoice_id": "130", "amount": "10.00"}]}
    new = {**old, "updated_at": "2025-06-02T10:00:00Z",
           "applied_to": [{"invoice_id": "130", "amount": "12.00"}]}
    links.remember("tenant-a", [new, old])
    links.remember("tenant-a", [new])  # seen twice: harmless

    assert links.known("tenant-a", ["131"])["131"]["applied_to"][0]["amount"] == "12.00"
    assert links.known("tenant-b", ["131"]) == {}
