"""Endpoint and delivery stores: one contract for the MongoDB adapters and the fakes."""
from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from clientsynq.common.crypto import KeyRing, generate_key
from clientsynq.webhooks.adapters.mongo_deliveries import MongoDeliveryStore, delivery_indexes
from clientsynq.webhooks.adapters.mongo_endpoints import MongoEndpointStore, endpoint_indexes
from clientsynq.webhooks.config import DeliverySettings
from clientsynq.webhooks.domain.deliveries import (
    CANCELLED,
    DELIVERED,
    PENDING,
    Attempt,
    Delivery,
    Response,
)
from clientsynq.webhooks.domain.endpoints import (
    Endpoint,
    EndpointHealth,
    EndpointSecret,
    new_signing_secret,
)
from clientsynq.webhooks.domain.queue import Claim, after_response, new_claim, not_sent
from clientsynq.webhooks.services.outbound import Outbound, cancel_pending
from fakes import FakeDeliveryStore, FakeEndpointStore, FakeMailer, FakeOwners, FakeSender

pytestmark = pytest.mark.timeout(60)
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["fake", "mongo"])
def stores(request):
    if request.param == "fake":
        return FakeEndpointStore(), FakeDeliveryStore()
    from clientsynq.common.mongo import ensure_indexes

    db = request.getfixturevalue("mongo_db")
    ensure_indexes(db, {**endpoint_indexes(), **delivery_indexes()})
    keys = KeyRing.from_spec(f"k1:{generate_key()}", "k1")
    return MongoEndpointStore(db, keys), MongoDeliveryStore(db)


def an_endpoint(tenant: str = "t1", types=("invoice.updated",)) -> Endpoint:
    return Endpoint(id="ep_" + uuid.uuid4().hex[:8], tenant_id=tenant,
                    url="https://hooks.example.com/x", description="d", event_types=types,
                    secrets=(EndpointSecret(new_signing_secret(), T0),), created_at=T0,
                    updated_at=T0)


def a_delivery(endpoint: Endpoint, at: datetime = T0, id: str | None = None) -> Delivery:
    return Delivery(id=id or uuid.uuid4().hex, tenant_id=endpoint.tenant_id,
                    endpoint_id=endpoint.id, message_id="msg_1", event_type="invoice.updated",
                    payload='{"a":1}', created_at=at, next_attempt_at=at)


def test_an_endpoint_reads_back_with_its_secrets_and_only_for_its_tenant(stores):
    endpoints, _ = stores
    endpoint = an_endpoint()
    endpoints.add(endpoint)
    found = endpoints.get("t1", endpoint.id)
    assert found.secrets == endpoint.secrets and found.state == "active"
    assert endpoints.get("t2", endpoint.id) is None and endpoints.list("t2") == []
    assert endpoints.get_any(endpoint.id).id == endpoint.id


def test_save_keeps_health_which_only_the_worker_writes(stores):
    endpoints, _ = stores
    endpoint = an_endpoint()
    endpoints.add(endpoint)
    endpoints.save_health(EndpointHealth(endpoint.id, "t1", failing_since=T0, disabled_at=T0))
    endpoints.save(dataclasses.replace(endpoint, description="new"))
    found = endpoints.get("t1", endpoint.id)
    assert found.description == "new" and found.state == "disabled"
    assert endpoints.subscribed_ids("t1", "invoice.updated") == [endpoint.id]  # queued
    assert endpoints.count_disabled() == 1
    endpoints.save(dataclasses.replace(found, resumed_at=T0 + timedelta(seconds=1)))
    assert endpoints.get("t1", endpoint.id).state == "active"


def test_subscribed_filters_by_tenant_and_type_and_delete_by_tenant(stores):
    endpoints, _ = stores
    mine, other = an_endpoint(), an_endpoint("t2")
    endpoints.add(mine)
    endpoints.add(other)
    assert endpoints.subscribed_ids("t1", "invoice.updated") == [mine.id]
    assert endpoints.subscribed_ids("t1", "payment.recorded") == []
    assert endpoints.delete("t2", mine.id) is False
    assert endpoints.delete("t1", mine.id) is True and endpoints.get("t1", mine.id) is None


