"""In-memory fakes of webhook-svc's own ports (never of Kafka, pymongo or HTTP libraries).

Each fake passes the same contract tests as its MongoDB adapter (`tests/contract/`), so
what a unit test proves on a fake holds for the real thing.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from clientsynq.webhooks.domain.inbox import RawNotification, RealmLink, RecordedChange


class FakeClock:
    """Time that moves only when a test says so."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class FakeNotificationInbox:
    def __init__(self) -> None:
        self.items: dict[str, RawNotification] = {}

    def add(self, notification: RawNotification) -> None:
        if notification.id in self.items:
            raise KeyError(notification.id)
        self.items[notification.id] = notification

    def set_result(self, notification_id: str, result: str) -> None:
        if notification_id in self.items:
            self.items[notification_id] = dataclasses.replace(self.items[notification_id],
                                                              result=result)

    def get(self, notification_id: str) -> RawNotification | None:
        return self.items.get(notification_id)

    def pending(self, received_before: datetime, limit: int) -> Sequence[RawNotification]:
        found = sorted((n for n in self.items.values()
                        if n.result == "pending" and n.received_at < received_before),
                       key=lambda n: n.received_at)
        return found[:limit]

    def purge(self, now: datetime) -> int:
        gone = [key for key, n in self.items.items() if n.expires_at <= now]
        for key in gone:
            del self.items[key]
        return len(gone)


class FakeChangeLog:
    """`published` stands for the relay having sent an entry (the real one flips a flag)."""

    def __init__(self) -> None:
        self.changes: dict[str, RecordedChange] = {}
        self.published: set[str] = set()

    def record(self, change: RecordedChange) -> bool:
        key = change.change.dedupe_key
        if key in self.changes:
            return False
        self.changes[key] = change
        return True

    def pending_envelopes(self) -> list[dict[str, object]]:
        return [c.envelope for key, c in self.changes.items() if key not in self.published]

    def mark_published(self, key: str) -> None:
        self.published.add(key)

    def purge(self, now: datetime) -> int:
        gone = [key for key, c in self.changes.items()
                if c.expires_at <= now and key in self.published]
        for key in gone:
            del self.changes[key]
        return len(gone)


class FakeRealmDirectory:
    def __init__(self) -> None:
        self.links: dict[tuple[str, str], RealmLink] = {}

    def apply(self, link: RealmLink) -> bool:
        key = (link.tenant_id, link.realm_id)
        current = self.links.get(key)
        if current is not None and current.changed_at >= link.changed_at:
            return False
        self.links[key] = link
        return True

    def tenant_for(self, realm_id: str) -> str | None:
        connected = [link for link in self.links.values()
                     if link.realm_id == realm_id and link.is_connected]
        if not connected:
            return None
        return max(connected, key=lambda link: link.changed_at).tenant_id
