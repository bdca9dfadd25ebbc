"""Connect to QuickBooks, the OAuth callback, the connection status, and Disconnect.

The callback and Intuit's Disconnect URL are browser pages, not API calls: failures land
on a plain HTML page saying what happened and offering the next step ("Try again").
"""
from __future__ import annotations

import logging

from clientsynq.auth.api.web import ADMIN_ROLES, BUSINESS_ROLES, authenticated, deps, iso
from clientsynq.auth.domain.errors import InvalidOAuthState, QboRefused, RoleNotAllowed
from clientsynq.auth.services import qbo_connect, qbo_disconnect
from clientsynq.auth.services.qbo_connect import REALM_ID
from clientsynq.auth.services.qbo_disconnect import ConnectionView
from clientsynq.common.auth import (
    InvalidToken,
    Principal,
    current_principal,
    require_role,
    require_tenant_scope,
    token_from_request,
)
from clientsynq.common.problems import ClientSynqError
from flask import Blueprint, Response, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

log = logging.getLogger(__name__)
bp = Blueprint("qbo", __name__, url_prefix="/auth/v1")
_NO_STORE = {"Cache-Control": "no-store"}
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@bp.post("/tenants/<tenant_id>/qbo/connect")
@authenticated
@require_role(*ADMIN_ROLES)
@require_tenant_scope
def start_connect(tenant_id: str) -> BaseResponse:
    """A POST (it creates a state bound to the session, so a link on another site must not
    start it). ``fetch`` gets the URL as JSON; a plain form post ("Try again") is sent on
    with 303."""
    started = qbo_connect.start_connect(deps(), current_principal())
    if request.mimetype in _FORM_TYPES:
        return redirect(started.authorize_url, code=303)
    response = jsonify(authorize_url=started.authorize_url, expires_at=iso(started.expires_at))
    response.headers.update(_NO_STORE)
    return response


@bp.get("/qbo/callback")
def callback() -> BaseResponse | tuple[str, int]:
    principal = _browser_principal()
    if principal is None or principal.role not in ADMIN_ROLES:
        return _failed(None, "Your ClientSynq session has ended or does not allow connecting "
                       "QuickBooks. Sign in as an owner or admin and try again.", 401)
    params = qbo_connect.CallbackParams(
        state=request.args.get("state", ""), code=request.args.get("code") or None,
        realm_id=request.args.get("realmId") or None,
        error=(request.args.get("error") or "")[:64] or None)  # echoed on the page: bounded
    try:
        qbo_connect.complete_connect(deps(), principal, params)
    except InvalidOAuthState as err:
        return _failed(principal, err.detail, 400)
    except QboRefused as err:
        return _failed(principal, err.detail, 400)
    except RoleNotAllowed:
        return _failed(None, "Your role no longer allows connecting QuickBooks: ask an owner "
                       "or admin of your business.", 403)
    except ClientSynqError as err:  # QuickBooks unreachable and the like: retryable
        log.warning("qbo.connect_failed", extra={"slug": err.slug})
        return _failed(principal, "QuickBooks could not be reached. Wait 5 minutes and try "
                       "again.", 502)
    return redirect(deps().settings.portal_qbo_settings_url, code=302)


@bp.get("/tenants/<tenant_id>/qbo/connection")
@authenticated
@require_role(*BUSINESS_ROLES)
@require_tenant_scope
def connection(tenant_id: str) -> Response:
    return jsonify(connection_json(qbo_disconnect.connection_status(deps(), tenant_id)))


@bp.delete("/tenants/<tenant_id>/qbo/connection")
@authenticated
@require_role(*ADMIN_ROLES)
@require_tenant_scope
def disconnect(tenant_id: str) -> Response:
    view = qbo_disconnect.disconnect_by_user(deps(), current_principal())
    return jsonify(connection_json(view))


@bp.get("/qbo/disconnected")
def disconnected_in_quickbooks() -> tuple[str, int]:
    """Intuit's Disconnect URL: the user disconnected ClientSynq inside QuickBooks."""
    realm_id = request.args.get("realmId", "")
    ended = REALM_ID.fullmatch(realm_id) is not None and \
        qbo_disconnect.intuit_disconnected(deps(), realm_id)
    page = render_template("disconnected.html", ended=ended,
                           settings_url=deps().settings.portal_qbo_settings_url)
    return page, 200


def connection_json(view: ConnectionView) -> dict[str, object]:
    return {"status": view.status, "connected": view.is_connected, "realm_id": view.realm_id,
            "company_name": view.company_name, "connected_at": iso(view.connected_at),
            "last_refresh_at": iso(view.last_refresh_at),
            "authorization_expires_at": iso(view.authorization_expires_at),
            "changed_at": iso(view.changed_at), "reason": view.reason}


def _browser_principal() -> Principal | None:
    token = token_from_request(request)
    if token is None:
        return None
    try:
        return deps().verifier.verify(token)
    except InvalidToken:
        return None


def _failed(principal: Principal | None, detail: str, status: int) -> tuple[str, int]:
    retry_url = None
    if principal is not None:
        retry_url = f"/auth/v1/tenants/{principal.tenant_id}/qbo/connect"
    page = render_template("connection_failed.html", detail=detail, retry_url=retry_url,
                           settings_url=deps().settings.portal_qbo_settings_url)
    return page, status
