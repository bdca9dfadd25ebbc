"""Flask decorators that turn a bearer token into ``g.principal`` and enforce access.

Order them outermost first: ``require_principal`` then role / plan / tenant checks. Each
refuses with problem+json itself, so a view is protected even in an app that forgot to
register the error handlers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from clientsynq.common.auth.tokens import InvalidToken, Principal, TokenVerifier
from clientsynq.common.problems import (
    ClientSynqError,
    Forbidden,
    NotFound,
    PlanDoesNotAllow,
    Unauthorized,
    problem_response,
)
from flask import Request, Response, g, request

F = TypeVar("F", bound=Callable[..., Any])
SESSION_COOKIE = "cs_session"  # the access JWT, HttpOnly, path /
REFRESH_COOKIE = "cs_refresh"  # the refresh token, HttpOnly, path REFRESH_COOKIE_PATH
REFRESH_COOKIE_PATH = "/auth/v1/"


def token_from_request(req: Request) -> str | None:
    """``Authorization: Bearer`` first (API clients), else the portal's session cookie."""
    header = req.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    cookie = req.cookies.get(SESSION_COOKIE)
    return cookie or None


def current_principal() -> Principal:
    """For views behind ``require_principal``; raises Unauthorized anywhere else."""
    principal = g.get("principal")
    if not isinstance(principal, Principal):
        raise Unauthorized()
    return principal


def _refuse(err: ClientSynqError) -> Response:
    return problem_response(err, request.path)


def _guard(check: Callable[[dict[str, Any]], ClientSynqError | None]) -> Callable[[F], F]:
    """A decorator that runs ``check(view kwargs)`` and refuses with the error it returns."""
    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            error = check(kwargs)
            return _refuse(error) if error is not None else view(*args, **kwargs)
        return cast(F, wrapper)
    return decorate


def require_principal(verifier_getter: Callable[[], TokenVerifier]) -> Callable[[F], F]:
    """``verifier_getter`` is called per request so the app factory decides the verifier."""
    def check(_kwargs: dict[str, Any]) -> ClientSynqError | None:
        token = token_from_request(request)
        if token is None:
            return Unauthorized("A bearer token or session is required.")
        try:
            g.principal = verifier_getter().verify(token)
        except InvalidToken as exc:
            challenge = f'Bearer error="invalid_token", error_description="{exc.reason}"'
            return Unauthorized(f"The token is not valid: {exc.reason}.", challenge=challenge)
        except ClientSynqError as exc:  # e.g. KeysUnavailable → 503
            return exc
        return None
    return _guard(check)


def require_role(*roles: str) -> Callable[[F], F]:
    def check(_kwargs: dict[str, Any]) -> ClientSynqError | None:
        principal = g.get("principal")
        if principal is None:
            return Unauthorized()
        if principal.role not in roles:
            return Forbidden("Your role does not allow this action.", allowed_roles=list(roles))
        return None
    return _guard(check)


def require_plan(*plans: str) -> Callable[[F], F]:
    def check(_kwargs: dict[str, Any]) -> ClientSynqError | None:
        principal = g.get("principal")
        if principal is None:
            return Unauthorized()
        if principal.plan not in plans:
            return PlanDoesNotAllow("Upgrade your plan to use this feature.",
                                    required_plans=list(plans))
        return None
    return _guard(check)


def _tenant_check(kwargs: dict[str, Any]) -> ClientSynqError | None:
    """404, not 403: a 403 would confirm to a stranger that the tenant id exists."""
    principal = g.get("principal")
    if principal is None:
        return Unauthorized()
    if "tenant_id" not in kwargs:
        raise RuntimeError("require_tenant_scope needs a <tenant_id> URL parameter")
    if kwargs["tenant_id"] != principal.tenant_id:
        return NotFound("No such resource.")
    return None


def require_tenant_scope(view: F) -> F:
    """Serve ``<tenant_id>`` URLs only to principals of that tenant (404 otherwise)."""
    return _guard(_tenant_check)(view)
