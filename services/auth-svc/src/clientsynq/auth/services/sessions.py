"""Sessions: a short-lived JWT plus a rotating refresh token stored only as a digest.

A refresh token is used once; presenting a used one again means it was copied, so its
whole family (every token descended from the same sign-in) is revoked.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from clientsynq.auth.domain.digests import secret_digest
from clientsynq.auth.domain.errors import InvalidRefreshToken
from clientsynq.auth.domain.model import SessionSubject
from clientsynq.auth.domain.scoped_tokens import make_scoped_token, tenant_of

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

REFRESH_PREFIX = "csr"


@dataclass(frozen=True)
class SessionTokens:
    access_token: str = field(repr=False)
    access_expires_in: int
    refresh_token: str = field(repr=False)
    refresh_expires_at: datetime
    subject: SessionSubject
    role: str
    plan: str


def issue_session(deps: Deps, subject: SessionSubject, role: str, plan: str,
                  family_id: str | None = None) -> SessionTokens:
    settings = deps.settings.sessions
    ttl = settings.client_access_ttl_seconds if subject.kind == "client" \
        else settings.access_ttl_seconds
    family_id = family_id or uuid.uuid4().hex
    # The sign-in's id rides in the access token ("sid"): when the family is revoked
    # (logout, removal, reuse) every service refuses the token within seconds.
    access = deps.signer.issue(subject=subject.subject, tenant_id=subject.tenant_id, role=role,
                               plan=plan, kind=subject.kind, customer_id=subject.customer_id,
                               ttl_seconds=ttl, session_id=family_id)
    now = deps.clock()
    refresh = make_scoped_token(REFRESH_PREFIX, subject.tenant_id)
    expires_at = now + timedelta(seconds=settings.refresh_ttl_seconds)
    deps.stores.refresh_tokens.add(secret_digest(refresh), subject, family_id, now, expires_at)
    return SessionTokens(access_token=access, access_expires_in=int(ttl), refresh_token=refresh,
                         refresh_expires_at=expires_at, subject=subject, role=role, plan=plan)


def refresh_session(deps: Deps, refresh_token: str) -> SessionTokens:
    """Rotate: the old token dies, a new one of the same family is issued with fresh claims
    (a plan or role change made since sign-in takes effect here)."""
    tenant_id = tenant_of(REFRESH_PREFIX, refresh_token)
    if tenant_id is None:
        raise InvalidRefreshToken()
    now = deps.clock()
    tokens = deps.stores.refresh_tokens
    stored = tokens.use(tenant_id, secret_digest(refresh_token), now)
    if stored is None or stored.expires_at <= now or stored.revoked:
        raise InvalidRefreshToken()
    if not stored.first_use:  # a copy was used: end every session of this sign-in
        tokens.revoke_family(tenant_id, stored.family_id, now, _revocation_kept_until(deps))
        raise InvalidRefreshToken("This refresh token was already used; sign in again.")
    role, plan = _current_claims(deps, stored.subject)
    return issue_session(deps, stored.subject, role, plan, family_id=stored.family_id)


def end_session(deps: Deps, refresh_token: str | None) -> str | None:
    """Logout: the refresh token's family is revoked; returns its tenant (None if unknown)."""
    tenant_id = tenant_of(REFRESH_PREFIX, refresh_token or "")
    if tenant_id is None or refresh_token is None:
        return None
    family_id = deps.stores.refresh_tokens.family_of(tenant_id, secret_digest(refresh_token))
    if family_id is None:
        return None
    deps.stores.refresh_tokens.revoke_family(tenant_id, family_id, deps.clock(),
                                             _revocation_kept_until(deps))
    return tenant_id


def end_all_sessions(deps: Deps, tenant_id: str, subject: str) -> int:
    """Revoke every sign-in of one user (a removed member); returns how many there were."""
    families = deps.stores.refresh_tokens.families_of(tenant_id, subject)
    for family_id in families:
        deps.stores.refresh_tokens.revoke_family(tenant_id, family_id, deps.clock(),
                                                 _revocation_kept_until(deps))
    return len(families)


ENDED_PAGE = 5000


@dataclass(frozen=True)
class EndedSessionsPage:
    ended: list[tuple[str, datetime]]
    as_of: datetime


def ended_sessions(deps: Deps, since: datetime | None) -> EndedSessionsPage:
    """Sessions ended after ``since`` (at most as far back as an access token can live):
    other services poll this to refuse access tokens of ended sessions within seconds.
    A full page answers ``as_of`` = its last entry, so the caller simply asks again."""
    now = deps.clock()
    settings = deps.settings.sessions
    longest = max(settings.access_ttl_seconds, settings.client_access_ttl_seconds) + 60
    horizon = now - timedelta(seconds=longest)
    ended = deps.stores.refresh_tokens.ended_since(max(since or horizon, horizon), ENDED_PAGE)
    as_of = ended[-1][1] if len(ended) == ENDED_PAGE else now
    return EndedSessionsPage(ended=ended, as_of=as_of)


def _revocation_kept_until(deps: Deps) -> datetime:
    """As long as any token of the family can live, plus a day of clock-skew margin."""
    return deps.clock() + timedelta(seconds=deps.settings.sessions.refresh_ttl_seconds, days=1)


def _current_claims(deps: Deps, subject: SessionSubject) -> tuple[str, str]:
    tenant = deps.stores.tenants.get(subject.tenant_id)
    if tenant is None:
        raise InvalidRefreshToken()
    if subject.kind == "client":
        if not deps.stores.invitations.is_client_active(subject.tenant_id,
                                                        subject.customer_id or ""):
            raise InvalidRefreshToken()  # the business revoked this client's access
        return "client", tenant.plan
    user = deps.stores.users.get(subject.tenant_id, subject.subject)
    if user is None:
        raise InvalidRefreshToken()
    return user.role, tenant.plan
