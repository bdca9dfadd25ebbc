"""What a reader sees: records plus the values derived at read time.

An invoice's status depends on today's date and a customer's balance on its invoices; both
are computed here, when read, never stored, so neither can go stale between two syncs.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Generic, Literal, TypeVar

from clientsynq.portal.domain.model import (
    CommandStatus,
    ConnectionState,
    Customer,
    Invoice,
    Payment,
    SyncState,
)

InvoiceStatus = Literal["open", "overdue", "partially_paid", "paid", "voided"]
INVOICE_STATUSES: tuple[InvoiceStatus, ...] = (
    "open", "overdue", "partially_paid", "paid", "voided")
InvitationStatus = Literal["not_invited", "invited", "accepted", "expired", "revoked"]
ZERO = Decimal("0")
T = TypeVar("T")


def invoice_status(invoice: Invoice, today: date) -> InvoiceStatus:
    """Voided, then paid, then overdue (a due date before today wins over "partially
    paid": the client must act), then partially paid, else open."""
    if invoice.voided:
        return "voided"
    if invoice.balance <= ZERO:
        return "paid"
    if invoice.due_date is not None and invoice.due_date < today:
        return "overdue"
    if invoice.balance < invoice.total:
        return "partially_paid"
    return "open"


def is_receivable(invoice: Invoice) -> bool:
    """Counts towards what the customer owes."""
    return not invoice.voided and not invoice.deleted and invoice.balance > ZERO


def customer_balance(invoices: Iterable[Invoice]) -> Decimal:
    """The sum of the open balances of the customer's invoices the portal holds."""
    return sum((inv.balance for inv in invoices if is_receivable(inv)), ZERO)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a keyset-paginated list; `next_cursor` is None on the last page."""

    items: tuple[T, ...]
    next_cursor: str | None = None


@dataclass(frozen=True)
class InvoiceView:
    invoice: Invoice
    status: InvoiceStatus

    @property
    def amount_paid(self) -> Decimal:
        return ZERO if self.invoice.voided else self.invoice.total - self.invoice.balance


@dataclass(frozen=True)
class InvoiceDetail(InvoiceView):
    """One invoice with the payments applied to it (newest first)."""

    payments: tuple[Payment, ...] = ()


@dataclass(frozen=True)
class CustomerView:
    customer: Customer
    balance: Decimal
    open_invoices: int
    overdue_invoices: int
    invitation_status: InvitationStatus

    @property
    def has_email(self) -> bool:
        """The help page warns: a customer without an email in QuickBooks cannot be invited."""
        return bool(self.customer.email)


@dataclass(frozen=True)
class ConnectionView:
    """`state` is None while the business has never connected."""

    tenant_id: str
    state: ConnectionState | None

    @property
    def status(self) -> str:
        return "not_connected" if self.state is None else self.state.status


@dataclass(frozen=True)
class SyncStatusView:
    state: SyncState
    customers_synced: int  # active customers held now, not the last run's count

    @property
    def is_running(self) -> bool:
        return self.state.running is not None


@dataclass(frozen=True)
class CustomerBalance:
    """Per customer, what the open invoices add up to (for lists of customers)."""

    balance: Decimal = ZERO
    open_invoices: int = 0
    overdue_invoices: int = 0


def balances_by_customer(invoices: Iterable[Invoice], today: date) -> dict[str, CustomerBalance]:
    totals: dict[str, CustomerBalance] = {}
    for inv in invoices:
        if inv.customer_id is None or not is_receivable(inv):
            continue
        old = totals.get(inv.customer_id, CustomerBalance())
        overdue = invoice_status(inv, today) == "overdue"
        totals[inv.customer_id] = CustomerBalance(
            old.balance + inv.balance, old.open_invoices + 1,
            old.overdue_invoices + (1 if overdue else 0))
    return totals


__all__ = ["INVOICE_STATUSES", "CommandStatus", "InvoiceStatus", "Page"]
