"""OAuth 2.0 / OpenID endpoints: discovery, authorize, token, revoke, userinfo, jwks."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from flask import Blueprint, Response, g, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from .apps import App
from .consent import SCOPE_LABELS, consent_page, error_page
from .errors import OAuthError, invalid_client
from .http_util import plain_json, sandbox
from .oauth_tokens import AuthenticationError

bp = Blueprint("oauth", __name__)
KNOWN_SCOPES = (*SCOPE_LABELS, "com.intuit.quickbooks.payroll",
                "com.intuit.quickbooks.payroll.timetracking",
                "com.intuit.quickbooks.payroll.benefits", "intuit_name")
REALM_SCOPES = ("com.intuit.quickbooks.accounting", "com.intuit.quickbooks.payment")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def discovery_document(base: str) -> dict[str, Any]:
    """Intuit's document, every endpoint pointing at this server."""
    return {
        "issuer": f"{base}/op/v1",
        "authorization_endpoint": f"{base}/connect/oauth2",
        "token_endpoint": f"{base}/oauth2/v1/tokens/bearer",
        "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
        "revocation_endpoint": f"{base}/v2/oauth2/tokens/revoke",
        "jwks_uri": f"{base}/op/v1/jwks",
        "response_types_supported": ["code"], "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile", "address", "phone"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
    }


@bp.get("/.well-known/openid_configuration")
@bp.get("/.well-known/openid_configuration/")
@bp.get("/.well-known/openid_sandbox_configuration")
@bp.get("/.well-known/openid_sandbox_configuration/")
def discovery() -> Response:
    """Both Intuit discovery URLs, with and without the trailing slash."""
    return plain_json(discovery_document(sandbox().oauth_base_url(request.host_url)))


@bp.get("/op/v1/jwks")
def jwks() -> Response:
    """No id_token is ever signed (see README), so the key set is empty."""
    return plain_json({"keys": []})


@bp.route("/connect/oauth2", methods=["GET", "POST"])
def authorize() -> BaseResponse | str | tuple[str, int]:
    """GET shows the consent page; the form POSTs back here with the user's decision."""
    params = request.values
    app = sandbox().apps.get(params.get("client_id", ""))
    if app is None:
        return error_page("invalid_client", "This app is not registered."), 400
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in app.redirect_uris:
        return error_page("invalid_redirect_uri", "The redirect_uri does not exactly match "
                          "one registered for this app."), 400
    state = params.get("state")
    if params.get("response_type") != "code":
        return _back(redirect_uri, error="unsupported_response_type", state=state)
    scopes = params.get("scope", "").split()
    if not scopes or any(s not in KNOWN_SCOPES for s in scopes):
        return _back(redirect_uri, error="invalid_scope", state=state)
    if request.method == "POST":
        return _decide(app, redirect_uri, scopes, state)
    return _show_consent(app, redirect_uri, scopes)


def _show_consent(app: App, redirect_uri: str, scopes: list[str]) -> str | tuple[str, int]:
    companies = sandbox().company_list()
    if not companies:
        return error_page("no_company", "The sandbox has no company yet: create one with "
                          "POST /_sandbox/companies."), 409
    hint = request.args.get("realm") or request.args.get("realmId")
    selected = hint if any(c.realm_id == hint for c in companies) else companies[0].realm_id
    hidden = [(k, v) for k, v in request.args.items(multi=True) if k not in ("realm", "realmId")]
    return consent_page(app, companies, selected, scopes, hidden, request.path)


def _decide(app: App, redirect_uri: str, scopes: list[str],
            state: str | None) -> BaseResponse:
    if request.form.get("decision") != "approve":
        return _back(redirect_uri, error="access_denied", state=state)
    box = sandbox()
    realm_id = request.form.get("realm_id") or box.company_list()[0].realm_id
    if box.companies.get(realm_id) is None:
        return _back(redirect_uri, error="access_denied", state=state)
    code = box.tokens.issue_code(app.client_id, redirect_uri, realm_id, tuple(scopes))
    realm = realm_id if any(s in REALM_SCOPES for s in scopes) else None
    return _back(redirect_uri, code=code, state=state, realmId=realm)


def _back(redirect_uri: str, **params: str | None) -> BaseResponse:
    """Redirect to the app's callback, keeping any query it already has."""
    parts = urlsplit(redirect_uri)
    query = parse_qsl(parts.query) + [(k, v) for k, v in params.items() if v is not None]
    return redirect(urlunsplit(parts._replace(query=urlencode(query))), code=302)


@bp.post("/oauth2/v1/tokens/bearer")
def token() -> Response:
    """authorization_code and refresh_token grants; client_secret_basic or _post."""
    app = _client_app()
    form = request.form
    grant_type = form.get("grant_type")
    tokens = sandbox().tokens
    if grant_type == "authorization_code":
        if not form.get("code"):
            raise OAuthError("invalid_request", "code is required")
        payload = tokens.exchange_code(app.client_id, form["code"], form.get("redirect_uri", ""))
    elif grant_type == "refresh_token":
        if not form.get("refresh_token"):
            raise OAuthError("invalid_request", "refresh_token is required")
        payload = tokens.refresh(app.client_id, form["refresh_token"])
    else:
        raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
    response = plain_json(payload)
    response.headers.update(NO_STORE)
    return response


@bp.post("/v2/oauth2/tokens/revoke")
def revoke() -> Response:
    """Revoke a refresh or access token: the whole grant dies. Unknown tokens get 200 too.

    Intuit documents a JSON body `{"token": ...}` with Content-Type application/json; a JSON
    body under another content type and a form `token=` are tolerated as well."""
    app = _client_app()
    body = request.get_json(force=True, silent=True)
    value = (body.get("token") if isinstance(body, dict) else None) or request.form.get("token")
    if not value:
        raise OAuthError("invalid_request", "token is required")
    sandbox().tokens.revoke(app.client_id, value)
    return Response(status=200)


@bp.get("/v1/openid_connect/userinfo")
def userinfo() -> Response:
    """OpenID userinfo for the sandbox's single user, limited to the granted scopes."""
    header = request.headers.get("Authorization", "")
    try:
        grant = sandbox().tokens.authenticate(header[7:].strip())
    except AuthenticationError as err:
        return plain_json({"error": "invalid_token", "error_description": str(err)}, 401)
    info: dict[str, Any] = {"sub": f"sandbox-user-{grant.realm_id}"}
    if "email" in grant.scopes:
        info.update(email="sandbox.user@example.com", emailVerified=True)
    if "profile" in grant.scopes:
        info.update(givenName="Sandbox", familyName="User")
    if "phone" in grant.scopes:
        info.update(phoneNumber="+1 5555550100", phoneNumberVerified=False)
    if "address" in grant.scopes:
        info["address"] = {"streetAddress": "2600 Marine Way", "locality": "Mountain View",
                           "region": "CA", "postalCode": "94043", "country": "US"}
    return plain_json(info)


def _client_app() -> App:
    """Authenticate the client by HTTP Basic or by client_id/client_secret in the form."""
    client_id, secret = _basic_credentials()
    if client_id is None:
        client_id, secret = request.form.get("client_id"), request.form.get("client_secret")
    app = sandbox().apps.get(client_id or "")
    if app is None or secret != app.client_secret:
        raise invalid_client()
    g.client_id = app.client_id
    return app


def _basic_credentials() -> tuple[str | None, str | None]:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)
