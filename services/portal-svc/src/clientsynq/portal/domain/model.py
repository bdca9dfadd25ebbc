"""The read-model records portal-svc keeps, one per QuickBooks entity or per-business state.

They hold what the events said, nothing derived: anything that depends on *today* (an
invoice's status) or on other records (a customer's balance) is computed where it is read
(`domain.views`), so it can never be stale.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

ConnectionStatus = Literal["not_connected", "connected", "disconnected", "authorization_expired"]
CommandState = Literal["pending", "succeeded", "failed"]


@dataclass(frozen=True)
class GroupComponent:
    """One line inside a group (bundle) line."""

    amount: Decimal
    description: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    item_name: str | None = None


@dataclass(frozen=True)
class InvoiceLine:
    """`detail_type`: sales_item, group, description_only, subtotal (repeats the sum above:
    never add it again) or discount (a positive amount that is subtracted); None from a v1
    producer, which sent only item lines."""

    amount: Decimal
    line_num: int | None = None
    description: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    item_name: str | None = None
    detail_type: str | None = None
    discount_percent: Decimal | None = None
    components: tuple[GroupComponent, ...] = ()


@dataclass(frozen=True)
class AppliedPayment:
    """One payment as applied to one invoice (from the invoice or the payment snapshot)."""

    payment_id: str
    amount: Decimal
    txn_date: date | None = None
    method: str | None = None


@dataclass(frozen=True)
class Invoice:
    tenant_id: str
    id: str
    updated_at: datetime
    doc_number: str | None = None
    customer_id: str | None = None
    customer_name: str | None = None
    txn_date: date | None = None
    due_date: date | None = None
    terms: str | None = None
    currency: str | None = None
    total: Decimal = Decimal("0")
    balance: Decimal = Decimal("0")
    subtotal: Decimal | None = None
    discount_total: Decimal | None = None
    tax_total: Decimal | None = None
    paid_date: date | None = None
    email: tuple[str, ...] = ()
    lines: tuple[InvoiceLine, ...] = ()
    applied_payments: tuple[AppliedPayment, ...] = ()
    voided: bool = False
    deleted: bool = False
    sync_token: str | None = None
    created_at: datetime | None = None
    command_id: str | None = None  # set when a Pro command created it


@dataclass(frozen=True)
class Customer:
    tenant_id: str
    id: str
    updated_at: datetime
    display_name: str | None = None
    company_name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: tuple[str, ...] = ()
    phone: str | None = None
    qbo_balance: Decimal | None = None  # as QBO last reported it; the portal shows its own sum
    currency: str | None = None
    active: bool = True
    deleted: bool = False
    sync_token: str | None = None
    created_at: datetime | None = None
    merged_into: str | None = None


@dataclass(frozen=True)
class PaymentApplication:
    invoice_id: str
    amount: Decimal


@dataclass(frozen=True)
class Payment:
    tenant_id: str
    id: str
    updated_at: datetime
    customer_id: str | None = None
    customer_name: str | None = None
    txn_date: date | None = None
    total: Decimal = Decimal("0")
    unapplied: Decimal = Decimal("0")
    currency: str | None = None
    method: str | None = None  # the payment method's name
    method_id: str | None = None
    reference: str | None = None
    source: str | None = None
    applied_to: tuple[PaymentApplication, ...] = ()
    voided: bool = False
    deleted: bool = False
    sync_token: str | None = None
    created_at: datetime | None = None
    command_id: str | None = None


@dataclass(frozen=True)
class ConnectionState:
    tenant_id: str
    status: ConnectionStatus
    changed_at: datetime
    realm_id: str | None = None
    company_name: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class RunningSync:
    run_id: str
    started_at: datetime
    done: int = 0
    expected: int | None = None
    entity: str | None = None
    reported_at: datetime | None = None


@dataclass(frozen=True)
class CompletedSync:
    run_id: str
    mode: str
    started_at: datetime
    finished_at: datetime
    counts: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] | None = None


@dataclass(frozen=True)
class FailedSync:
    run_id: str
    error_class: str
    message: str
    started_at: datetime
    failed_at: datetime


@dataclass(frozen=True)
class SyncState:
    """Per business: what runs now, what last finished, what last failed (any may be None)."""

    tenant_id: str
    running: RunningSync | None = None
    last_completed: CompletedSync | None = None
    last_failure: FailedSync | None = None
    requested_at: datetime | None = None  # the latest Sync Now not yet picked up


@dataclass(frozen=True)
class CommandStatus:
    """A Pro write (create invoice, record payment) from request to QuickBooks' answer."""

    tenant_id: str
    command_id: str
    command_type: str
    state: CommandState
    requested_at: datetime
    requested_by: str
    request: dict[str, object] = field(default_factory=dict)
    settled_at: datetime | None = None
    entity_id: str | None = None  # the QBO id it produced (on success)
    doc_number: str | None = None
    reason: str | None = None  # QuickBooks' refusal in its words (on failure)
    code: str | None = None
