"""sync-svc answers its probes: alive, ready only when Kafka and MongoDB answer, metrics."""
from __future__ import annotations

import pytest
from clientsynq.sync.app import create_app
from clientsynq.sync.bootstrap import build
from clientsynq.sync.config import Settings

pytestmark = pytest.mark.integration


def settings_for(kafka: str, mongo: str) -> Settings:
    return Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": kafka, "MONGODB_URI": mongo,
                              "SERVICE_SECRET_SYNC": "s" * 24, "SERVICE_SECRET_PORTAL": "p" * 24})


def test_ready_when_kafka_and_mongodb_answer(infra):
    client = create_app(build(settings_for(infra.kafka_bootstrap, infra.mongo_uri))).test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json["checks"] == {"kafka": "ok", "mongodb": "ok"}
    assert b"clientsynq_http_request_seconds" in client.get("/metrics").data


def test_not_ready_when_mongodb_is_unreachable(infra):
    settings = settings_for(infra.kafka_bootstrap, "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=300")
    ready = create_app(build(settings)).test_client().get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["mongodb"].startswith("unavailable")