def test_deliveries_are_added_once_and_due_in_order(stores):
    _, deliveries = stores
    endpoint = an_endpoint()
    first = a_delivery(endpoint, T0, "d1")
    later = a_delivery(endpoint, T0 + timedelta(seconds=5), "d2")
    assert deliveries.add_many([first, later]) == 2
    assert deliveries.add_many([first]) == 0
    assert [d.key for d in deliveries.due(endpoint.id, T0, 10)] == ["d1#1"]
    assert [d.delivery.id for d in deliveries.due(endpoint.id, T0 + timedelta(seconds=9),
                                                  10)] == ["d1", "d2"]
    (entry,) = deliveries.all_due(T0 + timedelta(seconds=9), 1)
    assert (entry.key, entry.number, entry.sent_before) == ("d1#1", 1, 0)
    assert entry.delivery.payload == '{"a":1}' and entry.delivery.message_id == "msg_1"
    assert deliveries.all_due(T0 + timedelta(seconds=9), 5, skip_endpoints={endpoint.id}) == []
    assert deliveries.queue_stats(T0 + timedelta(seconds=9)) == (2, T0)


def a_claim(holder: str = "a") -> Claim:
    return new_claim(holder, T0, timeout=15, grace=60)


def test_of_two_claims_on_one_attempt_exactly_one_wins(stores):
    _, deliveries = stores
    endpoint = an_endpoint()
    deliveries.add_many([a_delivery(endpoint, T0, "d1"), a_delivery(endpoint, T0, "d2")])
    entries = deliveries.due(endpoint.id, T0, 10)
    assert deliveries.claim(entries[:1], a_claim("a")) == {"d1#1"}
    assert deliveries.claim(entries, a_claim("b")) == {"d2#1"}
    assert deliveries.claim_of("d1#1") == a_claim("a")
    assert deliveries.claim_of("d9#1") is None


def _one_queued(stores):
    """One delivery of a new endpoint, stored and due now: (store, endpoint, delivery, entry)."""
    _, deliveries = stores
    endpoint = an_endpoint()
    delivery = a_delivery(endpoint)
    deliveries.add_many([delivery])
    (entry,) = deliveries.due(endpoint.id, T0, 10)
    return deliveries, endpoint, delivery, entry


def _delivered(entry):
    return after_response(entry, Response(200, 12.5, "ok"), T0, 15, (0, 5), 0.1, lambda: .5)


def test_a_recorded_attempt_reads_back_and_leaves_the_queue(stores):
    deliveries, endpoint, delivery, entry = _one_queued(stores)
    outcome = _delivered(entry)
    assert deliveries.finish([outcome]) == {entry.key}
    found = deliveries.get("t1", delivery.id)
    assert found.attempts == (Attempt(1, T0, 200, 12.5, DELIVERED, "ok", None),)
    assert found.status == DELIVERED and found.next_attempt_at is None
    assert deliveries.due(endpoint.id, T0 + timedelta(days=1), 10) == []
    assert deliveries.get("t2", delivery.id) is None
    assert [d.status for d in deliveries.list("t1", endpoint.id, 5)] == [DELIVERED]


def test_an_entry_recorded_without_delete_stays_queued_until_forgotten(stores):
    deliveries, endpoint, delivery, entry = _one_queued(stores)
    outcome = _delivered(entry)
    assert deliveries.finish([outcome], delete=False) == {entry.key}
    assert deliveries.get("t1", delivery.id).status == DELIVERED
    assert [d.key for d in deliveries.due(endpoint.id, T0, 10)] == [entry.key]
    deliveries.forget([entry.key])
    assert deliveries.due(endpoint.id, T0, 10) == []


