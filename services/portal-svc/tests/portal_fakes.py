"""In-memory fakes of portal's own ports, held to the same contract tests as the Mongo
adapters (tests/integration/test_read_model_contract.py)."""
from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any, TypeVar

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
from clientsynq.portal.domain.views import InvitationStatus, Page, invoice_status
from clientsynq.portal.readmodels import search
from clientsynq.portal.readmodels.keys import (
    date_key,
    decode_cursor,
    encode_cursor,
    id_key,
    is_after,
    name_key,
)
from clientsynq.portal.readmodels.ports import ReadModels
from clientsynq.portal.readmodels.queries import CustomerQuery, InvoiceQuery, PaymentQuery

T = TypeVar("T")
Key = tuple[str, str]


def _page(rows: list[tuple[Key, T]], cursor: str | None, limit: int,
          descending: bool) -> Page[T]:
    rows = sorted(rows, key=lambda row: row[0], reverse=descending)
    if cursor is not None:
        after = decode_cursor(cursor)
        rows = [row for row in rows if is_after(row[0], after, descending)]
    chosen = rows[:limit]
    more = len(rows) > limit
    return Page(tuple(item for _, item in chosen),
                encode_cursor(chosen[-1][0]) if more else None)


class _Versioned:
    """Snapshots by (tenant, id) with their version: newer wins, deleted stubs mark."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], tuple[str, Any]] = {}

    def _apply(self, tenant_id: str, entity_id: str, version: str, record: Any) -> bool:
        current = self.rows.get((tenant_id, entity_id))
        if current is not None and current[0] >= version:
            return False
        if record.deleted and current is not None:
            record = replace(current[1], deleted=True, updated_at=record.updated_at)
        self.rows[(tenant_id, entity_id)] = (version, record)
        return True

    def _live(self, tenant_id: str) -> list[Any]:
        return [rec for (tid, _), (_, rec) in self.rows.items()
                if tid == tenant_id and not rec.deleted]

    def _get(self, tenant_id: str, entity_id: str) -> Any:
        row = self.rows.get((tenant_id, entity_id))
        return None if row is None or row[1].deleted else row[1]


class FakeInvoices(_Versioned):
    def get(self, tenant_id: str, invoice_id: str) -> Invoice | None:
        found: Invoice | None = self._get(tenant_id, invoice_id)
        return found

    def page(self, tenant_id: str, query: InvoiceQuery, today: date) -> Page[Invoice]:
        rows = [((date_key(inv.txn_date), id_key(inv.id)), inv) for inv in self._live(tenant_id)
                if _invoice_matches(inv, query, today)]
        return _page(rows, query.cursor, query.limit, descending=True)

    def list_version(self, tenant_id: str) -> str:
        """What the tenant's rows are, at which versions: it changes with any write, even one
        a test makes to `rows` directly."""
        held = sorted((key[1], version) for key, (version, _) in self.rows.items()
                      if key[0] == tenant_id)
        return repr(held)

    def receivables(self, tenant_id: str, customer_ids: Collection[str]) -> list[Invoice]:
        return [inv for inv in self._live(tenant_id) if inv.customer_id in customer_ids
                and not inv.voided and inv.balance > 0]

    def apply(self, invoice: Invoice, version: str) -> bool:
        return self._apply(invoice.tenant_id, invoice.id, version, invoice)


def _invoice_matches(inv: Invoice, q: InvoiceQuery, today: date) -> bool:
    text = search.search_text(inv.doc_number, inv.customer_name)
    checks = [
        not q.statuses or invoice_status(inv, today) in q.statuses,
        q.customer_id is None or inv.customer_id == q.customer_id,
        q.due_before is None or (inv.due_date is not None and inv.due_date < q.due_before),
        q.due_after is None or (inv.due_date is not None and inv.due_date > q.due_after),
        q.updated_since is None or inv.updated_at >= q.updated_since,
        not q.search or search.matches(text, search.normalise(q.search)),
    ]
    return all(checks)


class FakeCustomers(_Versioned):
    def get(self, tenant_id: str, customer_id: str) -> Customer | None:
        found: Customer | None = self._get(tenant_id, customer_id)
        return found

    def page(self, tenant_id: str, query: CustomerQuery) -> Page[Customer]:
        def matches(c: Customer) -> bool:
            text = " ".join(p.casefold() for p in (c.display_name, c.company_name, *c.email)
                            if p)
            return ((query.include_inactive or c.active)
                    and (not query.search or query.search.strip().casefold() in text))
        rows = [((name_key(c.display_name, c.company_name, c.given_name, c.family_name),
                  id_key(c.id)), c) for c in self._live(tenant_id) if matches(c)]
        return _page(rows, query.cursor, query.limit, descending=False)

    def count_active(self, tenant_id: str) -> int:
        return sum(1 for c in self._live(tenant_id) if c.active)

    def apply(self, customer: Customer, version: str) -> bool:
        if customer.deleted:
            customer = replace(customer, active=False)
        return self._apply(customer.tenant_id, customer.id, version, customer)


class FakePayments(_Versioned):
    def get(self, tenant_id: str, payment_id: str) -> Payment | None:
        found: Payment | None = self._get(tenant_id, payment_id)
        return found

    def page(self, tenant_id: str, query: PaymentQuery) -> Page[Payment]:
        def matches(p: Payment) -> bool:
            return ((query.customer_id is None or p.customer_id == query.customer_id)
                    and (query.invoice_id is None
                         or any(a.invoice_id == query.invoice_id for a in p.applied_to))
                    and (query.updated_since is None or p.updated_at >= query.updated_since))
        rows = [((date_key(p.txn_date), id_key(p.id)), p) for p in self._live(tenant_id)
                if matches(p)]
        return _page(rows, query.cursor, query.limit, descending=True)

    def for_invoice(self, tenant_id: str, invoice_id: str) -> list[Payment]:
        found = [p for p in self._live(tenant_id) if not p.voided
                 and any(a.invoice_id == invoice_id for a in p.applied_to)]
        return sorted(found, key=lambda p: (date_key(p.txn_date), id_key(p.id)), reverse=True)

    def apply(self, payment: Payment, version: str) -> bool:
        return self._apply(payment.tenant_id, payment.id, version, payment)


class FakeConnections:
    def __init__(self) -> None:
        self.states: dict[str, ConnectionState] = {}

    def get(self, tenant_id: str) -> ConnectionState | None:
        return self.states.get(tenant_id)

    def apply(self, state: ConnectionState) -> bool:
        current = self.states.get(state.tenant_id)
        if current is not None and current.changed_at >= state.changed_at:
            return False
        self.states[state.tenant_id] = state
        return True


class FakeSyncRuns:
    def __init__(self) -> None:
        self.runs: dict[tuple[str, str], tuple[str, datetime, Any]] = {}
        self.requested: dict[str, datetime] = {}

    def get(self, tenant_id: str) -> SyncState:
        def latest(status: str) -> Any:
            found = [(at, run) for (tid, _), (st, at, run) in self.runs.items()
                     if tid == tenant_id and st == status]
            return max(found, key=lambda row: row[0])[1] if found else None
        return SyncState(tenant_id, latest("running"), latest("completed"), latest("failed"),
                         self.requested.get(tenant_id))

    def record_requested(self, tenant_id: str, at: datetime) -> None:
        self.requested[tenant_id] = at

    def _write(self, tenant_id: str, run_id: str, status: str, at: datetime, run: Any,
               allowed: Callable[[str, datetime], bool]) -> bool:
        current = self.runs.get((tenant_id, run_id))
        if current is not None and not allowed(current[0], current[1]):
            return False
        self.runs[(tenant_id, run_id)] = (status, at, run)
        return True

    def record_progress(self, tenant_id: str, run: RunningSync) -> bool:
        at = run.reported_at or run.started_at
        return self._write(tenant_id, run.run_id, "running", at, run,
                           lambda st, old: st == "running" and old < at)

    def record_completed(self, tenant_id: str, run: CompletedSync) -> bool:
        return self._write(tenant_id, run.run_id, "completed", run.finished_at, run,
                           lambda st, _: st == "running")

    def record_failed(self, tenant_id: str, run: FailedSync) -> bool:
        return self._write(tenant_id, run.run_id, "failed", run.failed_at, run,
                           lambda st, _: st == "running")


_OUTCOME = ("state", "settled_at", "entity_id", "reason", "code")


class FakeCommands:
    def __init__(self) -> None:
        self.commands: dict[tuple[str, str], CommandStatus] = {}
        self.outcomes: dict[tuple[str, str], CommandStatus] = {}
        self.outbox: list[Mapping[str, Any]] = []

    def get(self, tenant_id: str, command_id: str) -> CommandStatus | None:
        command = self.commands.get((tenant_id, command_id))
        outcome = self.outcomes.get((tenant_id, command_id))
        if command is None or outcome is None:
            return command or outcome
        return replace(command, **{name: getattr(outcome, name) for name in _OUTCOME})

    def add(self, command: CommandStatus, envelope: Mapping[str, Any]) -> bool:
        key = (command.tenant_id, command.command_id)
        if key in self.commands:
            return False
        self.commands[key] = command
        self.outbox.append(envelope)
        return True

    def settle(self, settled: CommandStatus) -> bool:
        key = (settled.tenant_id, settled.command_id)
        if key in self.outcomes:
            return False
        self.outcomes[key] = settled
        return True


class FakeInvitations:
    def __init__(self) -> None:
        self.by_customer: dict[tuple[str, str], InvitationStatus] = {}

    def statuses(self, tenant_id: str,
                 customer_ids: Collection[str]) -> Mapping[str, InvitationStatus]:
        return {cid: status for (tid, cid), status in self.by_customer.items()
                if tid == tenant_id and cid in customer_ids}


class FixedClock:
    """Time stands still until a test moves it: no test waits for time to pass."""

    def __init__(self, now: datetime = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def fake_read_models(clock: Callable[[], datetime] | None = None) -> ReadModels:
    return ReadModels(invoices=FakeInvoices(), customers=FakeCustomers(),
                      payments=FakePayments(), connections=FakeConnections(),
                      sync=FakeSyncRuns(), commands=FakeCommands(),
                      invitations=FakeInvitations(), clock=clock or FixedClock())


class FakeSyncRequests:
    def __init__(self) -> None:
        self.requests: dict[tuple[str, str], tuple[datetime, Mapping[str, Any]]] = {}

    def latest(self, tenant_id: str) -> datetime | None:
        times = [at for (tid, _), (at, _) in self.requests.items() if tid == tenant_id]
        return max(times) if times else None

    def add(self, tenant_id: str, request_id: str, requested_at: datetime,
            envelope: Mapping[str, Any]) -> bool:
        if (tenant_id, request_id) in self.requests:
            return False
        self.requests[(tenant_id, request_id)] = (requested_at, envelope)
        return True

    @property
    def outbox(self) -> list[Mapping[str, Any]]:
        return [envelope for _, envelope in self.requests.values()]


class FakeIdempotency:
    """Same contract as MongoIdempotency (tests/integration/test_idempotency_contract.py)."""

    def __init__(self) -> None:
        self.rows: dict[str, Any] = {}

    def begin(self, key: str, fingerprint: str, now: datetime) -> Any:
        from clientsynq.portal.api.ports import StoredResponse

        if key not in self.rows:
            self.rows[key] = StoredResponse(fingerprint=fingerprint, started_at=now)
            return None
        return self.rows[key]

    def finish(self, key: str, response: Any) -> None:
        self.rows[key] = response

    def abandon(self, key: str) -> None:
        if key in self.rows and self.rows[key].status is None:
            del self.rows[key]


class FakeApiKeys:
    """Keys a test registers, as auth-svc would verify them (a non-Enterprise key → 403)."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}
        self.calls = 0

    def add(self, key: str, tenant_id: str, scopes: tuple[str, ...], plan: str = "enterprise",
            key_id: str = "k1") -> str:
        from clientsynq.portal.api.ports import VerifiedApiKey

        self.keys[key] = VerifiedApiKey(tenant_id, key_id, plan, frozenset(scopes))
        return key

    def verify(self, key: str) -> Any:
        from clientsynq.common.problems import PlanDoesNotAllow

        self.calls += 1
        found = self.keys.get(key)
        if found is not None and found.plan != "enterprise":
            raise PlanDoesNotAllow("API access is part of the Enterprise plan.")
        return found
