"""Flask app factory of webhook-svc (gunicorn: 'clientsynq.webhooks.app:create_app_from_env()')."""
from __future__ import annotations

from clientsynq.common.auth import install_origin_check
from clientsynq.common.config import load_or_exit
from clientsynq.common.logging import configure_logging
from clientsynq.common.service import create_service_app
from clientsynq.webhooks.api import endpoints, intuit
from clientsynq.webhooks.bootstrap import Deps, build
from clientsynq.webhooks.config import Settings
from flask import Flask


def create_app(deps: Deps) -> Flask:
    app = create_service_app("webhook", deps, deps.platform.readiness_checks())
    app.register_blueprint(intuit.bp)
    app.register_blueprint(endpoints.bp)
    # The Settings → Webhooks page calls with the session cookie: a change must come from
    # our own origin (CSRF). Bearer tokens, API keys and Intuit's calls carry no cookie.
    install_origin_check(app, deps.settings.public_origins, every_request=True)
    return app


def create_app_from_env() -> Flask:
    settings = load_or_exit(Settings.from_env)
    configure_logging("webhook", settings.common.log_level)
    return create_app(build(settings))