def test_a_retry_queues_the_next_attempt_and_the_first_outcome_recorded_wins(stores):
    deliveries, endpoint, delivery, entry = _one_queued(stores)
    failed = after_response(entry, Response(500, 3.0), T0, 15, (0, 5), 0.0, lambda: .5)
    late = after_response(entry, Response(200, 3.0), T0, 15, (0, 5), 0.0, lambda: .5)
    assert deliveries.finish([failed]) == {entry.key}
    assert deliveries.finish([late]) == set()  # recorded already: the first one stands
    assert deliveries.due(endpoint.id, T0 + timedelta(seconds=4), 10) == []
    (retry,) = deliveries.due(endpoint.id, T0 + timedelta(seconds=5), 10)
    assert (retry.number, retry.sent_before) == (2, 1)
    found = deliveries.get("t1", delivery.id)
    assert found.status == PENDING and found.next_attempt_at == T0 + timedelta(seconds=5)
    assert [a.status for a in found.attempts] == [500]
    assert deliveries.queue_stats(T0 + timedelta(seconds=5)) == (1, T0 + timedelta(seconds=5))


def test_an_attempt_not_sent_is_logged_without_an_attempt_and_comes_again(stores):
    deliveries, endpoint, delivery, entry = _one_queued(stores)
    deliveries.finish([not_sent(entry, T0)])
    (again,) = deliveries.due(endpoint.id, T0, 10)
    assert (again.number, again.sent_before) == (2, 0)
    assert deliveries.get("t1", delivery.id).attempts == ()


def test_listing_is_newest_first_and_since_is_oldest_first(stores):
    _, deliveries = stores
    endpoint = an_endpoint()
    for i in range(3):
        deliveries.add_many([a_delivery(endpoint, T0 + timedelta(minutes=i), f"d{i}")])
    assert [d.id for d in deliveries.list("t1", endpoint.id, 2)] == ["d2", "d1"]
    since = deliveries.created_since("t1", endpoint.id, T0 + timedelta(minutes=1), 10)
    assert [d.id for d in since] == ["d1", "d2"]
    assert deliveries.list("t2", endpoint.id, 10) == []


def test_retention_forgets_finished_deliveries_only_and_a_second_purge_does_nothing(stores):
    _, deliveries = stores
    endpoint = an_endpoint()
    ok, retrying, recent, waiting = (a_delivery(endpoint, T0, f"r{i}") for i in range(4))
    deliveries.add_many([ok, retrying, recent, waiting])
    entries = {e.delivery.id: e for e in deliveries.due(endpoint.id, T0, 10)}
    deliveries.claim(list(entries.values()), a_claim())

    def answer(entry, status, at):
        return after_response(entry, Response(status, 3.0), at, 15, (0, 5), 0.0, lambda: .5)
    deliveries.finish([answer(entries["r0"], 200, T0), answer(entries["r1"], 500, T0),
                       answer(entries["r2"], 200, T0 + timedelta(days=2))])
    assert deliveries.purge(T0 + timedelta(days=1), 10) == 1
    assert deliveries.get("t1", "r0") is None and deliveries.claim_of("r0#1") is None
    assert deliveries.get("t1", "r1").status == PENDING  # retrying: kept, however old
    assert [d.key for d in deliveries.due(endpoint.id, T0 + timedelta(days=1), 10)] \
        == ["r3#1", "r1#2"]
    assert {d.id: d.status for d in deliveries.list("t1", endpoint.id, 10)} == {
        "r1": PENDING, "r2": DELIVERED, "r3": PENDING}
    assert deliveries.purge(T0 + timedelta(days=1), 10) == 0


def test_cancelling_reaches_attempts_due_later_and_leaves_one_claimed_elsewhere(stores):
    endpoints, deliveries = stores
    endpoint = an_endpoint()
    endpoints.add(endpoint)
    later, due, in_flight = (a_delivery(endpoint, T0 + timedelta(hours=10)), a_delivery(endpoint),
                             a_delivery(endpoint))
    deliveries.add_many([later, due, in_flight])
    (flying,) = [d for d in deliveries.due(endpoint.id, T0, 10) if d.delivery.id == in_flight.id]
    deliveries.claim([flying], new_claim("replica-2", T0, 15, 60))
    deps = Outbound(endpoints, deliveries, FakeSender(), FakeMailer(), lambda: T0,
                    DeliverySettings(), FakeOwners())
    assert cancel_pending(deps, endpoint.id, "api/host") == 2
    status = {d.id: deliveries.get("t1", d.id).status for d in (later, due, in_flight)}
    assert status == {later.id: CANCELLED, due.id: CANCELLED, in_flight.id: PENDING}
