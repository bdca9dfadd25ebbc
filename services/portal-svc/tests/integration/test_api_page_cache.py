"""The API's invoice list pages are kept in memory (`api/page_cache.py`) on the real
MongoDB-wire read models: a change is seen on the very next read, by every process."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from clientsynq.portal.adapters.store import MongoReadStore
from clientsynq.portal.adapters.wiring import mongo_read_models
from portal_api_harness import Api
from portal_builders import T0, TENANT, an_invoice, version

pytestmark = pytest.mark.integration


@pytest.fixture
def store(read_store: MongoReadStore) -> MongoReadStore:
    return read_store


def _api_over(store: MongoReadStore) -> Api:
    """The API harness reading the Mongo read models: one per gunicorn worker process."""
    api = Api()
    api.read = api.deps.read = mongo_read_models(store, api.clock)
    return api


def _listed(api: Api, path: str = "/api/v1/invoices") -> list[tuple[str, str, str]]:
    response = api.call("GET", path, api.token(TENANT))
    assert response.status_code == 200
    return [(i["id"], i["balance"], i["status"]) for i in response.get_json()["data"]]


def test_a_change_is_seen_on_the_next_read_in_every_process(store: MongoReadStore):
    one, two = _api_over(store), _api_over(store)
    projection = mongo_read_models(store, one.clock)  # the worker, another process
    try:
        projection.invoices.apply(an_invoice("101", balance="100.00"), version(T0, 0))
        assert _listed(one) == _listed(two) == [("101", "100.00", "open")]
        assert _listed(one) == [("101", "100.00", "open")]  # from the cache
        assert len(one.deps.api.pages) == 1

        paid = T0 + timedelta(hours=1)
        projection.invoices.apply(an_invoice("101", balance="40.00", updated_at=paid),
                                  version(paid, 1))
        assert _listed(one) == _listed(two) == [("101", "40.00", "partially_paid")]
        projection.invoices.apply(an_invoice("102", txn="2026-06-02"), version(paid, 2))
        assert [row[0] for row in _listed(two)] == ["102", "101"]
        assert _listed(one, "/api/v1/invoices?status=partially_paid") == [
            ("101", "40.00", "partially_paid")]

        one.clock.now = datetime(2026, 7, 2, 9, tzinfo=UTC)  # past the due date, no write
        assert _listed(one)[1] == ("101", "40.00", "overdue")

        store.point_to(f"{store.base.name}_rebuilt")  # a rebuild's swap, to an empty one
        assert _listed(one) == _listed(two) == []
    finally:
        one.close()
        two.close()
        store.base.client.drop_database(f"{store.base.name}_rebuilt")
