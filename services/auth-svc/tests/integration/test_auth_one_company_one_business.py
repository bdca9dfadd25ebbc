"""Finding 12: a QuickBooks company connected to one business cannot be connected to
another (Intuit shares one grant between them); finding 11: the callback's realmId must be
digits, and an undecryptable pending revocation stays pending and is alarmed."""
from __future__ import annotations

import pytest
from clientsynq.auth.services.qbo_revocation import UNDECRYPTABLE, retry_pending_revocations

pytestmark = pytest.mark.integration


def test_a_company_connected_elsewhere_is_refused_with_a_clear_message(auth):
    first, second = auth.sign_up(), auth.sign_up()
    realm_id = auth.connect(first)
    exchanges = auth.sandbox.control.counts(realm_id)

    page = auth.callback(second, auth.authorize(second, realm_id))

    assert page.status_code == 400
    assert "already connected to another ClientSynq business" in page.get_data(as_text=True)
    assert auth.sandbox.control.counts(realm_id) == exchanges  # nothing reached Intuit
    status = second.client.get(f"/auth/v1/tenants/{second.tenant_id}/qbo/connection").json
    assert status["status"] == "not_connected"
    assert auth.access_token(first.tenant_id).status_code == 200
    assert first.client.delete(f"/auth/v1/tenants/{first.tenant_id}/qbo/connection") \
        .status_code == 200
    assert auth.connect(second, realm_id) == realm_id  # free again


def test_a_realm_id_that_is_not_digits_is_refused_before_intuit(auth):
    owner = auth.sign_up()
    params = auth.authorize(owner, auth.company())
    page = auth.callback(owner, {**params, "realmId": "123?x=1"})
    assert page.status_code == 400 and "invalid company id" in page.get_data(as_text=True)
    assert owner.client.get(f"/auth/v1/tenants/{owner.tenant_id}/qbo/connection").json[
        "status"] == "not_connected"


def test_an_undecryptable_revocation_is_retried_and_alarmed_not_marked_done(auth):
    owner = auth.sign_up()
    auth.connect(owner)
    latest = auth.connection_doc(owner.tenant_id)
    sealed_elsewhere = auth.deps.cipher.seal(owner.tenant_id, "0", "refresh", "x")  # wrong AD
    auth.versions().update_one({"_id": latest["_id"], "tenant_id": owner.tenant_id},
                               {"$set": {"revocation": {"realm_id": latest["realm_id"],
                                                        "token": sealed_elsewhere,
                                                        "done_at": None}}})
    before = UNDECRYPTABLE._value.get()

    assert retry_pending_revocations(auth.deps) == 0

    assert UNDECRYPTABLE._value.get() == before + 1
    assert auth.connection_doc(owner.tenant_id)["revocation"]["done_at"] is None
    [failed] = auth.audit_events(auth.log_in(owner.email), "qbo.revoke_failed")
    assert failed["details"]["reason"] == "undecryptable"
