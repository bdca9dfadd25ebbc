"""The team rules on their own, including the last-owner count that the HTTP API can only
reach through a race (the other rules already keep it one change at a time)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from clientsynq.auth.domain.errors import LastOwner, OwnMembership, RoleNotAllowed
from clientsynq.auth.domain.model import User
from clientsynq.auth.domain.team import check_removal, check_role_change


def a_user(role: str, user_id: str | None = None) -> User:
    return User(user_id=user_id or role, tenant_id="t1", email=f"{role}@example.com", role=role,
                created_at=datetime(2024, 5, 1, tzinfo=UTC), password_hash="x")


@pytest.mark.parametrize(("actor", "target", "new_role"), [
    ("owner", "member", "admin"), ("owner", "admin", "owner"), ("owner", "owner", "member"),
    ("admin", "member", "admin"), ("admin", "admin", "member")])
def test_owners_and_admins_change_roles_within_their_reach(actor, target, new_role):
    check_role_change(a_user(actor, "a"), a_user(target, "b"), new_role, owners=2)


@pytest.mark.parametrize(("target", "new_role"), [("member", "owner"), ("owner", "admin")])
def test_only_an_owner_grants_or_takes_away_the_owner_role(target, new_role):
    with pytest.raises(RoleNotAllowed):
        check_role_change(a_user("admin", "a"), a_user(target, "b"), new_role, owners=2)


def test_a_member_manages_nobody():
    with pytest.raises(RoleNotAllowed):
        check_role_change(a_user("member", "a"), a_user("member", "b"), "admin", owners=1)
    with pytest.raises(RoleNotAllowed):
        check_removal(a_user("member", "a"), a_user("member", "b"), owners=1)


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_nobody_changes_or_removes_themselves(role):
    me = a_user(role, "me")
    with pytest.raises(OwnMembership):
        check_role_change(me, me, "member", owners=2)
    with pytest.raises(OwnMembership):
        check_removal(me, me, owners=2)


def test_the_last_owner_is_neither_demoted_nor_removed():
    actor, last = a_user("owner", "a"), a_user("owner", "b")
    with pytest.raises(LastOwner):
        check_role_change(actor, last, "admin", owners=1)
    with pytest.raises(LastOwner):
        check_removal(actor, last, owners=1)
    check_role_change(actor, last, "owner", owners=1)  # not a demotion


def test_an_admin_cannot_remove_an_owner():
    with pytest.raises(RoleNotAllowed):
        check_removal(a_user("admin", "a"), a_user("owner", "b"), owners=2)
    check_removal(a_user("admin", "a"), a_user("admin", "b"), owners=1)
