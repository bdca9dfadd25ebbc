"""Who is looking at a page: the session cookie auth-svc set, verified here on every request.

Pages redirect to a sign-in page instead of answering 401, because a person, not an API
client, is on the other end. The login page first tries the refresh cookie, so an access
token that lapsed after 15 minutes costs a redirect, not a password.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlencode, urlsplit

from clientsynq.common.auth import SESSION_COOKIE, InvalidToken, Principal
from flask import current_app, g, redirect, request
from werkzeug.wrappers.response import Response

F = TypeVar("F", bound=Callable[..., Any])


def deps() -> Any:
    return current_app.extensions["clientsynq"]


def cookie_principal() -> Principal | None:
    """Pages trust only the cookie: a page is never opened with a bearer header."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return cast(Principal, deps().verifier.verify(token))
    except InvalidToken:
        return None


def session_token() -> str:
    """The verified cookie's token, to call auth-svc as this user (behind a page decorator)."""
    return request.cookies.get(SESSION_COOKIE, "")


def principal() -> Principal:
    return cast(Principal, g.principal)


def _back_here(path: str) -> Response:
    """After signing in, back to this page; a form posted with a lapsed session goes back to
    the page the form was on (its URL only accepts POST), never to another site."""
    here = request.full_path.rstrip("?")
    if request.method != "GET":
        came_from = urlsplit(request.referrer or "")
        here = came_from.path if came_from.netloc == request.host and came_from.path else "/"
    return redirect(f"{path}?{urlencode({'next': here})}", code=303)


def business_page(view: F) -> F:
    """A page of the business app: a signed-in owner, admin or member of the business."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        found = cookie_principal()
        if found is None or found.is_client:
            return _back_here("/login")
        g.principal = found
        return view(*args, **kwargs)
    return cast(F, wrapper)


def client_page(view: F) -> F:
    """A page of the client portal: a client signed in for exactly one customer."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        found = cookie_principal()
        if found is None or not found.is_client or not found.customer_id:
            return _back_here("/portal/signin")
        g.principal = found
        return view(*args, **kwargs)
    return cast(F, wrapper)


def safe_next(value: str | None, default: str) -> str:
    """Only a path on this origin: `next=https://evil.example` must not become a redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default
