"""Idempotency-Key records: the MongoDB adapter and the fake keep the same contract."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from clientsynq.portal.adapters.mongo_idempotency import MongoIdempotency
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.api.ports import IdempotencyStore, StoredResponse
from portal_fakes import FakeIdempotency

T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)


@pytest.fixture(params=["fake", pytest.param("mongo", marks=pytest.mark.integration)])
def store(request: pytest.FixtureRequest) -> Iterator[IdempotencyStore]:
    if request.param == "fake":
        yield FakeIdempotency()
        return
    client: Any = request.getfixturevalue("mongo_client")
    name = f"test_portal_idem_{uuid.uuid4().hex[:10]}"
    yield MongoIdempotency(MongoReadStore(client, name))
    client.drop_database(name)


def test_the_first_request_reserves_the_key_and_a_retry_gets_its_answer(store):
    assert store.begin("t|k|1", "fp", T0) is None
    running = store.begin("t|k|1", "fp", T0)
    assert running is not None and running.status is None
    store.finish("t|k|1", StoredResponse("fp", 202, '{"id": "c1"}',
                                         {"Content-Type": "application/json"}))
    replay = store.begin("t|k|1", "other", T0)
    assert replay is not None and (replay.status, replay.body, replay.fingerprint) == (
        202, '{"id": "c1"}', "fp")


def test_an_abandoned_key_may_run_again(store):
    assert store.begin("t|k|2", "fp", T0) is None
    store.abandon("t|k|2")
    assert store.begin("t|k|2", "fp", T0 + timedelta(seconds=1)) is None


def test_keys_are_separate(store):
    assert store.begin("t|k|3", "fp", T0) is None
    assert store.begin("u|k|3", "fp", T0) is None
