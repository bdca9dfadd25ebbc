"""The business and its team: members and member invitations."""
from __future__ import annotations

from clientsynq.auth.api.schemas import (
    AcceptMemberSchema,
    MemberInvitationSchema,
    MemberRoleSchema,
)
from clientsynq.auth.api.web import (
    ADMIN_ROLES,
    BUSINESS_ROLES,
    authenticated,
    body,
    client_ip,
    deps,
    iso,
    session_response,
)
from clientsynq.auth.domain.model import User
from clientsynq.auth.domain.records import Invitation
from clientsynq.auth.services import accounts, invitations, team
from clientsynq.common.auth import (
    current_principal,
    require_role,
    require_tenant_scope,
)
from flask import Blueprint, Response, jsonify

bp = Blueprint("team", __name__, url_prefix="/auth/v1")


@bp.get("/tenants/<tenant_id>")
@authenticated
@require_role(*BUSINESS_ROLES)
@require_tenant_scope
def tenant(tenant_id: str) -> Response:
    found = accounts.get_tenant(deps(), tenant_id)
    return jsonify(tenant_id=found.tenant_id, name=found.name, plan=found.plan,
                   created_at=iso(found.created_at))


@bp.get("/tenants/<tenant_id>/members")
@authenticated
@require_role(*BUSINESS_ROLES)
@require_tenant_scope
def members(tenant_id: str) -> Response:
    return jsonify(members=[member_json(u) for u in team.list_members(deps(), tenant_id)])


@bp.patch("/tenants/<tenant_id>/members/<user_id>")
@authenticated
@require_tenant_scope  # before the role check: a stranger of any role gets 404
@require_role(*ADMIN_ROLES)
def change_member_role(tenant_id: str, user_id: str) -> Response:
    data = body(MemberRoleSchema)
    changed = team.change_member_role(deps(), current_principal(), user_id, data["role"])
    return jsonify(member_json(changed))


@bp.delete("/tenants/<tenant_id>/members/<user_id>")
@authenticated
@require_tenant_scope
@require_role(*ADMIN_ROLES)
def remove_member(tenant_id: str, user_id: str) -> Response:
    team.remove_member(deps(), current_principal(), user_id)
    return Response(status=204)


@bp.post("/tenants/<tenant_id>/member-invitations")
@authenticated
@require_role(*ADMIN_ROLES)
@require_tenant_scope
def invite_member(tenant_id: str) -> tuple[Response, int]:
    data = body(MemberInvitationSchema)
    invitation = invitations.invite_member(deps(), current_principal(), data["email"],
                                           data["role"])
    return jsonify(invitation_json(invitation)), 201


@bp.get("/tenants/<tenant_id>/member-invitations")
@authenticated
@require_role(*ADMIN_ROLES)
@require_tenant_scope
def member_invitations(tenant_id: str) -> Response:
    found = invitations.list_invitations(deps(), tenant_id, "member")
    return jsonify(invitations=[invitation_json(i) for i in found])


@bp.delete("/tenants/<tenant_id>/member-invitations/<invitation_id>")
@authenticated
@require_tenant_scope
@require_role(*ADMIN_ROLES)
def cancel_member_invitation(tenant_id: str, invitation_id: str) -> Response:
    invitations.cancel_invitation(deps(), current_principal(), "member", invitation_id)
    return Response(status=204)


@bp.post("/member-invitations/accept")
def accept_member() -> Response:
    data = body(AcceptMemberSchema)
    tokens = invitations.accept_member_invitation(deps(), data["token"], data["password"],
                                                  client_ip())
    return session_response(tokens, 201)


def member_json(user: User) -> dict[str, object]:
    return {"user_id": user.user_id, "email": user.email, "role": user.role,
            "created_at": iso(user.created_at)}


def invitation_json(invitation: Invitation) -> dict[str, object]:
    return {"invitation_id": invitation.invitation_id, "email": invitation.email,
            "kind": invitation.kind, "role": invitation.role,
            "customer_id": invitation.customer_id, "created_at": iso(invitation.created_at),
            "expires_at": iso(invitation.expires_at),
            "redeemed_at": iso(invitation.redeemed_at),
            "cancelled_at": iso(invitation.cancelled_at),
            "status": invitation.status(deps().clock())}
