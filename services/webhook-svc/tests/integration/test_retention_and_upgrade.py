"""The worker's sweep on the MongoDB-wire server, time injected (nothing waits for it):
retention forgets finished deliveries and expired inbox entries and never a pending
delivery; a pending delivery stored in the format before the insert-only queue is taken
over and delivered exactly once, its old attempts kept in the log."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from clientsynq.common.crypto import KeyRing, generate_key
from clientsynq.common.mongo import ensure_indexes
from clientsynq.webhooks.adapters.legacy_deliveries import MongoLegacyDeliveries
from clientsynq.webhooks.adapters.mongo_deliveries import MongoDeliveryStore, delivery_indexes
from clientsynq.webhooks.adapters.mongo_endpoints import MongoEndpointStore, endpoint_indexes
from clientsynq.webhooks.adapters.mongo_inbox import (
    MongoChangeLog,
    MongoNotificationInbox,
    MongoRealmDirectory,
    inbox_indexes,
)
from clientsynq.webhooks.config import DeliverySettings
from clientsynq.webhooks.domain.deliveries import DELIVERED, PENDING, Response
from clientsynq.webhooks.domain.inbox import RawNotification
from clientsynq.webhooks.domain.intuit_signature import VerifierTokens
from clientsynq.webhooks.services.endpoints import list_deliveries
from clientsynq.webhooks.services.intuit import IntuitInbound
from clientsynq.webhooks.services.outbound import Outbound
from clientsynq.webhooks.services.retention import Sweep
from fakes import FakeClock, FakeMailer, FakeOwners, FakeSender
from outbound_builders import a_delivery, a_dispatcher, an_endpoint, run_due

pytestmark = pytest.mark.timeout(120)
DAY = 86400.0


class World:
    def __init__(self, db: Any) -> None:
        self.db, self.clock, self.sender = db, FakeClock(), FakeSender()
        keys = KeyRing.from_spec(f"k1:{generate_key()}", "k1")
        self.outbound = Outbound(
            endpoints=MongoEndpointStore(db, keys), deliveries=MongoDeliveryStore(db),
            sender=self.sender, mailer=FakeMailer(), clock=self.clock,
            settings=DeliverySettings(timeout_seconds=15, claim_grace_seconds=60),
            owners=FakeOwners(), random=lambda: 0.5)
        self.intuit = IntuitInbound(
            tokens=VerifierTokens("token"), inbox=MongoNotificationInbox(db),
            changes=MongoChangeLog(db), realms=MongoRealmDirectory(db), clock=self.clock,
            retention=timedelta(days=30))
        self.sweep = Sweep(self.intuit, self.outbound, MongoLegacyDeliveries(db),
                           delivery_retention_seconds=30 * DAY, reprocess_after_seconds=30)
        self.dispatcher = a_dispatcher(self.outbound)

    def log(self, endpoint_id: str) -> dict[str, tuple[str, list[int | None]]]:
        return {d.id: (d.status, [a.status for a in d.attempts])
                for d in list_deliveries(self.outbound, "tenant-1", endpoint_id, 50)}


@pytest.fixture(scope="module")
def shared_db(mongo_client: Any) -> Iterator[Any]:
    """One database for this module: its indexes take seconds to create on FerretDB. The
    tests use endpoints of their own, so they cannot see each other's deliveries."""
    db = mongo_client[f"test_{uuid.uuid4().hex[:12]}"]
    ensure_indexes(db, {**inbox_indexes(), **endpoint_indexes(), **delivery_indexes()})
    yield db
    mongo_client.drop_database(db.name)


@pytest.fixture
def world(shared_db: Any) -> World:
    return World(shared_db)


def test_the_sweep_forgets_finished_deliveries_past_retention_and_nothing_pending(world):
    good = an_endpoint(world.outbound)
    down = an_endpoint(world.outbound)
    world.sender.answers[down.url] = Response(status=500, latency_ms=2.0)
    old = a_delivery(world.outbound, good)
    retrying = a_delivery(world.outbound, down)
    world.intuit.inbox.add(RawNotification(id="n1", received_at=world.clock(),
                                           expires_at=world.clock() + timedelta(days=30),
                                           body=b"{}", signature="c2ln"))
    run_due(world.dispatcher)
    world.clock.advance(days=29)
    recent = a_delivery(world.outbound, good)
    run_due(world.dispatcher)
    world.clock.advance(days=2)
    swept = world.sweep.once()
    assert swept["notifications"] == 1 and swept["deliveries"] >= 1  # (others' in this db)
    assert world.log(good.id) == {recent.id: (DELIVERED, [200])}
    assert world.log(down.id) == {retrying.id: (PENDING, [500, 500])}  # retrying: kept
    assert world.outbound.deliveries.get("tenant-1", old.id) is None
    assert world.intuit.inbox.get("n1") is None
    assert set(world.sweep.once().values()) == {0}  # nothing left to do
    assert world.log(good.id) == {recent.id: (DELIVERED, [200])}


