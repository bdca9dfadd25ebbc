"""A customer's statement of account for a period: opening balance, each invoice and
payment with the running balance, closing balance.

Worked backwards from what is exact today, the sum of the customer's open balances:
the balance at the end of the period is today's less what was invoiced after it plus what
was paid after it, and the opening balance likewise. Every invoice dated in the last 12
months and every payment of the last 12 months is held (the sync window), so a period
inside that window is exact even when a payment settles an older invoice. Payments count
by the amounts they applied to invoices; an unapplied remainder is a credit QuickBooks
keeps on account, shown in the payment history, not here.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal, TypeVar

from clientsynq.portal.domain.errors import InvalidQuery
from clientsynq.portal.domain.model import Payment
from clientsynq.portal.domain.views import ZERO, Page, customer_balance
from clientsynq.portal.readmodels.ports import ReadModels
from clientsynq.portal.readmodels.queries import MAX_LIMIT, InvoiceQuery, PaymentQuery

WINDOW = timedelta(days=365)
T = TypeVar("T")


@dataclass(frozen=True)
class StatementLine:
    day: date
    kind: Literal["invoice", "payment"]
    entity_id: str
    reference: str
    charge: Decimal
    credit: Decimal
    balance: Decimal


@dataclass(frozen=True)
class Statement:
    customer_id: str
    start: date
    end: date
    opening: Decimal
    lines: tuple[StatementLine, ...]
    closing: Decimal
    currency: str | None


def _all_pages(fetch: Callable[[str | None], Page[T]]) -> Iterator[T]:
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _applied(payment: Payment) -> Decimal:
    return sum((a.amount for a in payment.applied_to), ZERO)


def customer_statement(read: ReadModels, tenant_id: str, customer_id: str, start: date,
                       end: date) -> Statement:
    today = read.today()
    if start > end or end > today or start < today - WINDOW:
        raise InvalidQuery("A statement covers dates of the last 12 months, start before end.")
    invoices = [i for i in _all_pages(lambda c: read.invoices.page(tenant_id, InvoiceQuery(
                    customer_id=customer_id, cursor=c, limit=MAX_LIMIT), today))
                if not i.voided and i.txn_date is not None and i.txn_date >= start]
    payments = [p for p in _all_pages(lambda c: read.payments.page(tenant_id, PaymentQuery(
                    customer_id=customer_id, cursor=c, limit=MAX_LIMIT)))
                if not p.voided and not p.deleted and p.txn_date is not None
                and p.txn_date >= start]
    now = customer_balance(read.invoices.receivables(tenant_id, [customer_id]))
    closing = now - sum((i.total for i in invoices if i.txn_date and i.txn_date > end), ZERO) \
        + sum((_applied(p) for p in payments if p.txn_date and p.txn_date > end), ZERO)
    rows = sorted([(i.txn_date, 0, i.id, f"Invoice {i.doc_number or i.id}", i.total, ZERO)
                   for i in invoices if i.txn_date and i.txn_date <= end]
                  + [(p.txn_date, 1, p.id, f"Payment{' ' + p.method if p.method else ''}",
                      ZERO, _applied(p)) for p in payments if p.txn_date and p.txn_date <= end])
    opening = closing - sum((r[4] for r in rows), ZERO) + sum((r[5] for r in rows), ZERO)
    lines, running = [], opening
    for day, order, entity_id, reference, charge, credit in rows:
        running = running + charge - credit
        lines.append(StatementLine(day, "invoice" if order == 0 else "payment", entity_id,
                                   reference, charge, credit, running))
    currency = next((i.currency for i in invoices if i.currency), None)
    return Statement(customer_id, start, end, opening, tuple(lines), closing, currency)
