"""Changing a team member's role: who may, what never happens (self-changes, a business
without an owner), when the member's tokens carry it, and what the audit log says."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.integration


def _refused(response, status: int, slug: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["type"].endswith(f"/{slug}")


def test_an_owner_changes_a_members_role(auth):
    owner = auth.sign_up(plan="pro")
    member = auth.add_member(owner, "member")
    _refused(auth.change_role(member, owner.user_id, "member"), 403, "forbidden")
    response = auth.change_role(owner, member.user_id, "admin")
    assert response.status_code == 200
    assert (response.json["user_id"], response.json["email"], response.json["role"]) == (
        member.user_id, member.email, "admin")
    assert auth.roles(owner) == {owner.user_id: "owner", member.user_id: "admin"}
    assert auth.change_role(owner, member.user_id, "owner").status_code == 200
    assert auth.roles(owner)[member.user_id] == "owner"


def test_an_admin_changes_roles_but_cannot_grant_or_take_away_owner(auth):
    owner = auth.sign_up(plan="enterprise")
    admin = auth.add_member(owner, "admin")
    member = auth.add_member(owner, "member")
    assert auth.change_role(admin, member.user_id, "admin").status_code == 200
    _refused(auth.change_role(admin, member.user_id, "owner"), 403, "role-not-allowed")
    _refused(auth.change_role(admin, owner.user_id, "member"), 403, "role-not-allowed")
    assert auth.roles(owner) == {owner.user_id: "owner", admin.user_id: "admin",
                                 member.user_id: "admin"}


def test_nobody_changes_their_own_role(auth):
    owner = auth.sign_up(plan="pro")
    co_owner = auth.add_member(owner, "owner")
    admin = auth.add_member(owner, "admin")
    for account, role in ((owner, "admin"), (co_owner, "member"), (admin, "owner"),
                          (admin, "member")):
        _refused(auth.change_role(account, account.user_id, role), 403, "own-membership")
    assert sorted(auth.roles(owner).values()) == ["admin", "owner", "owner"]


def test_the_last_owner_cannot_be_demoted(auth):
    owner = auth.sign_up(plan="pro")
    admin = auth.add_member(owner, "admin")
    _refused(auth.change_role(owner, owner.user_id, "admin"), 403, "own-membership")
    _refused(auth.change_role(admin, owner.user_id, "admin"), 403, "role-not-allowed")
    assert auth.roles(owner)[owner.user_id] == "owner"
    refreshed = auth.browser().post("/auth/v1/token/refresh",
                                    json={"refresh_token": owner.refresh_token})
    assert refreshed.json["role"] == "owner"


def _at_once(*calls):
    """Start every call at the same instant (one thread each) and return their answers."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_owners_demoting_each_other_at_once_leave_one_owner(auth):
    first = auth.sign_up(plan="pro")
    second = auth.add_member(first, "owner")
    for _ in range(6):
        answers = _at_once(lambda: auth.change_role(first, second.user_id, "admin"),
                           lambda: auth.change_role(second, first.user_id, "admin"))
        assert sorted(a.status_code for a in answers) == [200, 403]
        roles = auth.roles(first)
        assert sorted(roles.values()) == ["admin", "owner"]
        survivor, demoted = (first, second) if roles[first.user_id] == "owner" \
            else (second, first)
        assert auth.change_role(survivor, demoted.user_id, "owner").status_code == 200


def test_a_role_change_reaches_the_members_token_at_the_next_refresh(auth):
    owner = auth.sign_up(plan="pro")
    member = auth.add_member(owner, "member")
    audit_path = f"/auth/v1/tenants/{owner.tenant_id}/audit-events"
    assert auth.change_role(owner, member.user_id, "admin").status_code == 200
    assert member.client.get("/auth/v1/me").json["role"] == "member"  # the token says so
    assert member.client.get(audit_path).status_code == 403
    refreshed = member.client.post("/auth/v1/token/refresh")
    assert refreshed.status_code == 200 and refreshed.json["role"] == "admin"
    assert member.client.get("/auth/v1/me").json["role"] == "admin"
    assert member.client.get(audit_path).status_code == 200


def test_a_demoted_admin_cannot_manage_the_team_with_an_older_token(auth):
    owner = auth.sign_up(plan="pro")
    admin = auth.add_member(owner, "admin")
    member = auth.add_member(owner, "member")
    assert auth.change_role(owner, admin.user_id, "member").status_code == 200
    assert admin.client.get("/auth/v1/me").json["role"] == "admin"  # not refreshed yet
    _refused(auth.change_role(admin, member.user_id, "admin"), 403, "role-not-allowed")
    _refused(auth.remove(admin, member.user_id), 403, "role-not-allowed")
    assert auth.roles(owner)[member.user_id] == "member"


def test_role_changes_are_audited_and_a_repeated_one_changes_nothing(auth):
    owner = auth.sign_up(plan="enterprise")
    member = auth.add_member(owner, "member")
    auth.change_role(owner, member.user_id, "admin")
    again = auth.change_role(owner, member.user_id, "admin")
    assert again.status_code == 200 and again.json["role"] == "admin"
    events = auth.audit_events(owner, "member.role_changed")
    assert [(e["actor"], e["details"]) for e in events] == [
        (owner.user_id, {"user_id": member.user_id, "from_role": "member", "to_role": "admin"})]


def test_a_business_back_on_basic_cannot_change_roles(auth):
    owner = auth.sign_up(plan="pro")
    admin = auth.add_member(owner, "admin")
    auth.set_plan(owner.tenant_id, "basic")
    _refused(auth.change_role(owner, admin.user_id, "member"), 403, "plan-does-not-allow")
    assert auth.roles(owner)[admin.user_id] == "admin"
    assert auth.audit_events(owner, "member.role_changed") == []
