"""The ports webhook-svc's use cases need; adapters implement them, tests fake them.

Every store is held to the same contract tests in `tests/contract/` whether it is the
MongoDB adapter or the in-memory fake, so a unit test on a fake proves what the real
adapter does.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from clientsynq.webhooks.domain.inbox import RawNotification, RealmLink, RecordedChange

Clock = Callable[[], datetime]


class NotificationInbox(Protocol):
    def add(self, notification: RawNotification) -> None:
        """Durable before we answer Intuit."""

    def set_result(self, notification_id: str, result: str) -> None: ...

    def get(self, notification_id: str) -> RawNotification | None: ...

    def pending(self, received_before: datetime, limit: int) -> Sequence[RawNotification]:
        """Notifications stored but never processed (a crash between store and record)."""

    def purge(self, now: datetime) -> int:
        """Forget notifications past their retention; returns how many."""


class ChangeLog(Protocol):
    def record(self, change: RecordedChange) -> bool:
        """Save the change and its event in one write; False if this change was seen."""

    def purge(self, now: datetime) -> int:
        """Forget dedupe keys past retention (never one whose event is still pending)."""


class RealmDirectory(Protocol):
    def apply(self, link: RealmLink) -> bool:
        """Keep the newer of what we have and `link`; True if it changed anything."""

    def tenant_for(self, realm_id: str) -> str | None:
        """The business that has this realm connected now, or None."""
