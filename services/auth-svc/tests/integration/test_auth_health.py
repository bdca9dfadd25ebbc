"""auth-svc answers its probes: alive, ready only when Kafka and MongoDB answer, metrics."""
from __future__ import annotations

import pytest
from clientsynq.auth.app import create_app
from clientsynq.auth.bootstrap import build
from clientsynq.auth.config import Settings
from clientsynq.common.testing import (
    UNREACHABLE_MONGO,
    assert_probes_not_ready_without_mongo,
    assert_probes_ready,
)

pytestmark = pytest.mark.integration


def test_ready_when_kafka_and_mongodb_answer(auth):
    assert_probes_ready(auth.app)


def test_not_ready_when_mongodb_is_unreachable(auth):
    env = {**auth.env, "MONGODB_URI": UNREACHABLE_MONGO}
    assert_probes_not_ready_without_mongo(create_app(build(Settings.from_env(env),
                                                           create_indexes=False)))
