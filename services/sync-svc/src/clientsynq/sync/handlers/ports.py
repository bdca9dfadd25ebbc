"""What the handlers need from the outside, defined on the inside (issue 9). Bootstrap's
`WorkerDeps` implements `HandlerDeps` (mypy checks it where the worker hands it over), so
handlers name no adapter and not the composition root, and a unit test can hand them
in-memory fakes. QuickBooks is the engine's `Realm` plus reading one entity and creating
one; runs, tenants and payment links are the engine's own ports."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol

from clientsynq.sync.config import Settings
from clientsynq.sync.domain.model import RecordedConnection, TenantState
from clientsynq.sync.engine import PageContext
from clientsynq.sync.engine.ports import Link, PaymentLinkMemory, Realm, Runs, Tenants

Envelope = dict[str, Any]


class Company(Realm, Protocol):
    """One tenant's company, as a webhook fetch or a Pro write sees it."""

    def read(self, entity: str, entity_id: str) -> dict[str, Any]: ...

    def create(self, entity: str, payload: Mapping[str, Any], request_id: str,
               attempts: int | None = None) -> dict[str, Any]: ...


class Companies(Protocol):
    def for_tenant(self, tenant_id: str) -> Company: ...


class Ledger(Protocol):
    """The write-command ledger: a command settles once (states: domain.command_status)."""

    def begin(self, tenant_id: str, command_id: str, command_type: str,
              envelope: Mapping[str, Any], now: datetime) -> dict[str, Any] | None: ...
    def attempt(self, tenant_id: str, command_id: str, now: datetime) -> int: ...
    def unknown(self, tenant_id: str, command_id: str, why: str, now: datetime) -> None: ...
    def succeed(self, tenant_id: str, command_id: str, qbo_id: str, resolved_by: str,
                envelopes: list[Envelope], now: datetime) -> None: ...
    def fail(self, tenant_id: str, command_id: str, reason: str, code: str | None,
             envelopes: list[Envelope], now: datetime) -> None: ...
    def due(self, tenant_id: str, now: datetime, limit: int = 20) -> list[dict[str, Any]]: ...
    def due_across(self, now: datetime, page: int = 100) -> Iterator[dict[str, Any]]: ...


class TenantRecords(Tenants, Protocol):
    def record_connection(self, tenant_id: str, realm_id: str, status: str,
                          company_name: str | None, changed_at: datetime
                          ) -> RecordedConnection | None: ...
    def connected(self) -> list[TenantState]: ...


class TenantPlan(Protocol):
    @property
    def plan(self) -> str: ...


class Plans(Protocol):
    def tenant(self, tenant_id: str) -> TenantPlan:
        """Raises TenantNotKnown for a tenant auth-svc no longer knows."""


class PublishedRows(Protocol):
    @property
    def customers(self) -> list[str]: ...
    @property
    def links(self) -> list[Link]: ...


class RowPublisher(Protocol):
    def publish_rows(self, rows: list[dict[str, Any]], ctx: PageContext) -> PublishedRows: ...


class Names(Protocol):
    """A realm's Term and PaymentMethod names, which snapshots carry by name."""

    def names(self, conn: Realm) -> dict[str, str]: ...
    def methods(self, conn: Realm) -> dict[str, str]: ...


class EventPublisher(Protocol):
    def publish(self, envelope: Mapping[str, Any]) -> None: ...


class Stores(Protocol):
    @property
    def runs(self) -> Runs: ...
    @property
    def tenants(self) -> TenantRecords: ...
    @property
    def tokens(self) -> Plans: ...


class HandlerDeps(Protocol):
    @property
    def base(self) -> Stores: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def qbo(self) -> Companies: ...
    @property
    def ledger(self) -> Ledger: ...
    @property
    def links(self) -> PaymentLinkMemory: ...
    @property
    def publisher(self) -> RowPublisher: ...
    @property
    def terms(self) -> Names: ...
    @property
    def producer(self) -> EventPublisher: ...
    @property
    def now(self) -> Callable[[], datetime]: ...
    def plan_of(self, tenant_id: str) -> str: ...

