"""Who may create a credential or change the QuickBooks connection, asked of the database.

An access token's role is up to 15 minutes old: an admin who was just demoted or removed
still holds a token saying "admin". Every action that creates a credential (invitations,
API keys) or changes the connection (connect, callback, disconnect) therefore re-reads the
caller's membership here instead of trusting the token.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from clientsynq.auth.domain.errors import RoleNotAllowed
from clientsynq.auth.domain.model import User
from clientsynq.common.auth import Principal

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

MANAGER_ROLES = ("owner", "admin")


def acting_member(deps: Deps, principal: Principal,
                  roles: Sequence[str] = MANAGER_ROLES) -> User:
    """The caller as stored now; RoleNotAllowed if removed, a client, or not in ``roles``."""
    user = None
    if principal.kind == "user":
        user = deps.stores.users.get(principal.tenant_id, principal.subject)
    if user is None:
        raise RoleNotAllowed("You are no longer a member of this business.")
    if user.role not in roles:
        raise RoleNotAllowed("Your role does not allow this action.", allowed_roles=list(roles))
    return user
