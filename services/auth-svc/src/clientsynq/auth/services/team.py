"""Managing a team: change a member's role, remove a member.

The rules (domain/team.py) are checked against the database, not the caller's token: a
token's role can be 15 minutes old, and a demoted admin must not keep managing the team.
They are checked under a per-business lease because FerretDB 1.x updates are
read-then-write: two owners demoting each other at the same moment would otherwise both
see two owners and leave none.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

from clientsynq.auth.domain.errors import (
    MemberNotFound,
    PlanRequired,
    RoleNotAllowed,
    TeamChangeInProgress,
)
from clientsynq.auth.domain.model import User
from clientsynq.auth.domain.team import check_removal, check_role_change
from clientsynq.auth.services import audit
from clientsynq.auth.services.accounts import get_tenant
from clientsynq.auth.services.api_keys import revoke_api_keys_by
from clientsynq.auth.services.invitations import cancel_invitations_by
from clientsynq.auth.services.leases import waiting_lease
from clientsynq.auth.services.sessions import end_all_sessions
from clientsynq.common.auth import Principal

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

log = logging.getLogger(__name__)

TEAM_LEASE_SECONDS = 10.0  # a change takes milliseconds; a dead holder blocks this long
TEAM_LEASE_WAIT_SECONDS = 5.0


def list_members(deps: Deps, tenant_id: str) -> list[User]:
    return deps.stores.users.list(tenant_id)


def change_member_role(deps: Deps, principal: Principal, user_id: str, role: str) -> User:
    """Pro and Enterprise have teams; the new role reaches the member's next token refresh."""
    tenant_id = principal.tenant_id
    if not get_tenant(deps, tenant_id).has_team:
        raise PlanRequired("Team roles are part of the Pro and Enterprise plans.",
                           required_plans=["pro", "enterprise"])
    with team_lease(deps, tenant_id):
        actor, target = _actor_and_target(deps, principal, user_id)
        check_role_change(actor, target, role, _owners(deps, tenant_id))
        if target.role == role:
            return target  # nothing changes, nothing to audit
        if not deps.stores.users.set_role(tenant_id, user_id, role):
            raise MemberNotFound()
        audit.record(deps, tenant_id, "member.role_changed", actor.user_id, user_id=user_id,
                     from_role=target.role, to_role=role)
    log.info("team.role_changed", extra={"tenant_id": tenant_id, "user_id": user_id})
    return replace(target, role=role)


def remove_member(deps: Deps, principal: Principal, user_id: str) -> None:
    """On every plan, so a business that moved down to Basic can still tidy up its team.

    The user document goes first: from then on both login and refresh fail for this user,
    so a sign-in racing the revocation below cannot outlive it."""
    tenant_id = principal.tenant_id
    with team_lease(deps, tenant_id):
        actor, target = _actor_and_target(deps, principal, user_id)
        check_removal(actor, target, _owners(deps, tenant_id))
        if not deps.stores.users.remove(tenant_id, user_id):
            raise MemberNotFound()
    revoked = end_all_sessions(deps, tenant_id, user_id)
    invitations = cancel_invitations_by(deps, tenant_id, user_id)
    keys = revoke_api_keys_by(deps, tenant_id, user_id)
    audit.record(deps, tenant_id, "member.removed", actor.user_id, user_id=user_id,
                 email=target.email, role=target.role, sessions_revoked=revoked,
                 invitations_cancelled=invitations, api_keys_revoked=keys)
    log.info("team.member_removed", extra={"tenant_id": tenant_id, "user_id": user_id})


@contextmanager
def team_lease(deps: Deps, tenant_id: str) -> Iterator[None]:
    """One team change per business at a time, across every replica."""
    with waiting_lease(deps, f"team:{tenant_id}", TEAM_LEASE_SECONDS, TEAM_LEASE_WAIT_SECONDS,
                       lambda: TeamChangeInProgress("Another change to this team is in "
                                                    "progress; try again.")):
        yield


def _actor_and_target(deps: Deps, principal: Principal, user_id: str) -> tuple[User, User]:
    actor = deps.stores.users.get(principal.tenant_id, principal.subject)
    if actor is None:  # removed since the token was issued
        raise RoleNotAllowed("You are no longer a member of this business.")
    target = deps.stores.users.get(principal.tenant_id, user_id)
    if target is None:
        raise MemberNotFound()
    return actor, target


def _owners(deps: Deps, tenant_id: str) -> int:
    return deps.stores.users.count_with_role(tenant_id, "owner")
