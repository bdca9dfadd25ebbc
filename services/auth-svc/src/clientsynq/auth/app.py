"""Flask app factory of auth-svc (gunicorn: 'clientsynq.auth.app:create_app_from_env()')."""
from __future__ import annotations

from clientsynq.common.config import load_or_exit
from clientsynq.common.logging import configure_logging
from clientsynq.common.service import create_service_app
from flask import Flask

from clientsynq.auth.bootstrap import Deps, build
from clientsynq.auth.config import Settings


def create_app(deps: Deps) -> Flask:
    return create_service_app("auth", deps, deps.platform.readiness_checks())


def create_app_from_env() -> Flask:
    settings = load_or_exit(Settings.from_env)
    configure_logging("auth", settings.common.log_level)
    return create_app(build(settings))
