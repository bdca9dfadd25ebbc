"""What every `/api/v1` request goes through before its view: who is calling (a user's JWT
or an Enterprise API key), and the rate limit of that caller, reported in RateLimit headers.

The rate limiter costs a MongoDB round trip (a slot insert shared by every replica). A read
(GET, HEAD) changes nothing, so its hit runs on a small pool *beside* the view, and the
answer waits for both: a refused read answers 429 as before, its rows discarded, and a read
costs the longer of the two round trips instead of their sum. A write is counted before its
view runs, so a refused write never happens.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from clientsynq.common.auth import InvalidToken
from clientsynq.common.problems import (
    ClientSynqError,
    Forbidden,
    TooManyRequests,
    Unauthorized,
)
from clientsynq.portal.api.ports import ApiDeps, RateDecision
from clientsynq.portal.readmodels.ports import ReadModels
from clientsynq.portal.services.commands import Actor
from flask import Blueprint, Response, current_app, g, request

API_KEY_PREFIX = "csk."
PUBLIC_ENDPOINT_SUFFIXES = (".openapi_document_view",)
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Beside the views of one worker (gunicorn's threads): at most one hit each in flight.
_BESIDE = ThreadPoolExecutor(max_workers=8, thread_name_prefix="rate-limit")


@dataclass(frozen=True)
class Caller:
    """`scopes` is None for a user (their role and plan decide); an API key has its own.
    A portal client (`customer_id`) sees only that customer's records."""

    tenant_id: str
    plan: str
    subject: str
    rate_key: str
    customer_id: str | None = None
    scopes: frozenset[str] | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.tenant_id, self.plan, self.subject, self.customer_id)

    def require_scope(self, scope: str) -> None:
        if self.scopes is not None and scope not in self.scopes:
            raise Forbidden(f"This API key lacks the scope {scope}.", required_scope=scope)

    def require_business(self) -> None:
        """For what only the business itself may see or do, not its clients."""
        if self.customer_id is not None:
            raise Forbidden("Only the business can use this endpoint.")


def deps() -> Any:
    return current_app.extensions["clientsynq"]


def api() -> ApiDeps:
    found: ApiDeps = deps().api
    return found


def read() -> ReadModels:
    found: ReadModels = deps().read
    return found


def caller() -> Caller:
    found = g.get("api_caller")
    if not isinstance(found, Caller):
        raise Unauthorized()
    return found


def install_edge(bp: Blueprint) -> None:
    bp.before_request(_authenticate_and_limit)
    bp.after_request(_rate_headers)


def _authenticate_and_limit() -> None:
    if (request.endpoint or "").endswith(PUBLIC_ENDPOINT_SUFFIXES):
        return
    found = _authenticate(request.headers.get("Authorization", ""))
    g.api_caller = found
    if request.method in SAFE_METHODS:
        g.api_rate_pending = _BESIDE.submit(api().limiter.hit, found.rate_key)
        return
    _check(api().limiter.hit(found.rate_key))


def _check(decision: RateDecision) -> None:
    g.api_rate = decision
    if not decision.allowed:
        raise TooManyRequests("Too many requests for this key; slow down.",
                              retry_after=max(1, decision.reset_seconds))


def _settle_pending_hit(response: Response) -> Response:
    """A read's rate decision, awaited: its response, or the refusal in its place (a
    limiter that failed fails the request, as when it ran first)."""
    pending: Future[RateDecision] | None = g.pop("api_rate_pending", None)
    if pending is None:
        return response
    try:
        _check(pending.result())
    except ClientSynqError as refused:
        return current_app.make_response(current_app.handle_user_exception(refused))
    return response


def _authenticate(header: str) -> Caller:
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("An API key or a bearer token is required.")
    if token.startswith(API_KEY_PREFIX):
        key = api().api_keys.verify(token)
        if key is None:
            raise Unauthorized("The API key is not valid or was revoked.",
                               challenge='Bearer error="invalid_token"')
        return Caller(tenant_id=key.tenant_id, plan=key.plan, subject=f"api-key:{key.key_id}",
                      rate_key=f"key:{key.key_id}", scopes=key.scopes)
    try:
        principal = deps().verifier.verify(token)
    except InvalidToken as exc:
        raise Unauthorized(f"The token is not valid: {exc.reason}.",
                           challenge=f'Bearer error="invalid_token", '
                                     f'error_description="{exc.reason}"') from None
    return Caller(tenant_id=principal.tenant_id, plan=principal.plan, subject=principal.subject,
                  rate_key=f"user:{principal.subject}", customer_id=principal.customer_id)


def _rate_headers(response: Response) -> Response:
    response = _settle_pending_hit(response)
    decision = g.get("api_rate")
    if isinstance(decision, RateDecision):
        response.headers.update(rate_limit_headers(decision, api().window_seconds))
    response.headers.setdefault("Cache-Control", "private, no-cache")
    return response


def rate_limit_headers(decision: RateDecision, window: int) -> dict[str, str]:
    """IETF httpapi RateLimit headers (draft): the policy, then where this caller stands."""
    return {"RateLimit-Policy": f'"per-key";q={decision.limit};w={window}',
            "RateLimit": f'"per-key";r={decision.remaining};t={decision.reset_seconds}',
            "RateLimit-Limit": str(decision.limit),
            "RateLimit-Remaining": str(decision.remaining),
            "RateLimit-Reset": str(decision.reset_seconds)}
