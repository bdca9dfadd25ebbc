"""portal-svc tests: helpers sit next to this file (`portal_fakes.py`, the harnesses), found
by name on pyproject's pythonpath; shared fixtures come from tests/support via the root
conftest."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def read_store(mongo_client: Any) -> Iterator[Any]:
    """A fresh read-model database with its indexes, on the MongoDB-wire server; dropped
    after the test."""
    from clientsynq.portal.adapters.store import MongoReadStore
    from clientsynq.portal.adapters.wiring import ensure_read_model_indexes
    name = f"test_portal_{uuid.uuid4().hex[:10]}"
    store = MongoReadStore(mongo_client, name)
    ensure_read_model_indexes(store)
    yield store
    mongo_client.drop_database(name)
