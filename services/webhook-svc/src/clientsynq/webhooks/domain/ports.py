"""The ports webhook-svc's use cases need; adapters implement them, tests fake them.

Every store is held to the same contract tests in `tests/contract/` whether it is the
MongoDB adapter or the in-memory fake, so a unit test on a fake proves what the real
adapter does.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from clientsynq.common.clock import Clock as Clock
from clientsynq.webhooks.domain.deliveries import Delivery, Response
from clientsynq.webhooks.domain.endpoints import Endpoint, EndpointHealth
from clientsynq.webhooks.domain.inbox import RawNotification, RealmLink, RecordedChange
from clientsynq.webhooks.domain.queue import Claim, Due, Outcome


class NotificationInbox(Protocol):
    def add(self, notification: RawNotification) -> None:
        """Durable before we answer Intuit."""

    def set_result(self, notification_id: str, result: str) -> None: ...

    def get(self, notification_id: str) -> RawNotification | None: ...

    def pending(self, received_before: datetime, limit: int) -> Sequence[RawNotification]:
        """Notifications stored but never processed (a crash between store and record)."""

    def purge(self, now: datetime, limit: int) -> int:
        """Forget up to `limit` notifications past their retention; returns how many."""


class ChangeLog(Protocol):
    def record(self, change: RecordedChange) -> bool:
        """Save the change and its event in one write; False if this change was seen."""

    def purge(self, now: datetime, limit: int) -> int:
        """Forget up to `limit` dedupe keys past retention (never one whose event is still
        pending): the dedupe window is the retention."""


class RealmDirectory(Protocol):
    def apply(self, link: RealmLink) -> bool:
        """Keep the newer of what we have and `link`; True if it changed anything."""

    def tenant_for(self, realm_id: str) -> str | None:
        """The business that has this realm connected now, or None."""


class EndpointStore(Protocol):
    """Every method filters by tenant, except `get_any` used by the delivery worker, which
    acts for whichever business owns the delivery it holds."""

    def add(self, endpoint: Endpoint) -> None: ...

    def save(self, endpoint: Endpoint) -> None:
        """Replace the owner-edited fields (never the health, which the worker owns)."""

    def get(self, tenant_id: str, endpoint_id: str) -> Endpoint | None: ...

    def get_any(self, endpoint_id: str) -> Endpoint | None: ...

    def list(self, tenant_id: str) -> Sequence[Endpoint]: ...

    def delete(self, tenant_id: str, endpoint_id: str) -> bool: ...

    def subscribed_ids(self, tenant_id: str, event_type: str) -> Sequence[str]:
        """Endpoints of the business that take this event type. Paused and disabled ones
        included: their deliveries wait for the resume. Ids only: this runs per event."""

    def save_health(self, health: EndpointHealth) -> None:
        """Only the worker holding the endpoint's lease calls this."""

    def count_disabled(self) -> int: ...


class DeliveryStore(Protocol):
    """Insert-only (see `domain/queue.py`): deliveries, their queue entries, claims and
    outcomes are each written once; only a queue entry is ever deleted."""

    def add_many(self, deliveries: Sequence[Delivery]) -> int:
        """Insert each delivery and its first queue entry; an id that exists is skipped
        (fan-out is replayed after a crash). Returns how many deliveries were new."""

    def get(self, tenant_id: str, delivery_id: str) -> Delivery | None:
        """With its attempts, status and next time."""

    def list(self, tenant_id: str, endpoint_id: str, limit: int) -> Sequence[Delivery]:
        """Newest first, with attempts."""

    def created_since(self, tenant_id: str, endpoint_id: str, since: datetime,
                      limit: int) -> Sequence[Delivery]:
        """Oldest first; without attempts (replay needs only the messages)."""

    def due(self, endpoint_id: str, now: datetime, limit: int) -> Sequence[Due]:
        """The endpoint's queue entries whose time has come, oldest first."""

    def all_due(self, now: datetime, limit: int,
                skip_endpoints: Collection[str] = ()) -> Sequence[Due]:
        """Due queue entries, oldest first, of every endpoint but the skipped ones (busy,
        paused, leased elsewhere): one query per dispatch round."""

    def claim(self, dues: Sequence[Due], claim: Claim) -> set[str]:
        """Insert a claim per entry; returns the keys this call won (unique `_id`: of
        several replicas claiming one attempt, exactly one wins)."""

    def claim_of(self, key: str) -> Claim | None: ...

    def finish(self, outcomes: Sequence[Outcome], delete: bool = True) -> set[str]:
        """Record each outcome once, queue the next attempt, delete the entry (unless
        `delete` is False: the caller deletes it later with `forget`). An outcome already
        recorded for a key wins over the one given (its transition is completed again,
        harmlessly). Returns the keys whose outcome this call recorded."""

    def forget(self, keys: Sequence[str]) -> None:
        """Delete queue entries whose outcomes `finish` recorded (an entry left behind by a
        crash is completed like any other: its claim is taken, its outcome recorded)."""

    def purge(self, finished_before: datetime, limit: int) -> int:
        """Forget up to `limit` deliveries (with their claims and outcomes) whose final
        outcome was decided at or before `finished_before`; never one still pending.
        Returns how many."""

    def queue_stats(self, now: datetime) -> tuple[int, datetime | None]:
        """(queue entries due now, the oldest due time)."""


class LegacyDeliveries(Protocol):
    """Deliveries an older version stored in another format (`adapters/legacy_deliveries.py`)."""

    def migrate(self, now: datetime, settle_seconds: float, limit: int) -> int:
        """Take up to `limit` pending ones over into the queue; returns how many."""


class Sender(Protocol):
    def send(self, url: str, headers: Mapping[str, str], body: bytes,
             timeout_seconds: float) -> Response:
        """POST without following redirects; the address is checked first (SSRF), and a
        refused address is a failed Response, not an exception."""


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


class OwnerDirectory(Protocol):
    """Who owns a business: only auth-svc knows the people, so it is asked when needed."""

    def owner_emails(self, tenant_id: str) -> Sequence[str]: ...


class EndpointLeases(Protocol):
    """At most one replica delivers for an endpoint at a time."""

    def hold(self, endpoint_id: str) -> bool:
        """Take or keep the endpoint's lease; False if another replica holds it."""

    def is_held(self, endpoint_id: str) -> bool: ...

    def release_all(self) -> None: ...
