"""Client portal identities (invitations and their single-use links), API keys, audit log."""
from __future__ import annotations

from clientsynq.auth.api.schemas import (
    ApiKeySchema,
    ClientInvitationSchema,
    ClientLinkSchema,
    RedeemSchema,
)
from clientsynq.auth.api.team import invitation_json
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
from clientsynq.auth.domain.records import ApiKey
from clientsynq.auth.services import api_keys, audit, client_links, invitations
from clientsynq.auth.services import clients as client_access
from clientsynq.common.auth import current_principal, require_role, require_tenant_scope
from flask import Blueprint, Response, jsonify, request

bp = Blueprint("portal", __name__, url_prefix="/auth/v1")
MAX_AUDIT_LIMIT = 500


@bp.post("/tenants/<tenant_id>/client-invitations")
@authenticated
@require_role(*ADMIN_ROLES)
@require_tenant_scope
def invite_client(tenant_id: str) -> tuple[Response, int]:
    data = body(ClientInvitationSchema)
    invitation = invitations.invite_client(deps(), current_principal(), data["customer_id"],
                                           data["email"], data.get("branding"))
    return jsonify(invitation_json(invitation)), 201


@bp.get("/tenants/<tenant_id>/client-invitations")
@authenticated
@require_role(*BUSINESS_ROLES)
@require_tenant_scope
def client_invitations(tenant_id: str) -> Response:
    found = invitations.list_invitations(deps(), tenant_id, "client")
    return jsonify(invitations=[invitation_json(i) for i in found])


@bp.delete("/tenants/<tenant_id>/client-invitations/<invitation_id>")
@authenticated
@require_tenant_scope
@require_role(*ADMIN_ROLES)
def cancel_client_invitation(tenant_id: str, invitation_id: str) -> Response:
    invitations.cancel_invitation(deps(), current_principal(), "client", invitation_id)
    return Response(status=204)


@bp.get("/tenants/<tenant_id>/clients")
@authenticated
@require_tenant_scope
@require_role(*ADMIN_ROLES)
def clients(tenant_id: str) -> Response:
    found = client_access.list_clients(deps(), current_principal())
    return jsonify(clients=[{"customer_id": c.customer_id, "email": c.email,
                             "created_at": iso(c.created_at),
                             "last_login_at": iso(c.last_login_at),
                             "revoked_at": iso(c.revoked_at),
                             "status": "revoked" if c.revoked_at else "active"}
                            for c in found])


@bp.delete("/tenants/<tenant_id>/clients/<customer_id>")
@authenticated
@require_tenant_scope
@require_role(*ADMIN_ROLES)
def revoke_client(tenant_id: str, customer_id: str) -> Response:
    """Ends the client's sessions now and refuses their refreshes until invited again."""
    client_access.revoke_client(deps(), current_principal(), customer_id)
    return Response(status=204)


@bp.post("/client-invitations/redeem")
def redeem_client_invitation() -> Response:
    """The portal posts the token from ``/portal/invite/<token>``; a client session starts."""
    tokens = invitations.redeem_client_invitation(deps(), body(RedeemSchema)["token"],
                                                  client_ip())
    return session_response(tokens)


@bp.post("/client-magic-links")
def request_client_links() -> Response:
    """202 whatever the email: the portal's sign-in page; links go by email only."""
    client_links.request_links(deps(), body(ClientLinkSchema)["email"], client_ip())
    return Response(status=202)


@bp.post("/client-magic-links/redeem")
def redeem_client_link() -> Response:
    """The portal posts the token from ``/portal/signin/<token>``; a client session starts."""
    return session_response(client_links.redeem_link(deps(), body(RedeemSchema)["token"],
                                                     client_ip()))


@bp.post("/tenants/<tenant_id>/api-keys")
@authenticated
@require_role(*ADMIN_ROLES)
@require_tenant_scope
def create_api_key(tenant_id: str) -> tuple[Response, int]:
    data = body(ApiKeySchema)
    created = api_keys.create_api_key(deps(), current_principal(), data["name"],
                                      tuple(dict.fromkeys(data["scopes"])))
    response = jsonify({**key_json(created.key), "key": created.secret})
    response.headers["Cache-Control"] = "no-store"
    return response, 201


@bp.get("/tenants/<tenant_id>/api-keys")
@authenticated
@require_role(*ADMIN_ROLES)
@require_tenant_scope
def list_api_keys(tenant_id: str) -> Response:
    return jsonify(api_keys=[key_json(k) for k in api_keys.list_api_keys(deps(), tenant_id)])


@bp.delete("/tenants/<tenant_id>/api-keys/<key_id>")
@authenticated
@require_role(*ADMIN_ROLES)
@require_tenant_scope
def revoke_api_key(tenant_id: str, key_id: str) -> Response:
    api_keys.revoke_api_key(deps(), current_principal(), key_id)
    return Response(status=204)


@bp.get("/tenants/<tenant_id>/audit-events")
@authenticated
@require_role(*ADMIN_ROLES)
@require_tenant_scope
def audit_events(tenant_id: str) -> Response:
    limit = request.args.get("limit", default=100, type=int) or 100
    action = request.args.get("action") or None
    entries = audit.list_entries(deps(), tenant_id, min(max(limit, 1), MAX_AUDIT_LIMIT), action)
    return jsonify(events=[{"action": e.action, "at": iso(e.at), "actor": e.actor,
                            "details": e.details} for e in entries])


def key_json(key: ApiKey) -> dict[str, object]:
    return {"key_id": key.key_id, "name": key.name, "prefix": key.prefix,
            "scopes": list(key.scopes), "created_at": iso(key.created_at),
            "revoked_at": iso(key.revoked_at), "active": key.revoked_at is None}
