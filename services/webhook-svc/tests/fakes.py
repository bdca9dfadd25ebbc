"""In-memory fakes of webhook-svc's own ports (never of Kafka, pymongo or HTTP libraries).

Each fake passes the same contract tests as its MongoDB adapter (`tests/contract/`), so
what a unit test proves on a fake holds for the real thing.
"""
from __future__ import annotations

import dataclasses
import threading
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from clientsynq.webhooks.domain.deliveries import FINISHED, Delivery, Response
from clientsynq.webhooks.domain.endpoints import Endpoint, EndpointHealth
from clientsynq.webhooks.domain.inbox import RawNotification, RealmLink, RecordedChange
from clientsynq.webhooks.domain.queue import Claim, Due, Outcome, queue_key, with_outcomes


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

    def purge(self, now: datetime, limit: int) -> int:
        gone = [key for key, n in self.items.items() if n.expires_at <= now][:limit]
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

    def purge(self, now: datetime, limit: int) -> int:
        gone = [key for key, c in self.changes.items()
                if c.expires_at <= now and key in self.published][:limit]
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


class FakeEndpointStore:
    def __init__(self) -> None:
        self.endpoints: dict[str, Endpoint] = {}
        self.health: dict[str, EndpointHealth] = {}

    def add(self, endpoint: Endpoint) -> None:
        if endpoint.id in self.endpoints:
            raise KeyError(endpoint.id)
        self.endpoints[endpoint.id] = dataclasses.replace(endpoint, health=None)

    def save(self, endpoint: Endpoint) -> None:
        current = self.endpoints.get(endpoint.id)
        if current is not None and current.tenant_id == endpoint.tenant_id:
            self.endpoints[endpoint.id] = dataclasses.replace(endpoint, health=None)

    def _with_health(self, endpoint: Endpoint) -> Endpoint:
        return dataclasses.replace(endpoint, health=self.health.get(endpoint.id))

    def get(self, tenant_id: str, endpoint_id: str) -> Endpoint | None:
        found = self.endpoints.get(endpoint_id)
        return self._with_health(found) if found and found.tenant_id == tenant_id else None

    def get_any(self, endpoint_id: str) -> Endpoint | None:
        found = self.endpoints.get(endpoint_id)
        return self._with_health(found) if found else None

    def list(self, tenant_id: str) -> list[Endpoint]:
        return sorted((self._with_health(e) for e in self.endpoints.values()
                       if e.tenant_id == tenant_id), key=lambda e: e.created_at)

    def delete(self, tenant_id: str, endpoint_id: str) -> bool:
        if self.get(tenant_id, endpoint_id) is None:
            return False
        del self.endpoints[endpoint_id]
        return True

    def subscribed_ids(self, tenant_id: str, event_type: str) -> list[str]:
        return sorted(e.id for e in self.list(tenant_id) if event_type in e.event_types)

    def save_health(self, health: EndpointHealth) -> None:
        self.health[health.endpoint_id] = health

    def count_disabled(self) -> int:
        return sum(1 for e in self.endpoints.values() if self._with_health(e).is_disabled)


