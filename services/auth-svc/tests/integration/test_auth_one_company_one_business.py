"""Finding 12: a QuickBooks company connected to one business cannot be connected to
another (Intuit shares one grant between them); finding 11: the callback's realmId must be
digits. (An undecryptable pending revocation: tests/unit/test_auth_revocation_retry.py.)"""
from __future__ import annotations

import pytest

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

