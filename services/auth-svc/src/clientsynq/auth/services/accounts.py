"""Sign-up, login (throttled, locking, no user enumeration) and the operator's plan change."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clientsynq.auth.domain.digests import secret_digest
from clientsynq.auth.domain.errors import (
    EmailAlreadyRegistered,
    InvalidCredentials,
    LoginLocked,
    TenantNotFound,
)
from clientsynq.auth.domain.model import SessionSubject, Tenant, User
from clientsynq.auth.services import audit
from clientsynq.auth.services.abuse import limit_attempts
from clientsynq.auth.services.sessions import SessionTokens, issue_session
from pymongo.errors import PyMongoError

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps


NO_TENANT = ""


@dataclass(frozen=True)
class SignUp:
    business_name: str
    email: str
    password: str


def normalize_email(email: str) -> str:
    return email.strip().lower()


def create_business(deps: Deps, business_name: str, email: str,
                    password_hash: str) -> SessionTokens:
    """A business starts on Basic with its founder as owner, signed in."""
    user = found_business(deps, business_name, email, password_hash)
    return issue_session(deps, _subject(user), user.role, "basic")


def found_business(deps: Deps, business_name: str, email: str, password_hash: str) -> User:
    """The business (on Basic) and its owner, without a session: the owner signs in."""
    now = deps.clock()
    tenant = Tenant(tenant_id=uuid.uuid4().hex, name=business_name.strip(),
                    plan="basic", created_at=now)
    user = User(user_id=uuid.uuid4().hex, tenant_id=tenant.tenant_id,
                email=normalize_email(email), role="owner", created_at=now,
                password_hash=password_hash)
    deps.stores.tenants.add(tenant)
    try:
        deps.stores.users.add(user)
    except (EmailAlreadyRegistered, PyMongoError):
        deps.stores.tenants.delete(tenant.tenant_id)  # no transactions: undo by hand
        raise
    audit.record(deps, tenant.tenant_id, "user.signed_up", user.user_id)
    return user


def log_in(deps: Deps, email: str, password: str, client_ip: str) -> SessionTokens:
    """Same answers and about the same time whether or not the email exists."""
    now = deps.clock()
    throttle = deps.stores.throttle
    limit_attempts(deps, "login", client_ip, email)
    # The lock is per email *and* address: a back-off for whoever keeps guessing, which an
    # attacker cannot turn into a way of keeping the owner out from their own address.
    email_key = f"email:{secret_digest(normalize_email(email))}:ip:{client_ip}"
    state = throttle.get(email_key, now)
    if state.is_locked(now):
        raise _locked(state.seconds_left(now))
    policy = deps.settings.login
    # The slot is claimed before the (argon2) check: concurrent guesses cannot all slip
    # past the lock check, at most max_failures of them are ever verified.
    left = throttle.claim_attempt(email_key, now, policy.max_failures, policy.lock_seconds)
    if left is None:  # a concurrent attempt took the last slot and is locking now
        raise _locked(int(policy.lock_seconds))
    user = deps.stores.users.find_by_email(normalize_email(email))
    if not deps.passwords.verify(user.password_hash if user else None, password) or user is None:
        _fail(deps, user, email_key, client_ip, last=left == 0)
        raise InvalidCredentials("The email or password is not correct.")
    throttle.clear(email_key)
    tenant = deps.stores.tenants.get(user.tenant_id)
    if tenant is None:
        raise InvalidCredentials("The email or password is not correct.")
    _rehash_if_needed(deps, user, password)
    audit.record(deps, user.tenant_id, "user.login", user.user_id, ip=client_ip)
    return issue_session(deps, _subject(user), user.role, tenant.plan)


def _fail(deps: Deps, user: User | None, email_key: str, client_ip: str, last: bool) -> None:
    # The same writes for an unknown email (in no business's log: every listing filters by
    # tenant), so a failed login takes as long whether or not the account exists.
    tenant_id, actor = (user.tenant_id, user.user_id) if user else (NO_TENANT, None)
    audit.record(deps, tenant_id, "user.login_failed", actor, ip=client_ip)
    if last:
        now = deps.clock()
        state = deps.stores.throttle.lock(email_key, now, deps.settings.login.lock_seconds)
        audit.record(deps, tenant_id, "user.locked", actor, ip=client_ip)
        raise _locked(state.seconds_left(now))


def _locked(seconds_left: int) -> LoginLocked:
    minutes = max(1, (seconds_left + 59) // 60)
    return LoginLocked(f"Too many failed attempts: sign-in is locked for {minutes} minute(s).",
                       retry_after=seconds_left)


def _rehash_if_needed(deps: Deps, user: User, password: str) -> None:
    """Stronger argon2 parameters take effect at each user's next login."""
    if deps.passwords.needs_rehash(user.password_hash):
        deps.stores.users.set_password_hash(user.tenant_id, user.user_id,
                                            deps.passwords.hash(password))


def _subject(user: User) -> SessionSubject:
    return SessionSubject(tenant_id=user.tenant_id, subject=user.user_id, kind="user")


def change_plan(deps: Deps, tenant_id: str, plan: str, operator: str) -> Tenant:
    """Operators move a business between plans; sessions pick it up at their next refresh."""
    if not deps.stores.tenants.set_plan(tenant_id, plan):
        raise TenantNotFound()
    tenant = deps.stores.tenants.get(tenant_id)
    if tenant is None:
        raise TenantNotFound()
    audit.record(deps, tenant_id, "plan.changed", operator, plan=plan)
    return tenant


def owner_emails(deps: Deps, tenant_id: str) -> list[str]:
    """Where a service sends what only an owner should hear (a disabled webhook endpoint)."""
    return sorted(user.email for user in deps.stores.users.list(tenant_id)
                  if user.role == "owner")


def get_tenant(deps: Deps, tenant_id: str) -> Tenant:
    tenant = deps.stores.tenants.get(tenant_id)
    if tenant is None:
        raise TenantNotFound()
    return tenant
