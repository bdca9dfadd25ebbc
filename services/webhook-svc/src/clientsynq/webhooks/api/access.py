"""Who may manage webhook endpoints: owners and admins of an Enterprise business, by JWT
(the portal's session or bearer token) or by an Enterprise API key (`csk.` prefix)."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from clientsynq.common.auth import InvalidToken, Principal, token_from_request
from clientsynq.common.problems import (
    ClientSynqError,
    Forbidden,
    NotFound,
    PlanDoesNotAllow,
    Unauthorized,
    problem_response,
)
from flask import current_app, g, request

F = TypeVar("F", bound=Callable[..., Any])
API_KEY_PREFIX = "csk."
ROLES = ("owner", "admin")


def require_webhook_admin(view: F) -> F:
    """Refuse before the view runs; 404 (not 403) for another business's URLs."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            principal = _principal()
            _check(principal, kwargs["tenant_id"])
        except ClientSynqError as err:
            return problem_response(err, request.path)
        g.principal = principal
        return view(*args, **kwargs)
    return cast(F, wrapper)


def _principal() -> Principal:
    token = token_from_request(request)
    if token is None:
        raise Unauthorized("A bearer token, session or API key is required.")
    deps = current_app.extensions["clientsynq"]
    if token.startswith(API_KEY_PREFIX):
        principal: Principal = deps.api_keys.verify(token)
        return principal
    try:
        return cast(Principal, deps.verifier.verify(token))
    except InvalidToken as exc:
        raise Unauthorized(f"The token is not valid: {exc.reason}.",
                           challenge='Bearer error="invalid_token"') from None


def _check(principal: Principal, tenant_id: str) -> None:
    if principal.tenant_id != tenant_id:
        raise NotFound("No such resource.")
    if principal.kind != "user" or principal.role not in ROLES:
        raise Forbidden("Only owners and admins manage webhooks.", allowed_roles=list(ROLES))
    if principal.plan != "enterprise":
        raise PlanDoesNotAllow("Webhooks are part of the Enterprise plan.",
                               required_plans=["enterprise"])
