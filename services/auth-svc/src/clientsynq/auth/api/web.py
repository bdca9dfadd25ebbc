"""What every auth-svc view shares: the deps, the caller's identity, cookies and bodies."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from clientsynq.auth.services.sessions import SessionTokens
from clientsynq.common.auth import (
    REFRESH_COOKIE,
    REFRESH_COOKIE_PATH,
    SESSION_COOKIE,
    TokenVerifier,
    is_browser,
    require_principal,
)
from clientsynq.common.events import format_time
from clientsynq.common.problems import json_body
from flask import Response, current_app, jsonify, request
from marshmallow import Schema
from werkzeug.wrappers import Response as BaseResponse

if TYPE_CHECKING:
    from clientsynq.auth.bootstrap import Deps

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R", bound=BaseResponse)
MAX_BODY_BYTES = 16 * 1024
BUSINESS_ROLES = ("owner", "admin", "member")
ADMIN_ROLES = ("owner", "admin")


def deps() -> Deps:
    return current_app.extensions["clientsynq"]  # type: ignore[no-any-return]


def _verifier() -> TokenVerifier:
    return deps().verifier


authenticated: Callable[[F], F] = require_principal(_verifier)


def body(schema: type[Schema]) -> Any:
    """The JSON body: 415 if not JSON, 400 if malformed, 413 if too big, 422 if invalid."""
    return json_body(schema, max_bytes=MAX_BODY_BYTES)


def optional_body(schema: type[Schema]) -> Any:
    """For endpoints a browser calls with no body at all (the cookie carries the token)."""
    if not request.content_length and not request.get_data(cache=True):
        return schema().load({})
    return body(schema)


def iso(value: datetime | None) -> str | None:
    return None if value is None else format_time(value)


def client_ip() -> str:
    """Behind the gateway, ProxyFix (AUTH_TRUSTED_PROXY_HOPS) has already set remote_addr."""
    return request.remote_addr or "unknown"


def session_body(tokens: SessionTokens, with_tokens: bool) -> dict[str, Any]:
    subject = tokens.subject
    body: dict[str, Any] = {
        "expires_in": tokens.access_expires_in,
        "refresh_expires_at": iso(tokens.refresh_expires_at),
        "tenant_id": subject.tenant_id, "subject": subject.subject, "kind": subject.kind,
        "role": tokens.role, "plan": tokens.plan, "customer_id": subject.customer_id}
    if with_tokens:
        body.update(token_type="Bearer", access_token=tokens.access_token,  # noqa: S106
                    refresh_token=tokens.refresh_token)
    return body


def session_response(tokens: SessionTokens, status: int = 200) -> Response:
    """API clients (no ``Origin``) read the tokens in the body; a browser (``Origin``) gets
    them only as HttpOnly cookies, so no script on the page (an XSS) can read them."""
    response = jsonify(session_body(tokens, with_tokens=not is_browser(request)))
    response.status_code = status
    return set_session_cookies(response, tokens)


def set_session_cookies(response: R, tokens: SessionTokens) -> R:
    secure = deps().settings.sessions.cookie_secure
    response.set_cookie(SESSION_COOKIE, tokens.access_token, max_age=tokens.access_expires_in,
                        httponly=True, secure=secure, samesite="Lax", path="/")
    refresh_age = int((tokens.refresh_expires_at - deps().clock()).total_seconds())
    response.set_cookie(REFRESH_COOKIE, tokens.refresh_token, max_age=max(refresh_age, 0),
                        httponly=True, secure=secure, samesite="Lax", path=REFRESH_COOKIE_PATH)
    response.headers["Cache-Control"] = "no-store"
    return response


def clear_session(response: Response) -> Response:
    secure = deps().settings.sessions.cookie_secure
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, secure=secure,
                           samesite="Lax")
    response.delete_cookie(REFRESH_COOKIE, path=REFRESH_COOKIE_PATH, httponly=True,
                           secure=secure, samesite="Lax")
    return response
