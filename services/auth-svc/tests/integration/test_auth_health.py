"""auth-svc answers its probes: alive, ready only when Kafka and MongoDB answer, metrics."""
from __future__ import annotations

import pytest
from clientsynq.auth.app import create_app
from clientsynq.auth.bootstrap import build
from clientsynq.auth.config import Settings

pytestmark = pytest.mark.integration


def test_ready_when_kafka_and_mongodb_answer(auth):
    client = auth.browser()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json["checks"] == {"kafka": "ok", "mongodb": "ok"}
    assert b"clientsynq_http_request_seconds" in client.get("/metrics").data


def test_not_ready_when_mongodb_is_unreachable(auth_settings_env):
    env = {**auth_settings_env,
           "MONGODB_URI": "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=300"}
    deps = build(Settings.from_env(env), create_indexes=False)
    ready = create_app(deps).test_client().get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["mongodb"].startswith("unavailable")
