"""The API-key and audit ports: the MongoDB adapters (on the MongoDB-wire server) and the
fakes of tests/auth_fakes.py answer alike, so unit tests on the fakes say something true."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from auth_fakes import FakeApiKeys, FakeAuditEvents
from clientsynq.auth.adapters.mongo_keys_audit import ApiKeyStore, AuditLog
from clientsynq.auth.domain.records import ApiKey, AuditEntry

pytestmark = pytest.mark.integration  # the adapter half needs the MongoDB-wire server
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["mongo", "fake"])
def keys(request, mongo_db) -> Any:
    return ApiKeyStore(mongo_db) if request.param == "mongo" else FakeApiKeys()


@pytest.fixture(params=["mongo", "fake"])
def audit(request, mongo_db) -> Any:
    return AuditLog(mongo_db) if request.param == "mongo" else FakeAuditEvents()


def _key(key_id: str, tenant_id: str = "t1", by: str = "u1", minutes: int = 0) -> ApiKey:
    return ApiKey(key_id=key_id, tenant_id=tenant_id, name=f"key {key_id}", prefix="csk",
                  scopes=("read",), created_at=NOW + timedelta(minutes=minutes), created_by=by)


def test_keys_are_listed_newest_first_within_their_business(keys):
    keys.add(_key("k1"), "d1")
    keys.add(_key("k2", minutes=1), "d2")
    keys.add(_key("k3", tenant_id="t2"), "d3")
    assert [k.key_id for k in keys.list("t1")] == ["k2", "k1"]
    assert keys.exists("t1", "k1") and not keys.exists("t2", "k1")
    key, digest = keys.active_digest("t1", "k1")
    assert (key.scopes, digest) == (("read",), "d1")
    assert keys.active_digest("t2", "k1") is None


def test_a_key_is_revoked_once_and_then_has_no_active_digest(keys):
    keys.add(_key("k1"), "d1")
    assert not keys.revoke("t2", "k1", NOW)
    assert keys.revoke("t1", "k1", NOW) and not keys.revoke("t1", "k1", NOW)
    assert keys.active_digest("t1", "k1") is None and keys.exists("t1", "k1")
    assert keys.list("t1")[0].revoked_at is not None


def test_removing_a_member_revokes_the_keys_they_created_only(keys):
    keys.add(_key("k1", by="u1"), "d1")
    keys.add(_key("k2", by="u2"), "d2")
    keys.add(_key("k3", by="u1", tenant_id="t2"), "d3")
    keys.add(_key("k4", by="u1"), "d4")
    assert keys.revoke("t1", "k4", NOW)
    assert keys.revoke_created_by("t1", "u1", NOW) == 1
    assert keys.active_digest("t1", "k1") is None
    assert keys.active_digest("t1", "k2") is not None
    assert keys.active_digest("t2", "k3") is not None


def test_the_audit_log_is_per_business_newest_first_filtered_and_limited(audit):
    for minute, action in enumerate(["a.one", "a.two", "a.one"]):
        audit.record(AuditEntry("t1", action, NOW + timedelta(minutes=minute), "u1",
                                {"n": minute}))
    audit.record(AuditEntry("t2", "a.one", NOW, None, {}))
    assert [e.details["n"] for e in audit.list("t1", 10)] == [2, 1, 0]
    assert [e.details["n"] for e in audit.list("t1", 10, "a.one")] == [2, 0]
    assert [e.details["n"] for e in audit.list("t1", 1)] == [2]
    assert [(e.actor, e.details) for e in audit.list("t2", 10)] == [(None, {})]
