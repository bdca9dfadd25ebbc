"""openapi.yaml documents every route of the app, with its methods, and nothing else."""
from __future__ import annotations

from pathlib import Path

from auth_fixtures import UNIT_ENV as BASE
from clientsynq.auth.app import create_app
from clientsynq.auth.bootstrap import build
from clientsynq.auth.config import Settings
from openapi_routes import app_routes, documented_routes

OPENAPI = Path(__file__).parents[2] / "openapi.yaml"


def test_every_route_is_documented_with_its_methods(tmp_path):
    env = {**BASE, "AUTH_SIGNING_KEYS_DIR": str(tmp_path), "AUTH_GENERATE_SIGNING_KEY": "true"}
    app = create_app(build(Settings.from_env(env), create_indexes=False))
    assert app_routes(app) == documented_routes(OPENAPI)
