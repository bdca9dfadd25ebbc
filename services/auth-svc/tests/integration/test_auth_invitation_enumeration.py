"""Finding 7 (part): inviting a team member answers the same whether or not the email has
a ClientSynq account (in any business), so an admin cannot probe who uses ClientSynq; only
the mailbox's owner is told they cannot join with that address."""
from __future__ import annotations

import pytest
from mail_sink.testing import wait_for_message

pytestmark = pytest.mark.integration


def _shape(response) -> tuple[int, list[str], str]:
    return response.status_code, sorted(response.json), response.json["status"]


def test_inviting_a_known_and_an_unknown_email_looks_the_same(auth):
    elsewhere = auth.sign_up()  # an account in another business
    owner = auth.sign_up(plan="pro")
    path = f"/auth/v1/tenants/{owner.tenant_id}/member-invitations"

    known = owner.client.post(path, json={"email": elsewhere.email, "role": "member"})
    unknown = owner.client.post(path, json={"email": "nobody-yet@example.com",
                                            "role": "member"})

    assert _shape(known) == _shape(unknown) == (201, sorted(unknown.json), "pending")
    statuses = [i["status"] for i in owner.client.get(path).json["invitations"]]
    assert statuses == ["pending", "pending"]
    told = wait_for_message(auth.mail, elsewhere.email)["body"]
    assert "already belongs to a ClientSynq account" in told and "/join/" not in told
    assert "/join/" in wait_for_message(auth.mail, "nobody-yet@example.com")["body"]
