"""The latest connection version is the one the query on `tenant_id` gives, whatever other
processes appended or purged since this one last read; a superseded version still needed
(its revocation not done) stays, and the others go."""
from __future__ import annotations

from typing import Any

import pytest
from clientsynq.auth.adapters.mongo_connections import COLLECTION, ConnectionStore
from clientsynq.common.outbox import PENDING
from contract.test_auth_connections_contract import NOW, connect

pytestmark = pytest.mark.integration


def _appended_elsewhere(mongo_db: Any, tenant_id: str, version: int, **fields: Any) -> None:
    """Version `version` as another process's append inserts it (this process's memory of
    the versions it saw is not told)."""
    base = mongo_db[COLLECTION].find_one({"tenant_id": tenant_id},
                                         sort=[("version", -1)], projection={"_id": 0})
    mongo_db[COLLECTION].insert_one({**base, "_id": f"{tenant_id}#{version:012d}",
                                     "version": version, "company_name": f"v{version}",
                                     PENDING: False, "revocation": None, **fields})


def _latest_by_query(mongo_db: Any, tenant_id: str) -> int:
    return int(mongo_db[COLLECTION].find_one({"tenant_id": tenant_id},
                                             sort=[("version", -1)])["version"])


def test_the_latest_is_found_after_appends_and_purges_elsewhere(mongo_db):
    store = ConnectionStore(mongo_db)
    connect(store, "t1", "r1", at=NOW)  # this process has seen version 1
    for version in (2, 3):
        _appended_elsewhere(mongo_db, "t1", version)
    assert store.get("t1").connection.company_name == "v3"  # type: ignore[union-attr]
    for version in (4, 5):
        _appended_elsewhere(mongo_db, "t1", version)
    mongo_db[COLLECTION].delete_many({"tenant_id": "t1", "version": {"$lt": 5}})
    latest = store.get("t1")  # the version read here last (3) was purged
    assert latest is not None and latest.connection.company_name == "v5"
    assert _latest_by_query(mongo_db, "t1") == 5


def test_a_version_still_needed_stays_and_the_others_superseded_go(mongo_db):
    """Version 2 waits for its revocation; 1 and 3 were relayed and superseded by 4: their
    (sealed) tokens go, 2's stay until it is revoked."""
    store = ConnectionStore(mongo_db)
    connect(store, "t1", "r1", at=NOW)
    _appended_elsewhere(mongo_db, "t1", 2, revocation={"realm_id": "r0", "token": "old",
                                                        "done_at": None})
    assert store.get("t1") is not None  # seen here: version 2
    _appended_elsewhere(mongo_db, "t1", 3)
    _appended_elsewhere(mongo_db, "t1", 4)
    mongo_db[COLLECTION].update_many({"tenant_id": "t1"}, {"$set": {PENDING: False}})
    store.purge_all_superseded()
    kept = sorted(d["version"] for d in mongo_db[COLLECTION].find({"tenant_id": "t1"}))
    assert kept == [2, 4]
    latest = store.get("t1")
    assert latest is not None and latest.connection.company_name == "v4"
