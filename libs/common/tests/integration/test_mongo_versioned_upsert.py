"""Snapshots are applied only when newer: duplicates and stale deliveries change nothing."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from clientsynq.common.mongo import snapshot_version, upsert_if_newer

pytestmark = pytest.mark.integration

T0 = datetime(2025, 6, 1, 17, 0, tzinfo=UTC)


def save(coll, updated: datetime, token: str, balance: str, tenant: str = "t1") -> bool:
    return upsert_if_newer(coll, tenant_id=tenant, key="inv-130",
                           version=snapshot_version(updated, token), fields={"balance": balance})


def test_a_newer_snapshot_replaces_an_older_one(mongo_db):
    assert save(mongo_db.invoices, T0, "1", "100.00")
    assert save(mongo_db.invoices, T0 + timedelta(minutes=1), "2", "40.00")
    assert mongo_db.invoices.find_one({"_id": "t1:inv-130"})["balance"] == "40.00"


def test_an_older_snapshot_does_not_replace_a_newer_one(mongo_db):
    assert save(mongo_db.invoices, T0 + timedelta(minutes=1), "2", "40.00")
    assert not save(mongo_db.invoices, T0, "1", "100.00")
    assert mongo_db.invoices.find_one({"_id": "t1:inv-130"})["balance"] == "40.00"


def test_a_duplicate_snapshot_is_not_applied_twice(mongo_db):
    assert save(mongo_db.invoices, T0, "1", "100.00")
    assert not save(mongo_db.invoices, T0, "1", "100.00")


def test_the_sync_token_orders_snapshots_with_the_same_time(mongo_db):
    assert save(mongo_db.invoices, T0, "9", "1.00")
    assert save(mongo_db.invoices, T0, "10", "2.00")  # 10 > 9 numerically, not as text
    assert not save(mongo_db.invoices, T0, "9", "3.00")
    assert mongo_db.invoices.find_one({"_id": "t1:inv-130"})["balance"] == "2.00"


def test_tenants_with_the_same_entity_id_do_not_touch_each_other(mongo_db):
    assert save(mongo_db.invoices, T0, "1", "100.00", tenant="t1")
    assert save(mongo_db.invoices, T0, "1", "5.00", tenant="t2")
    stored = mongo_db.invoices.find_one({"_id": "t1:inv-130", "tenant_id": "t1"})
    assert stored["balance"] == "100.00"
    assert mongo_db.invoices.count_documents({"tenant_id": "t2"}) == 1
