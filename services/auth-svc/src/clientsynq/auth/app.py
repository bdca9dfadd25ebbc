"""Flask app factories of auth-svc, one per listener.

The public listener (gunicorn 'clientsynq.auth.app:create_app_from_env()', behind the
gateway) serves browsers, integrators and Intuit. The internal listener
('create_internal_app_from_env()', a port only our services reach) serves the internal API
and the operator's: with ``AUTH_INTERNAL_API_ON_PUBLIC=false`` (every deployment off
loopback) the public listener answers 404 there, whatever the gateway does.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from clientsynq.auth.api import accounts, internal, operator, portal, qbo, team
from clientsynq.auth.bootstrap import Deps, build_or_exit
from clientsynq.auth.config import Settings
from clientsynq.common.auth import (
    install_origin_check,
    install_security_headers,
    install_service_check,
    jwks,
)
from clientsynq.common.config import load_or_exit
from clientsynq.common.logging import configure_logging
from clientsynq.common.service import create_service_app
from flask import Flask, Response, jsonify
from werkzeug.middleware.proxy_fix import ProxyFix

JWKS_MAX_AGE_SECONDS = 300
INTERNAL_BLUEPRINTS = [internal.bp, operator.bp]


def create_app(deps: Deps) -> Flask:
    app = _service_app(deps, hsts=urlsplit(deps.settings.public_url).scheme == "https")
    public = [accounts.bp, team.bp, qbo.bp, portal.bp]
    if deps.settings.internal_api_on_public:
        public += INTERNAL_BLUEPRINTS  # loopback development and test stacks: one port
    for blueprint in public:
        app.register_blueprint(blueprint)
    hops = deps.settings.trusted_proxy_hops
    if hops:
        # Only behind our gateway: otherwise anyone could pick their own "client address".
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def create_internal_app(deps: Deps) -> Flask:
    """The internal listener: a port only our services reach (a NetworkPolicy in
    Kubernetes), so the service credentials never cross the public gateway.

    Besides the internal and operator APIs it serves the JWKS and the team and portal
    routes, which services call with a user's own bearer token (portal-svc: members, API
    keys, client invitations): each service needs one auth-svc URL, this one.
    """
    app = _service_app(deps, hsts=False)
    for blueprint in (*INTERNAL_BLUEPRINTS, team.bp, portal.bp):
        app.register_blueprint(blueprint)
    return app


def _service_app(deps: Deps, *, hsts: bool) -> Flask:
    app = create_service_app("auth", deps, deps.platform.readiness_checks())
    install_service_check(app, deps.service_check)
    # Every cookie-authenticated POST/PUT/PATCH/DELETE must come from our own pages (CSRF).
    install_origin_check(app, deps.settings.public_origins, every_request=True)
    install_security_headers(app, hsts=hsts)
    app.add_url_rule("/.well-known/jwks.json", "jwks", lambda: _jwks(deps))
    return app


def create_internal_app_from_env() -> Flask:
    """gunicorn 'clientsynq.auth.app:create_internal_app_from_env()' on the internal port."""
    settings = load_or_exit(Settings.from_env)
    configure_logging("auth", settings.common.log_level)
    return create_internal_app(build_or_exit(settings))


def _jwks(deps: Deps) -> Response:
    """Every key still valid for verifying; other services cache it (JwksCache)."""
    response = jsonify(jwks(deps.signing_keys.public_keys()))
    response.headers["Cache-Control"] = f"public, max-age={JWKS_MAX_AGE_SECONDS}"
    return response


def create_app_from_env() -> Flask:
    settings = load_or_exit(Settings.from_env)
    configure_logging("auth", settings.common.log_level)
    return create_app(build_or_exit(settings))
