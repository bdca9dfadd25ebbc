"""The tenants and users ports: the MongoDB adapters (on the MongoDB-wire server) and the
fakes of tests/auth_fakes.py answer alike, so unit tests on the fakes say something true."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from auth_fakes import FakeTenants, FakeUsers
from clientsynq.auth.adapters.indexes import INDEXES
from clientsynq.auth.adapters.mongo_accounts import TenantStore, UserStore
from clientsynq.auth.domain.errors import EmailAlreadyRegistered
from clientsynq.auth.domain.model import Tenant, User

pytestmark = pytest.mark.integration  # the adapter half needs the MongoDB-wire server
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _made(request: Any, mongo_db: Any, mongo: Callable[[Any], Any], fake: Callable[[], Any]
          ) -> Any:
    return mongo(mongo_db) if request.param == "mongo" else fake()


@pytest.fixture(params=["mongo", "fake"])
def tenants(request, mongo_db) -> Any:
    return _made(request, mongo_db, TenantStore, FakeTenants)


@pytest.fixture(params=["mongo", "fake"])
def users(request, mongo_db) -> Any:
    if request.param == "mongo":
        mongo_db["users"].create_indexes(INDEXES["users"])  # the unique email
    return _made(request, mongo_db, UserStore, FakeUsers)


def _user(user_id: str, tenant_id: str = "t1", role: str = "owner", minutes: int = 0) -> User:
    return User(user_id=user_id, tenant_id=tenant_id, email=f"{user_id}@example.com",
                role=role, created_at=NOW + timedelta(minutes=minutes), password_hash="h1")


def test_a_tenant_is_kept_its_plan_changed_and_an_unfinished_one_deleted(tenants):
    tenants.add(Tenant("t1", "Acme", "basic", NOW))
    assert (tenants.get("t1").name, tenants.get("t1").plan) == ("Acme", "basic")
    assert tenants.set_plan("t1", "pro") and tenants.get("t1").plan == "pro"
    assert not tenants.set_plan("nobody", "pro") and tenants.get("nobody") is None
    tenants.delete("t1")
    assert tenants.get("t1") is None


def test_an_email_is_one_login_across_businesses(users):
    users.add(_user("u1"))
    with pytest.raises(EmailAlreadyRegistered):
        users.add(User(user_id="u2", tenant_id="t2", email="u1@example.com", role="owner",
                       created_at=NOW, password_hash="h"))
    assert users.find_by_email("u1@example.com").user_id == "u1"
    assert users.find_by_email("u2@example.com") is None


def test_users_are_scoped_to_their_business(users):
    users.add(_user("u1"))
    users.add(_user("u2", role="member", minutes=1))
    users.add(_user("u3", tenant_id="t2"))
    assert [u.user_id for u in users.list("t1")] == ["u1", "u2"]
    assert users.get("t2", "u1") is None and users.get("t1", "u1").role == "owner"
    assert not users.set_role("t2", "u1", "member") and not users.remove("t2", "u1")
    assert users.count_with_role("t1", "owner") == 1


def test_role_password_and_removal(users):
    users.add(_user("u1"))
    users.add(_user("u2", role="member", minutes=1))
    assert users.set_role("t1", "u2", "admin") and users.get("t1", "u2").role == "admin"
    users.set_password_hash("t1", "u2", "h2")
    assert users.get("t1", "u2").password_hash == "h2"
    assert users.remove("t1", "u2") and not users.remove("t1", "u2")
    assert users.get("t1", "u2") is None and users.find_by_email("u2@example.com") is None
    assert not users.set_role("t1", "nobody", "admin")
