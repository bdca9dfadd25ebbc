"""The inbox ports, one contract for the MongoDB adapters and the in-memory fakes."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from clientsynq.common.events import QBO_ENTITY_CHANGED
from clientsynq.webhooks.adapters.mongo_inbox import (
    MongoChangeLog,
    MongoNotificationInbox,
    MongoRealmDirectory,
    inbox_indexes,
)
from clientsynq.webhooks.domain.inbox import RawNotification, RealmLink, RecordedChange
from clientsynq.webhooks.domain.intuit import EntityChange
from clientsynq.webhooks.services.intuit import entity_changed_event
from fakes import FakeChangeLog, FakeNotificationInbox, FakeRealmDirectory

pytestmark = pytest.mark.timeout(60)
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@dataclass
class Stores:
    inbox: Any
    changes: Any
    realms: Any
    publish_all: Callable[[], None]


@pytest.fixture(params=["fake", "mongo"])
def stores(request: pytest.FixtureRequest) -> Iterator[Stores]:
    if request.param == "fake":
        changes = FakeChangeLog()
        yield Stores(FakeNotificationInbox(), changes, FakeRealmDirectory(),
                     lambda: [changes.mark_published(k) for k in list(changes.changes)] and None)
        return
    from clientsynq.common.kafka import EventProducer
    from clientsynq.common.mongo import ensure_indexes
    from clientsynq.common.outbox import OutboxRelay

    db = request.getfixturevalue("mongo_db")
    ensure_indexes(db, inbox_indexes())
    producer = EventProducer(request.getfixturevalue("kafka_conn"))
    relay = OutboxRelay(db, ["intuit_changes"], producer)
    yield Stores(MongoNotificationInbox(db), MongoChangeLog(db), MongoRealmDirectory(db),
                 lambda: relay.relay_once() and None)
    producer.close()


def a_notification(id: str = "n1", at: datetime = T0, days: int = 30) -> RawNotification:
    return RawNotification(id=id, received_at=at, expires_at=at + timedelta(days=days),
                           body=b'{"eventNotifications": []}', signature="c2ln",
                           realm_ids=("9341453000000001",))


def a_change(entity_id: str = "130", at: datetime = T0, tenant: str = "t1") -> RecordedChange:
    change = EntityChange("9341453000000001", "Invoice", entity_id, "update", at)
    return RecordedChange(change=change, tenant_id=tenant, notification_id="n1", recorded_at=at,
                          expires_at=at + timedelta(days=7),
                          envelope=entity_changed_event(change, tenant, "n1", at))


def test_a_stored_notification_is_read_back_byte_for_byte(stores):
    stores.inbox.add(a_notification())
    found = stores.inbox.get("n1")
    assert found is not None and found.body == b'{"eventNotifications": []}'
    assert found.result == "pending" and found.realm_ids == ("9341453000000001",)


def test_pending_lists_only_unprocessed_notifications_received_before_the_cutoff(stores):
    stores.inbox.add(a_notification("old", T0))
    stores.inbox.add(a_notification("done", T0))
    stores.inbox.add(a_notification("new", T0 + timedelta(minutes=5)))
    stores.inbox.set_result("done", "processed")
    assert [n.id for n in stores.inbox.pending(T0 + timedelta(minutes=1), 10)] == ["old"]


def test_purge_forgets_notifications_past_retention_only(stores):
    stores.inbox.add(a_notification("short", T0, days=1))
    stores.inbox.add(a_notification("long", T0, days=30))
    assert stores.inbox.purge(T0 + timedelta(days=2), 10) == 1
    assert stores.inbox.get("short") is None and stores.inbox.get("long") is not None


def test_purge_removes_at_most_its_batch_per_call(stores):
    for i in range(3):
        stores.inbox.add(a_notification(f"n{i}", T0, days=1))
    assert stores.inbox.purge(T0 + timedelta(days=2), 2) == 2
    assert stores.inbox.purge(T0 + timedelta(days=2), 2) == 1
    assert stores.inbox.purge(T0 + timedelta(days=2), 2) == 0


def test_a_change_is_recorded_once(stores):
    assert stores.changes.record(a_change()) is True
    assert stores.changes.record(a_change()) is False
    assert stores.changes.record(a_change(at=T0 + timedelta(seconds=1))) is True


def test_a_change_whose_event_is_pending_is_never_purged(stores):
    stores.changes.record(a_change())
    assert stores.changes.purge(T0 + timedelta(days=30), 10) == 0
    stores.publish_all()
    assert stores.changes.purge(T0 + timedelta(days=30), 10) == 1
    assert stores.changes.record(a_change()) is True  # forgotten: a later repeat is new


def test_the_newest_connected_link_decides_the_tenant(stores):
    realm = "9341453000000001"
    assert stores.realms.tenant_for(realm) is None
    stores.realms.apply(RealmLink(realm, "t1", "connected", T0))
    assert stores.realms.tenant_for(realm) == "t1"
    assert stores.realms.apply(RealmLink(realm, "t1", "disconnected", T0 - timedelta(1))) is False
    stores.realms.apply(RealmLink(realm, "t1", "disconnected", T0 + timedelta(hours=1)))
    assert stores.realms.tenant_for(realm) is None
    stores.realms.apply(RealmLink(realm, "t2", "connected", T0 + timedelta(hours=2)))
    assert stores.realms.tenant_for(realm) == "t2"


def test_recorded_events_are_valid_entity_changed_events(stores):
    recorded = a_change()
    assert recorded.envelope["type"] == QBO_ENTITY_CHANGED
    assert recorded.envelope["data"]["notification_id"] == "n1"
