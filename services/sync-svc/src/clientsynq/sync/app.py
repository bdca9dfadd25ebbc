"""Flask app factory of sync-svc (gunicorn: 'clientsynq.sync.app:create_app_from_env()')."""
from __future__ import annotations

from clientsynq.common.auth import install_service_check
from clientsynq.common.config import load_or_exit
from clientsynq.common.logging import configure_logging
from clientsynq.common.service import create_service_app
from clientsynq.sync.api import sync_controls, sync_status
from clientsynq.sync.bootstrap import Deps, build
from clientsynq.sync.config import Settings
from flask import Flask


def create_app(deps: Deps) -> Flask:
    app = create_service_app("sync", deps, deps.platform.readiness_checks())
    install_service_check(app, deps.service_check)
    app.register_blueprint(sync_status.bp)
    app.register_blueprint(sync_controls.bp)
    return app


def create_app_from_env() -> Flask:
    settings = load_or_exit(Settings.from_env)
    configure_logging("sync", settings.common.log_level)
    return create_app(build(settings))
