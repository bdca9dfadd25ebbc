"""The business and its team: members, member invitations, and the operator's plan switch."""
from __future__ import annotations

from clientsynq.auth.adapters.mongo_invitations import Invitation
from clientsynq.auth.api.schemas import AcceptMemberSchema, MemberInvitationSchema, PlanSchema
from clientsynq.auth.api.web import (
    ADMIN_ROLES,
    BUSINESS_ROLES,
    authenticated,
    body,
    deps,
    iso,
    session_response,
)
from clientsynq.auth.bootstrap import OPERATOR
from clientsynq.auth.services import accounts, invitations
from clientsynq.common.auth import (
    current_principal,
    require_role,
    require_service,
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
    users = deps().stores.users.list(tenant_id)
    return jsonify(members=[{"user_id": u.user_id, "email": u.email, "role": u.role,
                             "created_at": iso(u.created_at)} for u in users])


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


@bp.post("/member-invitations/accept")
def accept_member() -> Response:
    data = body(AcceptMemberSchema)
    tokens = invitations.accept_member_invitation(deps(), data["token"], data["password"])
    return session_response(tokens, 201)


@bp.put("/operator/tenants/<tenant_id>/plan")
@require_service(OPERATOR)
def change_plan(tenant_id: str) -> Response:
    """Operators only (``Authorization: Service operator:<AUTH_OPERATOR_SECRET>``)."""
    data = body(PlanSchema)
    changed = accounts.change_plan(deps(), tenant_id, data["plan"], OPERATOR)
    return jsonify(tenant_id=changed.tenant_id, name=changed.name, plan=changed.plan)


def invitation_json(invitation: Invitation) -> dict[str, object]:
    return {"invitation_id": invitation.invitation_id, "email": invitation.email,
            "kind": invitation.kind, "role": invitation.role,
            "customer_id": invitation.customer_id, "created_at": iso(invitation.created_at),
            "expires_at": iso(invitation.expires_at), "redeemed_at": iso(invitation.redeemed_at),
            "status": invitation.status(deps().clock())}