class FakeDeliveryStore:
    """Insert-only like the MongoDB store: a dict per collection, unique keys, one lock."""

    def __init__(self) -> None:
        self.deliveries: dict[str, Delivery] = {}
        self.queue: dict[str, Due] = {}
        self.claims: dict[str, Claim] = {}
        self.outcomes: dict[str, Outcome] = {}
        self._lock = threading.Lock()

    def add_many(self, deliveries: Sequence[Delivery]) -> int:
        with self._lock:
            new = [d for d in deliveries if d.id not in self.deliveries]
            self.deliveries.update({d.id: d for d in new})
            for d in deliveries:
                self.queue.setdefault(queue_key(d.id, 1),
                                      Due(d, 1, 0, d.next_attempt_at or d.created_at))
            return len(new)

    def get(self, tenant_id: str, delivery_id: str) -> Delivery | None:
        found = self.deliveries.get(delivery_id)
        return self._with_outcomes(found) if found and found.tenant_id == tenant_id else None

    def _with_outcomes(self, delivery: Delivery) -> Delivery:
        mine = [o for o in self.outcomes.values() if o.due.delivery.id == delivery.id]
        return with_outcomes(delivery, mine)

    def list(self, tenant_id: str, endpoint_id: str, limit: int) -> list[Delivery]:
        mine = [d for d in self.deliveries.values()
                if d.tenant_id == tenant_id and d.endpoint_id == endpoint_id]
        newest = sorted(mine, key=lambda d: d.created_at, reverse=True)[:limit]
        return [self._with_outcomes(d) for d in newest]

    def created_since(self, tenant_id: str, endpoint_id: str, since: datetime,
                      limit: int) -> list[Delivery]:
        mine = [d for d in self.deliveries.values() if d.tenant_id == tenant_id
                and d.endpoint_id == endpoint_id and d.created_at >= since]
        return sorted(mine, key=lambda d: d.created_at)[:limit]

    def _due(self, now: datetime) -> list[Due]:
        return sorted((e for e in list(self.queue.values()) if e.due_at <= now),
                      key=lambda e: e.due_at)

    def due(self, endpoint_id: str, now: datetime, limit: int) -> list[Due]:
        return [e for e in self._due(now) if e.delivery.endpoint_id == endpoint_id][:limit]

    def all_due(self, now: datetime, limit: int,
                skip_endpoints: Collection[str] = ()) -> list[Due]:
        return [e for e in self._due(now) if e.delivery.endpoint_id not in skip_endpoints][:limit]

    def claim(self, dues: Sequence[Due], claim: Claim) -> set[str]:
        with self._lock:
            won = {d.key for d in dues if d.key not in self.claims}
            self.claims.update({key: claim for key in won})
            return won

    def claim_of(self, key: str) -> Claim | None:
        return self.claims.get(key)

    def finish(self, outcomes: Sequence[Outcome], delete: bool = True) -> set[str]:
        with self._lock:
            recorded = {o.due.key for o in outcomes if o.due.key not in self.outcomes}
            for outcome in outcomes:
                stored = self.outcomes.setdefault(outcome.due.key, outcome)
                follow = dataclasses.replace(stored, due=outcome.due).next
                if follow is not None:
                    self.queue.setdefault(follow.key, follow)
            if delete:
                for outcome in outcomes:
                    self.queue.pop(outcome.due.key, None)
            return recorded

    def forget(self, keys: Sequence[str]) -> None:
        with self._lock:
            for key in keys:
                self.queue.pop(key, None)

    def purge(self, finished_before: datetime, limit: int) -> int:
        with self._lock:
            finals = [o for o in self.outcomes.values()
                      if o.status in FINISHED and o.at <= finished_before][:limit]
            for final in finals:
                keys = [queue_key(final.due.delivery.id, n) for n in range(1, final.due.number + 1)]
                for key in keys:
                    self.claims.pop(key, None)
                    self.queue.pop(key, None)
                    self.outcomes.pop(key, None)
                self.deliveries.pop(final.due.delivery.id, None)
            return len(finals)

    def queue_stats(self, now: datetime) -> tuple[int, datetime | None]:
        due = self._due(now)
        return len(due), due[0].due_at if due else None


class FakeSender:
    """Answers per URL from a script: a status, or a callable(url, headers, body)."""

    def __init__(self, default: Response | None = None) -> None:
        self.default = default or Response(status=200, latency_ms=3.0)
        self.answers: dict[str, Any] = {}
        self.sent: list[tuple[str, dict[str, str], bytes]] = []
        self._lock = threading.Lock()

    def send(self, url: str, headers: Mapping[str, str], body: bytes,
             timeout_seconds: float) -> Response:
        with self._lock:
            self.sent.append((url, dict(headers), body))
        answer = self.answers.get(url, self.default)
        return answer(url, headers, body) if callable(answer) else answer


class FakeMailer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to: str, subject: str, body: str) -> None:
        self.sent.append((to, subject, body))


class FakeOwners:
    """Owners per business; an unknown business has none (as auth-svc answers)."""

    def __init__(self, owners: dict[str, list[str]] | None = None) -> None:
        self.owners = owners or {}

    def owner_emails(self, tenant_id: str) -> list[str]:
        return list(self.owners.get(tenant_id, []))


class FakeLeases:
    """Shared by several dispatchers in a test: one holder per endpoint, like the real one."""

    def __init__(self, holders: dict[str, str] | None = None, me: str = "a") -> None:
        self.holders = holders if holders is not None else {}
        self.me = me

    def hold(self, endpoint_id: str) -> bool:
        return self.holders.setdefault(endpoint_id, self.me) == self.me

    def is_held(self, endpoint_id: str) -> bool:
        return self.holders.get(endpoint_id) == self.me

    def release_all(self) -> None:
        for key in [k for k, v in self.holders.items() if v == self.me]:
            del self.holders[key]