def old_format_pending(world: World, endpoint_id: str, id: str = "legacy-1") -> dict[str, Any]:
    """A delivery as the version before the insert-only queue stored it: failed once."""
    then = world.clock() - timedelta(hours=1)
    doc = {"_id": id, "tenant_id": "tenant-1", "endpoint_id": endpoint_id,
           "message_id": "msg_legacy", "event_type": "invoice.updated",
           "payload": '{"type":"invoice.updated"}', "created_at": then,
           "next_attempt_at": world.clock() - timedelta(minutes=1), "status": PENDING,
           "attempts": [{"number": 1, "at": then, "status": 500, "latency_ms": 3.0,
                         "outcome": "failed", "excerpt": "", "error": None}]}
    world.db["deliveries"].insert_one(doc)
    return doc


def test_a_pending_delivery_of_the_old_format_is_delivered_exactly_once(world):
    endpoint = an_endpoint(world.outbound)
    old_format_pending(world, endpoint.id)
    assert run_due(world.dispatcher) == 0  # the queue does not know it yet
    assert world.log(endpoint.id) == {"legacy-1": (PENDING, [500])}
    assert world.sweep.once()["legacy_migrated"] == 0  # step 1: old workers stop seeing it
    assert run_due(world.dispatcher) == 0
    assert world.log(endpoint.id) == {"legacy-1": (PENDING, [500])}
    world.clock.advance(seconds=15 + 60 + 1)  # past the settle time
    assert world.sweep.once()["legacy_migrated"] == 1  # step 2: queued as attempt 2
    assert world.sweep.once()["legacy_migrated"] == 0
    run_due(world.dispatcher)
    run_due(world.dispatcher)
    assert [h["webhook-id"] for _, h, _ in world.sender.sent] == ["msg_legacy"]
    assert world.log(endpoint.id) == {"legacy-1": (DELIVERED, [500, 200])}
    assert world.db["deliveries"].find_one({"_id": "legacy-1"}).get("status") is None


def test_an_old_version_still_running_restarts_the_takeover_and_old_finished_ones_expire(
        world):
    """A rolling upgrade: an old-version worker records an attempt during the settle time
    (setting `status` again); the takeover starts over and queues the attempt after it."""
    endpoint = an_endpoint(world.outbound)
    legacy, deliveries = MongoLegacyDeliveries(world.db), world.db["deliveries"]
    doc = old_format_pending(world, endpoint.id, "legacy-2")
    done = {**doc, "_id": "legacy-3", "status": DELIVERED}
    deliveries.insert_one(done)
    assert legacy.migrate(world.clock(), 75, 10) == 0  # step 1
    second = {**doc["attempts"][0], "number": 2, "at": world.clock()}
    deliveries.update_one({"_id": "legacy-2"}, {"$set": {  # the old worker's record lands
        "status": PENDING, "attempts": [*doc["attempts"], second],
        "next_attempt_at": world.clock() + timedelta(minutes=5)}})
    world.clock.advance(seconds=76)
    assert legacy.migrate(world.clock(), 75, 10) == 0  # not settled: step 1 again
    world.clock.advance(seconds=76)
    assert legacy.migrate(world.clock(), 75, 10) == 1
    (entry,) = world.outbound.deliveries.due(endpoint.id, world.clock() + timedelta(hours=1),
                                             10)
    assert (entry.key, entry.sent_before) == ("legacy-2#3", 2)
    assert world.log(endpoint.id) == {"legacy-2": (PENDING, [500, 500]),
                                      "legacy-3": (DELIVERED, [500])}
    assert world.outbound.deliveries.purge(world.clock(), 10) >= 1
    assert world.log(endpoint.id) == {"legacy-2": (PENDING, [500, 500])}
