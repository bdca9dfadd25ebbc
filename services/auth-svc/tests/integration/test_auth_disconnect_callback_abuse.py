"""Finding 6: Intuit's Disconnect URL is a forgeable GET. A flood of forged calls makes at
most one CompanyInfo call per realm every few minutes, never a refresh, and only a
definite 401 disconnects (a 403 is not "grant gone")."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.integration


def _forge(auth, realm_id: str):
    return auth.api().get("/auth/v1/qbo/disconnected", query_string={"realmId": realm_id})


def _companyinfo_calls(auth, realm_id: str) -> int:
    return int(auth.sandbox.control.counts(realm_id)["requests_by_kind"].get("companyinfo", 0))


def _status(auth, owner) -> str:
    return str(owner.client.get(f"/auth/v1/tenants/{owner.tenant_id}/qbo/connection")
               .json["status"])


def test_a_flood_of_forged_callbacks_asks_intuit_once_and_never_refreshes(auth):
    owner = auth.sign_up()
    realm_id = auth.connect(owner)
    before = _companyinfo_calls(auth, realm_id)
    latest = auth.connection_doc(owner.tenant_id)
    auth.versions().update_one({"_id": latest["_id"], "tenant_id": owner.tenant_id}, {"$set": {
        "access_expires_at": datetime.now(UTC) + timedelta(minutes=10)}})  # not due

    pages = [_forge(auth, realm_id) for _ in range(10)]

    assert all(p.status_code == 200 for p in pages)
    assert _companyinfo_calls(auth, realm_id) - before == 1
    assert auth.refreshes(realm_id) == 0
    assert _status(auth, owner) == "connected"
    auth.clock.advance(301)
    _forge(auth, realm_id)
    assert _companyinfo_calls(auth, realm_id) - before == 2  # a new window, one more check


def test_an_expired_access_token_is_not_refreshed_to_answer_a_forged_call(auth):
    owner = auth.sign_up()
    realm_id = auth.connect(owner)
    latest = auth.connection_doc(owner.tenant_id)
    auth.versions().update_one({"_id": latest["_id"], "tenant_id": owner.tenant_id}, {"$set": {
        "access_expires_at": datetime.now(UTC) - timedelta(seconds=1)}})
    _forge(auth, realm_id)
    assert auth.refreshes(realm_id) == 0 and _status(auth, owner) == "connected"


def test_a_403_from_intuit_is_not_taken_as_grant_gone(auth):
    owner = auth.sign_up()
    realm_id = auth.connect(owner)
    auth.sandbox.control.inject_fault(status=403, kind="companyinfo", realm_id=realm_id,
                                      shape="auth_120")
    _forge(auth, realm_id)
    assert _status(auth, owner) == "connected"
