"""Removing a team member: every sign-in of theirs ends, their login answers like a wrong
password, and owners and the remover themselves are protected."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from auth_harness import PASSWORD

pytestmark = pytest.mark.integration


def _refused(response, status: int, slug: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["type"].endswith(f"/{slug}")


def _refresh(auth, refresh_token: str):
    return auth.browser().post("/auth/v1/token/refresh", json={"refresh_token": refresh_token})


def _login(auth, email: str, password: str = PASSWORD):
    return auth.browser().post("/auth/v1/login", json={"email": email, "password": password})


def test_a_removed_member_can_neither_refresh_nor_log_in(auth):
    owner = auth.sign_up(plan="pro")
    member = auth.add_member(owner, "member")
    laptop = auth.log_in(member.email)  # a second sign-in: its own session family
    response = auth.remove(owner, member.user_id)
    assert response.status_code == 204 and response.get_data() == b""
    for refresh_token in (member.refresh_token, laptop.refresh_token):
        _refused(_refresh(auth, refresh_token), 401, "invalid-refresh-token")
    _refused(member.client.post("/auth/v1/token/refresh"), 401, "invalid-refresh-token")
    removed = _login(auth, member.email)
    wrong_password = _login(auth, owner.email, "not the password at all")
    unknown = _login(auth, "nobody-at-all@example.com")
    assert removed.status_code == wrong_password.status_code == unknown.status_code == 401
    assert removed.json == wrong_password.json == unknown.json
    assert auth.roles(owner) == {owner.user_id: "owner"}


def test_an_admin_removes_members_and_admins_but_not_owners(auth):
    owner = auth.sign_up(plan="enterprise")
    admin = auth.add_member(owner, "admin")
    other_admin = auth.add_member(owner, "admin")
    member = auth.add_member(owner, "member")
    assert auth.remove(admin, member.user_id).status_code == 204
    assert auth.remove(admin, other_admin.user_id).status_code == 204
    _refused(auth.remove(admin, owner.user_id), 403, "role-not-allowed")
    assert auth.roles(owner) == {owner.user_id: "owner", admin.user_id: "admin"}
    assert _refresh(auth, owner.refresh_token).status_code == 200


def test_a_member_removes_nobody(auth):
    owner = auth.sign_up(plan="pro")
    member = auth.add_member(owner, "member")
    admin = auth.add_member(owner, "admin")
    _refused(auth.remove(member, admin.user_id), 403, "forbidden")
    assert len(auth.roles(owner)) == 3


def test_nobody_removes_themselves_and_the_last_owner_stays(auth):
    owner = auth.sign_up(plan="pro")
    admin = auth.add_member(owner, "admin")
    _refused(auth.remove(owner, owner.user_id), 403, "own-membership")
    _refused(auth.remove(admin, admin.user_id), 403, "own-membership")
    _refused(auth.remove(admin, owner.user_id), 403, "role-not-allowed")
    assert auth.roles(owner) == {owner.user_id: "owner", admin.user_id: "admin"}
    assert _refresh(auth, owner.refresh_token).status_code == 200


def test_an_owner_removes_another_owner(auth):
    owner = auth.sign_up(plan="pro")
    co_owner = auth.add_member(owner, "owner")
    assert auth.remove(owner, co_owner.user_id).status_code == 204
    assert auth.roles(owner) == {owner.user_id: "owner"}
    _refused(auth.remove(owner, co_owner.user_id), 404, "member-not-found")


def test_two_owners_removing_each_other_at_once_leave_one_owner(auth):
    first = auth.sign_up(plan="pro")
    second = auth.add_member(first, "owner")
    start = threading.Barrier(2)

    def remove(actor, target):
        start.wait()
        return auth.remove(actor, target.user_id)
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(remove, (first, second), (second, first)))
    assert sorted(a.status_code for a in answers) == [204, 403]
    survivor = first if answers[0].status_code == 204 else second
    assert list(auth.roles(survivor).values()) == ["owner"]


def test_removals_are_audited(auth):
    owner = auth.sign_up(plan="pro")
    member = auth.add_member(owner, "member")
    auth.log_in(member.email)
    auth.remove(owner, member.user_id)
    events = auth.audit_events(owner, "member.removed")
    assert [(e["actor"], e["details"]) for e in events] == [
        (owner.user_id, {"user_id": member.user_id, "email": member.email, "role": "member",
                         "sessions_revoked": 2, "invitations_cancelled": 0,
                         "api_keys_revoked": 0})]


def test_a_removed_member_can_be_invited_again(auth):
    owner = auth.sign_up(plan="pro")
    member = auth.add_member(owner, "member")
    auth.remove(owner, member.user_id)
    response = owner.client.post(f"/auth/v1/tenants/{owner.tenant_id}/member-invitations",
                                 json={"email": member.email, "role": "member"})
    assert response.status_code == 201, response.json


def test_a_removed_admin_cannot_manage_the_team_with_the_token_left(auth):
    owner = auth.sign_up(plan="pro")
    admin = auth.add_member(owner, "admin")
    member = auth.add_member(owner, "member")
    assert auth.remove(owner, admin.user_id).status_code == 204
    # The admin's access token died with the session (finding 3); were it still valid, the
    # role re-read from the database would refuse (test_auth_credential_actions_reread_role).
    _refused(auth.remove(admin, member.user_id), 401, "unauthorized")
    _refused(auth.change_role(admin, member.user_id, "admin"), 401, "unauthorized")
    assert auth.roles(owner)[member.user_id] == "member"


def test_a_business_back_on_basic_can_still_remove_members(auth):
    owner = auth.sign_up(plan="pro")
    member = auth.add_member(owner, "member")
    auth.set_plan(owner.tenant_id, "basic")
    assert auth.remove(owner, member.user_id).status_code == 204
    _refused(_refresh(auth, member.refresh_token), 401, "invalid-refresh-token")
