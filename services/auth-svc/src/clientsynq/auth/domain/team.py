"""Who may change whose place in a team. Pure rules: the caller passes fresh data read
from the database (never the roles in a token, which can be 15 minutes old)."""
from __future__ import annotations

from clientsynq.auth.domain.errors import LastOwner, OwnMembership, RoleNotAllowed
from clientsynq.auth.domain.model import User

MANAGER_ROLES = ("owner", "admin")


def check_role_change(actor: User, target: User, new_role: str, owners: int) -> None:
    """Only an owner grants or takes away the owner role; a business keeps an owner."""
    _check_manages(actor, target, "change your own role")
    if "owner" in (target.role, new_role) and actor.role != "owner":
        raise RoleNotAllowed("Only an owner can grant or take away the owner role.")
    if target.role == "owner" and new_role != "owner":
        _check_not_last_owner(owners)


def check_removal(actor: User, target: User, owners: int) -> None:
    _check_manages(actor, target, "remove yourself from the team")
    if target.role == "owner":
        if actor.role != "owner":
            raise RoleNotAllowed("Only an owner can remove an owner.")
        _check_not_last_owner(owners)


def _check_manages(actor: User, target: User, what: str) -> None:
    if actor.role not in MANAGER_ROLES:
        raise RoleNotAllowed("Only owners and admins manage the team.")
    if actor.user_id == target.user_id:
        raise OwnMembership(f"You cannot {what}; another owner or admin must do it.")


def _check_not_last_owner(owners: int) -> None:
    """Implied by the rules above when changes come one at a time; checked anyway, because
    the count is the invariant and the rules are only how it is usually kept."""
    if owners <= 1:
        raise LastOwner("This is the business's only owner: make someone else an owner "
                        "first.")
