"""Builders for read-model records: a test states only what matters to it."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from clientsynq.portal.domain.model import (
    Customer,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentApplication,
)

TENANT = "tenant-a"
OTHER_TENANT = "tenant-b"
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def an_invoice(id: str = "101", *, tenant_id: str = TENANT, total: str = "100.00",
               balance: str | None = None, due: str | None = "2026-07-01",
               txn: str = "2026-06-01", customer_id: str = "1",
               updated_at: datetime = T0, **fields: Any) -> Invoice:
    name = fields.pop("customer_name", f"Customer {customer_id}")
    return Invoice(
        tenant_id=tenant_id, id=id, updated_at=updated_at, doc_number=fields.pop("doc_number", id),
        customer_id=customer_id, customer_name=name, txn_date=date.fromisoformat(txn),
        due_date=None if due is None else date.fromisoformat(due), currency="USD",
        total=Decimal(total), balance=Decimal(total if balance is None else balance),
        lines=(InvoiceLine(amount=Decimal(total), line_num=1, description="Work"),),
        sync_token=fields.pop("sync_token", "0"), **fields)


def a_customer(id: str = "1", *, tenant_id: str = TENANT, name: str | None = None,
               active: bool = True, updated_at: datetime = T0, **fields: Any) -> Customer:
    return Customer(tenant_id=tenant_id, id=id, updated_at=updated_at,
                    display_name=name or f"Customer {id}", active=active, currency="USD",
                    email=fields.pop("email", (f"c{id}@example.com",)),
                    sync_token=fields.pop("sync_token", "0"), **fields)


def a_payment(id: str = "501", *, tenant_id: str = TENANT, total: str = "40.00",
              applied: dict[str, str] | None = None, customer_id: str = "1",
              txn: str = "2026-06-10", updated_at: datetime = T0, **fields: Any) -> Payment:
    applications = tuple(PaymentApplication(inv, Decimal(amount))
                         for inv, amount in (applied or {"101": total}).items())
    return Payment(tenant_id=tenant_id, id=id, updated_at=updated_at, customer_id=customer_id,
                   txn_date=date.fromisoformat(txn), total=Decimal(total),
                   unapplied=Decimal(total) - sum((a.amount for a in applications), Decimal(0)),
                   currency="USD", source="qbo", applied_to=applications,
                   sync_token=fields.pop("sync_token", "0"), **fields)


def version(updated_at: datetime = T0, token: int = 0) -> str:
    from clientsynq.common.mongo import snapshot_version
    return snapshot_version(updated_at, token)
