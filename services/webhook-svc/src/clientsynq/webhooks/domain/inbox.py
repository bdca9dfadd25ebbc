"""What the Intuit inbox keeps: each raw notification as it came, and each change once."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from clientsynq.webhooks.domain.intuit import EntityChange

RESULTS = ("pending", "processed", "unknown_realm", "ignored")


@dataclass(frozen=True)
class RawNotification:
    """Kept for replay and audit until `expires_at`; the body is the exact signed bytes."""

    id: str
    received_at: datetime
    expires_at: datetime
    body: bytes = field(repr=False)
    signature: str = field(repr=False)
    result: str = "pending"
    realm_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordedChange:
    """A change accepted for one business, with the event that announces it (outbox)."""

    change: EntityChange
    tenant_id: str
    notification_id: str
    recorded_at: datetime
    expires_at: datetime
    envelope: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class RealmLink:
    """Which business a QuickBooks company belongs to, as connection.changed last said."""

    realm_id: str
    tenant_id: str
    status: str
    changed_at: datetime

    @property
    def is_connected(self) -> bool:
        return self.status == "connected"
