"""ensure_indexes: every index exists after it, on MongoDB and on FerretDB 1.x (which
refuses some options), and a refused option is said once per call, not once per index."""
from __future__ import annotations

import logging

import pytest
from clientsynq.common.mongo import ensure_indexes
from pymongo import ASCENDING, IndexModel

pytestmark = pytest.mark.integration

SPECS = {
    "sessions": [IndexModel([("expires_at", ASCENDING)], name="ttl", expireAfterSeconds=0),
                 IndexModel([("tenant_id", ASCENDING)], name="tenant")],
    "codes": [IndexModel([("created_at", ASCENDING)], name="ttl", expireAfterSeconds=60)],
}


def test_every_index_exists_and_a_refused_option_is_one_line(mongo_db, caplog):
    with caplog.at_level(logging.INFO, logger="clientsynq.common.mongo"):
        ensure_indexes(mongo_db, SPECS)
        ensure_indexes(mongo_db, SPECS)  # every start runs it again: still fine
    for collection, indexes in SPECS.items():
        held = set(mongo_db[collection].index_information())
        assert {i.document["name"] for i in indexes} <= held
    refused = [r for r in caplog.records if r.msg == "mongo.index_options_unsupported"]
    ttl_kept = "expireAfterSeconds" in mongo_db.sessions.index_information()["ttl"]
    assert len(refused) == (0 if ttl_kept else 2)  # FerretDB 1.x: one line per call
    for record in refused:
        assert record.options == {"expireAfterSeconds": ["codes", "sessions"]}


def test_an_index_the_server_refuses_for_another_reason_still_fails(mongo_db):
    from pymongo.errors import OperationFailure
    mongo_db.clash.create_index([("a", ASCENDING)], name="one")
    with pytest.raises(OperationFailure):  # same name, other keys: never silently dropped
        ensure_indexes(mongo_db, {"clash": [IndexModel([("b", ASCENDING)], name="one")]})
