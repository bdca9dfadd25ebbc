"""openapi.yaml documents every route of the app, with its methods, and nothing else."""
from __future__ import annotations

from pathlib import Path

from clientsynq.common.crypto import generate_key
from clientsynq.webhooks.app import create_app
from clientsynq.webhooks.bootstrap import build
from clientsynq.webhooks.config import Settings
from openapi_routes import app_routes, documented_routes

OPENAPI = Path(__file__).parents[2] / "openapi.yaml"
ENV = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", "MONGODB_URI": "mongodb://127.0.0.1:9/",
       "QBO_WEBHOOK_VERIFIER_TOKEN": "v", "TOKEN_ENCRYPTION_KEYS": f"k1:{generate_key()}",
       "TOKEN_ENCRYPTION_ACTIVE_KEY": "k1"}


def test_every_route_is_documented_with_its_methods():
    app = create_app(build(Settings.from_env(ENV)))
    assert app_routes(app) == documented_routes(OPENAPI)
