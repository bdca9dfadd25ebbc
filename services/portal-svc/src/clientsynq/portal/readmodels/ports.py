"""Ports of the read models: use cases read through them, projections write through them.

Every method takes the tenant id first and the adapters filter by it on every query: a
record of another business is simply not there. `apply_*` methods are version-guarded and
idempotent: they return False (and change nothing) for a stale or repeated snapshot.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from clientsynq.common.clock import Clock as Clock
from clientsynq.portal.domain.model import (
    CommandStatus,
    CompletedSync,
    ConnectionState,
    Customer,
    FailedSync,
    Invoice,
    Payment,
    RunningSync,
    SyncState,
)
from clientsynq.portal.domain.views import InvitationStatus, Page
from clientsynq.portal.readmodels.queries import CustomerQuery, InvoiceQuery, PaymentQuery


class InvoiceReadModel(Protocol):
    def get(self, tenant_id: str, invoice_id: str) -> Invoice | None:
        """A deleted invoice is None."""

    def page(self, tenant_id: str, query: InvoiceQuery, today: date) -> Page[Invoice]:
        """Newest transaction date first, then id: a keyset order, so rows inserted or
        updated while a client pages are never skipped or repeated."""

    def list_version(self, tenant_id: str) -> str:
        """Changes whenever anything a page of this tenant's invoices shows may have changed
        (every applied invoice, a rebuild's swap); read before the page, so a page kept under
        it is never older than it (the page cache's key, with today's date)."""

    def receivables(self, tenant_id: str, customer_ids: Collection[str]) -> list[Invoice]:
        """Invoices of those customers with a balance due (not voided, not deleted)."""

    def apply(self, invoice: Invoice, version: str) -> bool: ...


class CustomerReadModel(Protocol):
    def get(self, tenant_id: str, customer_id: str) -> Customer | None: ...

    def page(self, tenant_id: str, query: CustomerQuery) -> Page[Customer]:
        """By display name (case-insensitive), then id."""

    def count_active(self, tenant_id: str) -> int:
        """"Customers synced" as the help page means it: the active customers held."""

    def apply(self, customer: Customer, version: str) -> bool: ...


class PaymentReadModel(Protocol):
    def get(self, tenant_id: str, payment_id: str) -> Payment | None: ...

    def page(self, tenant_id: str, query: PaymentQuery) -> Page[Payment]:
        """Newest transaction date first, then id (keyset)."""

    def for_invoice(self, tenant_id: str, invoice_id: str) -> list[Payment]:
        """Live payments applied to that invoice, newest first."""

    def apply(self, payment: Payment, version: str) -> bool: ...


class ConnectionReadModel(Protocol):
    def get(self, tenant_id: str) -> ConnectionState | None: ...

    def apply(self, state: ConnectionState) -> bool:
        """Applied only if `changed_at` is newer than the stored change."""


class SyncReadModel(Protocol):
    def get(self, tenant_id: str) -> SyncState: ...

    def record_requested(self, tenant_id: str, at: datetime) -> None: ...

    def record_progress(self, tenant_id: str, run: RunningSync) -> bool:
        """Ignored once the run has completed or failed (progress may arrive late)."""

    def record_completed(self, tenant_id: str, run: CompletedSync) -> bool: ...

    def record_failed(self, tenant_id: str, run: FailedSync) -> bool: ...


class CommandReadModel(Protocol):
    def get(self, tenant_id: str, command_id: str) -> CommandStatus | None: ...

    def add(self, command: CommandStatus, envelope: Mapping[str, Any]) -> bool:
        """Save a pending command with the event asking for it (one write; outbox)."""

    def settle(self, settled: CommandStatus) -> bool:
        """Record a command's outcome; only a pending (or unknown) command changes."""


class SyncRequests(Protocol):
    """Sync Now requests, each saved with its `sync.requested` event (outbox)."""

    def latest(self, tenant_id: str) -> datetime | None: ...

    def add(self, tenant_id: str, request_id: str, requested_at: datetime,
            envelope: Mapping[str, Any]) -> bool: ...


class InvitationStatuses(Protocol):
    """Owned by the web layer (invitations); the customer list only reads statuses."""

    def statuses(self, tenant_id: str,
                 customer_ids: Collection[str]) -> Mapping[str, InvitationStatus]: ...




@dataclass(frozen=True)
class ReadModels:
    """Everything the query use cases read, plus the clock "today" comes from."""

    invoices: InvoiceReadModel
    customers: CustomerReadModel
    payments: PaymentReadModel
    connections: ConnectionReadModel
    sync: SyncReadModel
    commands: CommandReadModel
    invitations: InvitationStatuses
    clock: Clock

    def today(self) -> date:
        """Due dates are calendar dates in QBO; UTC is the portal's calendar for now."""
        return self.clock().astimezone(UTC).date()
