"""Finding 10 (part): one service cannot speak as another; every QuickBooks token handed out
is counted and audited with its caller (the internal listener:
test_auth_internal_listener.py)."""
from __future__ import annotations

import pytest
from clientsynq.auth.api.internal import TOKENS_ISSUED

pytestmark = pytest.mark.integration


def test_sync_svc_cannot_speak_as_portal_svc(auth):
    sync_secret = auth.env["SERVICE_SECRET_SYNC"]
    verify = "/internal/v1/api-keys/verify"
    as_portal = auth.api().post(verify, json={"key": "csk.t.k.s"},
                                headers={"Authorization": f"Service portal-svc:{sync_secret}"})
    assert as_portal.status_code == 401
    as_itself = auth.api().post(verify, json={"key": "csk.t.k.s"},
                                headers={"Authorization": f"Service sync-svc:{sync_secret}"})
    assert as_itself.status_code == 403
    bare = auth.api().post(verify, json={"key": "csk.t.k.s"},
                           headers={"Authorization": f"Bearer {sync_secret}"})
    assert bare.status_code == 403  # the bare secret is recognised as sync-svc's


def test_every_token_hand_out_is_counted_and_audited(auth):
    owner = auth.sign_up()
    auth.connect(owner)
    before = TOKENS_ISSUED.labels(service="sync-svc")._value.get()

    for _ in range(2):
        assert auth.access_token(owner.tenant_id).status_code == 200

    assert TOKENS_ISSUED.labels(service="sync-svc")._value.get() == before + 2
    issued = auth.audit_events(owner, "qbo.token_issued")
    assert [(e["actor"], e["details"]["realm_id"]) for e in issued] == [
        ("sync-svc", issued[0]["details"]["realm_id"])] * 2

