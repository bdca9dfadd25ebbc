"""The refresh-token and invitation ports: the MongoDB adapters (on the MongoDB-wire
server) and the fakes of tests/auth_fakes.py answer alike, including single use under
concurrency, so unit tests on the fakes say something true."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from auth_fakes import FakeInvitations, FakeRefreshTokens
from clientsynq.auth.adapters.mongo_invitations import InvitationStore
from clientsynq.auth.adapters.mongo_sessions import RefreshTokenStore
from clientsynq.auth.domain.model import SessionSubject
from clientsynq.auth.domain.records import Invitation

pytestmark = pytest.mark.integration  # the adapter half needs the MongoDB-wire server
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=1)
OWNER = SessionSubject(tenant_id="t1", subject="u1", kind="user")


@pytest.fixture(params=["mongo", "fake"])
def tokens(request, mongo_db) -> Any:
    return RefreshTokenStore(mongo_db) if request.param == "mongo" else FakeRefreshTokens()


@pytest.fixture(params=["mongo", "fake"])
def invitations(request, mongo_db) -> Any:
    return InvitationStore(mongo_db) if request.param == "mongo" else FakeInvitations()


def _wins(call: Any) -> int:
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda _: call(), range(8))).count(True)


def test_a_refresh_token_knows_its_first_use_and_its_business(tokens):
    tokens.add("d1", OWNER, "f1", NOW, LATER)
    assert tokens.use("t2", "d1", NOW) is None and tokens.family_of("t2", "d1") is None
    first = tokens.use("t1", "d1", NOW)
    assert (first.subject, first.family_id, first.first_use, first.revoked) == (
        OWNER, "f1", True, False)
    assert not tokens.use("t1", "d1", NOW).first_use  # a replay
    tokens.add("d2", OWNER, "f1", NOW, LATER)
    assert _wins(lambda: tokens.use("t1", "d2", NOW).first_use) == 1
    assert tokens.family_of("t1", "d2") == "f1" and tokens.use("t1", "nope", NOW) is None


def test_a_revoked_family_ends_its_session_and_joins_the_feed(tokens):
    tokens.add("d1", OWNER, "f1", NOW, LATER)
    tokens.add("d2", OWNER, "f2", NOW, LATER)
    tokens.add("d3", SessionSubject("t1", "u2", "user"), "f3", NOW, LATER)
    assert tokens.families_of("t1", "u1") == {"f1", "f2"}
    tokens.revoke_family("t1", "f2", NOW + timedelta(seconds=2), LATER)
    tokens.revoke_family("t1", "f1", NOW + timedelta(seconds=3), LATER)
    tokens.revoke_family("t1", "f1", NOW + timedelta(seconds=9), LATER)  # once is enough
    assert tokens.is_revoked("t1", "f1") and tokens.is_ended("t1", "f2")
    assert not tokens.is_revoked("t2", "f1") and not tokens.is_ended("t1", "f3")
    assert tokens.use("t1", "d1", NOW).revoked
    assert [family for family, _ in tokens.ended_since(NOW, 10)] == ["f2", "f1"]
    assert [family for family, _ in tokens.ended_since(NOW + timedelta(seconds=2), 10)] == [
        "f1"]
    assert len(tokens.ended_since(NOW, 1)) == 1


def _invitation(invitation_id: str, kind: str = "member", by: str = "u1", customer: str = "",
                tenant_id: str = "t1", minutes: int = 0) -> Invitation:
    return Invitation(invitation_id=invitation_id, tenant_id=tenant_id, kind=kind,
                      email=f"{invitation_id}@example.com",
                      created_at=NOW + timedelta(minutes=minutes), expires_at=LATER,
                      created_by=by, customer_id=customer or None,
                      role="member" if kind == "member" else None)


def test_a_link_is_used_once_by_a_redemption_or_a_cancellation(invitations):
    invitations.add(_invitation("i1"), "d1")
    assert invitations.redeem("t2", "d1", "member", NOW) is None
    assert invitations.redeem("t1", "d1", "client", NOW) is None
    assert invitations.redeem("t1", "d1", "member", LATER) is None  # expired
    redeemed = invitations.redeem("t1", "d1", "member", NOW)
    assert redeemed.invitation_id == "i1" and redeemed.redeemed_at is not None
    assert invitations.redeem("t1", "d1", "member", NOW) is None
    assert not invitations.cancel("t1", "i1", NOW)
    invitations.add(_invitation("i2"), "d2")
    assert invitations.cancel("t1", "i2", NOW) and not invitations.cancel("t1", "i2", NOW)
    assert invitations.redeem("t1", "d2", "member", NOW) is None
    invitations.add(_invitation("i3"), "d3")
    assert _wins(lambda: invitations.redeem("t1", "d3", "member", NOW) is not None) == 1


def test_pending_links_by_creator_and_customer_and_listings(invitations):
    invitations.add(_invitation("i1", by="u1"), "d1")
    invitations.add(_invitation("i2", by="u2", minutes=1), "d2")
    invitations.add(_invitation("i3", kind="client", customer="c1", minutes=2), "d3")
    invitations.add(_invitation("i4", kind="client_link", customer="c1", minutes=3), "d4")
    invitations.add(_invitation("i5", kind="client", customer="c2", tenant_id="t2"), "d5")
    invitations.add(_invitation("i6", by="u1", minutes=4), "d6")
    assert invitations.cancel("t1", "i6", NOW)
    assert sorted(i.invitation_id for i in invitations.pending_created_by("t1", "u1", NOW)) == [
        "i1", "i3", "i4"]
    assert sorted(i.invitation_id for i in invitations.pending_for_customer("t1", "c1", NOW)
                  ) == ["i3", "i4"]
    assert invitations.pending_for_customer("t1", "c1", LATER) == []
    assert [i.invitation_id for i in invitations.list("t1", "member")] == ["i6", "i2", "i1"]
    assert [i.invitation_id for i in invitations.list("t1", "member", limit=1)] == ["i6"]
    assert invitations.exists("t1", "client", "i3") and not invitations.exists("t2", "client",
                                                                               "i3")
    invitations.remove("t1", "i1")
    assert not invitations.exists("t1", "member", "i1")


def test_a_client_identity_is_one_per_customer_and_revocable(invitations):
    invitations.remember_client("t1", "c1", "a@example.com", NOW)
    invitations.remember_client("t1", "c1", "b@example.com", NOW + timedelta(minutes=1))
    invitations.remember_client("t2", "c1", "b@example.com", NOW)
    assert [(c.customer_id, c.email) for c in invitations.clients("t1")] == [
        ("c1", "b@example.com")]
    assert invitations.is_client_active("t1", "c1")
    assert invitations.revoke_client("t1", "c1", NOW) and not invitations.revoke_client(
        "t1", "nobody", NOW)
    assert not invitations.is_client_active("t1", "c1")
    assert [c.tenant_id for c in invitations.active_clients_by_email("b@example.com")] == [
        "t2"]
    invitations.client_link_signed_in("t1", "c1", NOW)  # a sign-in link never lifts it
    assert not invitations.is_client_active("t1", "c1")
    invitations.client_signed_in("t1", "c1", NOW)  # a new invitation does
    assert invitations.is_client_active("t1", "c1")
    assert invitations.clients("t1")[0].last_login_at is not None
