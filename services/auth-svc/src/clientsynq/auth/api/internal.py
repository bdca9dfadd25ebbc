"""The internal API other services call with their service credential
(``Authorization: Service <name>:<secret>``). Tokens leave auth-svc only through here."""
from __future__ import annotations

from datetime import datetime

from clientsynq.auth.api.schemas import RejectedTokenSchema, VerifyKeySchema
from clientsynq.auth.api.web import body, deps, iso
from clientsynq.auth.services import accounts, api_keys, audit, qbo_tokens, sessions
from clientsynq.auth.services.qbo_tokens import AccessGrant
from clientsynq.common.auth import require_service
from clientsynq.common.metrics import counter
from clientsynq.common.problems import BadRequest
from flask import Blueprint, Response, g, jsonify, request

bp = Blueprint("internal", __name__, url_prefix="/internal/v1")
TOKENS_ISSUED = counter("clientsynq_auth_qbo_tokens_issued_total",
                        "QuickBooks access tokens handed out, by calling service", ["service"])
_NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/tenants/<tenant_id>/qbo/access-token")
@require_service("sync-svc")
def access_token(tenant_id: str) -> Response:
    return _grant_response(tenant_id, qbo_tokens.get_access_token(deps(), tenant_id))


@bp.post("/tenants/<tenant_id>/qbo/access-token/refresh")
@require_service("sync-svc")
def refresh_access_token(tenant_id: str) -> Response:
    data = body(RejectedTokenSchema)
    return _grant_response(tenant_id, qbo_tokens.refresh_rejected_token(
        deps(), tenant_id, data["rejected_access_token"]))


@bp.get("/tenants/<tenant_id>")
@require_service("sync-svc", "portal-svc", "webhook-svc")
def tenant(tenant_id: str) -> Response:
    found = accounts.get_tenant(deps(), tenant_id)
    return jsonify(tenant_id=found.tenant_id, plan=found.plan, name=found.name,
                   owner_emails=accounts.owner_emails(deps(), tenant_id))


@bp.get("/sessions/ended")
@require_service("sync-svc", "portal-svc", "webhook-svc")
def ended_sessions() -> Response:
    """``clientsynq.common.auth.HttpEndedSessions`` polls this every few seconds."""
    page = sessions.ended_sessions(deps(), _since(request.args.get("since")))
    return jsonify(ended_sessions=[{"session_id": sid, "ended_at": iso(at)}
                                   for sid, at in page.ended], as_of=iso(page.as_of))


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest("since must be an RFC 3339 date-time.") from None
    if parsed.tzinfo is None:
        raise BadRequest("since must carry a UTC offset.")
    return parsed


@bp.post("/api-keys/verify")
@require_service("portal-svc", "webhook-svc")
def verify_api_key() -> Response:
    verified = api_keys.verify_api_key(deps(), body(VerifyKeySchema)["key"])
    key = verified.key
    return jsonify(tenant_id=key.tenant_id, key_id=key.key_id, name=key.name,
                   scopes=list(key.scopes), plan=verified.plan)


def _grant_response(tenant_id: str, grant: AccessGrant) -> Response:
    """Every QuickBooks token that leaves auth-svc is counted and audited, with the caller."""
    service = str(g.get("service_name") or "unknown")
    TOKENS_ISSUED.labels(service=service).inc()
    audit.record(deps(), tenant_id, "qbo.token_issued", service, realm_id=grant.realm_id,
                 expires_at=iso(grant.expires_at))
    response = jsonify(access_token=grant.access_token, realm_id=grant.realm_id,
                       expires_at=iso(grant.expires_at), plan=grant.plan)
    response.headers.update(_NO_STORE)
    return response
