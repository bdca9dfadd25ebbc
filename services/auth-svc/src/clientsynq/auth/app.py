"""Flask app factory of auth-svc (gunicorn: 'clientsynq.auth.app:create_app_from_env()')."""
from __future__ import annotations

from urllib.parse import urlsplit

from clientsynq.auth.api import accounts, internal, portal, qbo, team
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


def create_app(deps: Deps) -> Flask:
    app = create_service_app("auth", deps, deps.platform.readiness_checks())
    install_service_check(app, deps.service_check)
    # Every cookie-authenticated POST/PUT/PATCH/DELETE must come from our own pages (CSRF).
    install_origin_check(app, deps.settings.public_origins, every_request=True)
    install_security_headers(app, hsts=urlsplit(deps.settings.public_url).scheme == "https")
    public = [accounts.bp, team.bp, qbo.bp, portal.bp]
    if deps.settings.internal_api_on_public:
        public.append(internal.bp)
    for blueprint in public:
        app.register_blueprint(blueprint)
    app.add_url_rule("/.well-known/jwks.json", "jwks", lambda: _jwks(deps))
    hops = deps.settings.trusted_proxy_hops
    if hops:
        # Only behind our gateway: otherwise anyone could pick their own "client address".
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def create_internal_app(deps: Deps) -> Flask:
    """The internal API alone, for its own listener (a port only other services reach, a
    NetworkPolicy in Kubernetes): the service credentials never cross the public gateway."""
    app = create_service_app("auth", deps, deps.platform.readiness_checks())
    install_service_check(app, deps.service_check)
    install_security_headers(app, hsts=False)
    app.register_blueprint(internal.bp)
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
