"""Flask app factory of portal-svc (gunicorn: 'clientsynq.portal.app:create_app_from_env()')."""
from __future__ import annotations

from clientsynq.common.config import load_or_exit
from clientsynq.common.logging import configure_logging
from clientsynq.common.service import create_service_app
from clientsynq.portal import api
from clientsynq.portal.bootstrap import Deps, build
from clientsynq.portal.config import Settings
from clientsynq.portal.web import routes as web_routes
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def create_app(deps: Deps) -> Flask:
    app = create_service_app("portal", deps, deps.platform.readiness_checks())
    web_routes.register(app, [deps.settings.public_url])  # business app, client portal
    api.register(app)  # the public API /api/v1
    hops = deps.settings.trusted_proxy_hops
    if hops:  # behind the gateway: the client's address and scheme from X-Forwarded-*
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,  # type: ignore[method-assign]
                                x_port=hops)
    return app


def create_app_from_env() -> Flask:
    settings = load_or_exit(Settings.from_env)
    configure_logging("portal", settings.common.log_level)
    return create_app(build(settings))
