"""sync-svc answers its probes: alive, ready only when Kafka and MongoDB answer, metrics."""
from __future__ import annotations

import pytest
from clientsynq.common.testing import (
    UNREACHABLE_MONGO,
    assert_probes_not_ready_without_mongo,
    assert_probes_ready,
)
from clientsynq.sync.app import create_app
from clientsynq.sync.bootstrap import build
from clientsynq.sync.config import Settings

pytestmark = pytest.mark.integration


def app_for(kafka: str, mongo: str):
    return create_app(build(Settings.from_env({
        "KAFKA_BOOTSTRAP_SERVERS": kafka, "MONGODB_URI": mongo,
        "SERVICE_SECRET_SYNC": "s" * 24, "SERVICE_SECRET_PORTAL_SYNC": "p" * 24})))


def test_ready_when_kafka_and_mongodb_answer(infra):
    assert_probes_ready(app_for(infra.kafka_bootstrap, infra.mongo_uri))


def test_not_ready_when_mongodb_is_unreachable(infra):
    assert_probes_not_ready_without_mongo(app_for(infra.kafka_bootstrap, UNREACHABLE_MONGO))
