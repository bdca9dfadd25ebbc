"""What a list use case asks a read model for; filters are validated before they get here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from clientsynq.portal.domain.views import InvoiceStatus

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class InvoiceQuery:
    """Statuses are ORed (e.g. ("open", "overdue", "partially_paid") = everything unpaid);
    `search` matches the invoice number or the customer's name, case-insensitively."""

    statuses: tuple[InvoiceStatus, ...] = ()
    customer_id: str | None = None
    due_before: date | None = None  # due_date < due_before
    due_after: date | None = None  # due_date > due_after
    updated_since: datetime | None = None
    search: str | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True)
class CustomerQuery:
    """`search` matches display name, company name or email; inactive ones only on request."""

    search: str | None = None
    include_inactive: bool = False
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True)
class PaymentQuery:
    customer_id: str | None = None
    invoice_id: str | None = None
    updated_since: datetime | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT
