"""Browsers versus API clients, and CSRF protection for cookie-authenticated requests.

The business app, the client portal and auth-svc's public routes share one origin behind the
gateway, and a browser session is an HttpOnly cookie. A cookie rides along with any request
the browser makes, including one a hostile page triggers, so every state-changing request
authenticated by cookie must prove it came from one of our pages: browsers send ``Origin``
on every POST/PUT/PATCH/DELETE (``Referer`` is the fallback), and a hostile page cannot
forge it. A request with ``Authorization: Bearer`` is not cookie-authenticated (a page on
another site cannot add that header) and needs no Origin.

A request that carries ``Origin`` is a browser: auth-svc then answers tokens only in
cookies, never in a body a script could read.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from clientsynq.common.auth.web import REFRESH_COOKIE, SESSION_COOKIE
from clientsynq.common.problems import Forbidden, problem_response
from flask import Flask, Request, Response, current_app, request

F = TypeVar("F", bound=Callable[..., Any])
EXTENSION_KEY = "clientsynq.allowed_origins"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CrossSiteRequest(Forbidden):
    slug, title = "cross-site-request", "This request did not come from a ClientSynq page"


def normalize_origin(value: str) -> str | None:
    """``scheme://host[:port]`` in lower case, default ports dropped; None if not an origin."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    port = parts.port
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def is_browser(req: Request) -> bool:
    """The contract with portal-web: a request carrying ``Origin`` is a browser's."""
    return bool(req.headers.get("Origin"))


def is_bearer(req: Request) -> bool:
    scheme, _, value = req.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(value.strip())


def is_cookie_authenticated(req: Request) -> bool:
    return not is_bearer(req) and any(req.cookies.get(name) for name in
                                      (SESSION_COOKIE, REFRESH_COOKIE))


def request_origin(req: Request) -> str | None:
    origin = req.headers.get("Origin")
    if origin and origin != "null":
        return normalize_origin(origin)
    referer = req.headers.get("Referer")
    return normalize_origin(referer) if referer else None


def cross_site_problem(req: Request, allowed: Iterable[str]) -> CrossSiteRequest | None:
    """None when the request may go on. Checked for unsafe methods that are
    cookie-authenticated or come from a browser at all (a login form posted from another
    site would sign the victim in as the attacker)."""
    if req.method not in UNSAFE_METHODS or is_bearer(req):
        return None
    if not is_cookie_authenticated(req) and not is_browser(req):
        return None  # an API client with no session: nothing to ride on
    origin = request_origin(req)
    if origin is None:
        return CrossSiteRequest("A browser request that changes something must carry an "
                                "Origin or Referer header.")
    if origin not in allowed:
        return CrossSiteRequest("Requests from this origin are not accepted.")
    return None


def install_origin_check(app: Flask, origins: Iterable[str], every_request: bool = False) -> None:
    """Register our public origins; with ``every_request`` every view is protected (the
    app-wide form of ``require_same_origin``)."""
    allowed = frozenset(o for o in (normalize_origin(x) for x in origins) if o)
    if not allowed:
        raise ValueError("at least one public origin is required")
    app.extensions[EXTENSION_KEY] = allowed
    if every_request:
        app.before_request(_check_current_request)


def _check_current_request() -> Response | None:
    allowed = current_app.extensions.get(EXTENSION_KEY)
    if not isinstance(allowed, frozenset):
        raise RuntimeError("install_origin_check(app, ...) was not called")
    problem = cross_site_problem(request, allowed)
    return None if problem is None else problem_response(problem, request.path)


def require_same_origin(view: F) -> F:
    """For one cookie-authenticated view that changes something (portal-svc's POSTs)."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        refused = _check_current_request()
        return refused if refused is not None else view(*args, **kwargs)
    return cast(F, wrapper)


def install_security_headers(app: Flask, hsts: bool) -> None:
    """No sniffing, no framing (clickjacking), and HSTS where we are served over https."""
    @app.after_request
    def add_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        if "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = "frame-ancestors 'none'"
        if hsts:
            headers.setdefault("Strict-Transport-Security",
                               "max-age=31536000; includeSubDomains")
        return response
