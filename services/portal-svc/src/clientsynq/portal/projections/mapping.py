"""Event payloads (already validated and loaded by `clientsynq.common.events`) → records.

v2 fields are taken when present; a v1 event (without them) still maps, with None.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from clientsynq.common.mongo import snapshot_version
from clientsynq.portal.domain.model import (
    AppliedPayment,
    Customer,
    GroupComponent,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentApplication,
)

ZERO = Decimal("0")
# A deleted stub has no SyncToken; at the same LastUpdatedTime it must win over the live
# snapshot, so it sorts after any real token.
STUB_TOKEN = 999_999_999_999


def emails(value: str | None) -> tuple[str, ...]:
    """QBO keeps several addresses in one comma-separated field."""
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def version_of(data: Mapping[str, Any], deleted: bool) -> str:
    token = STUB_TOKEN if deleted else int(data.get("sync_token") or 0)
    updated: datetime = data["updated_at"]
    return snapshot_version(updated, token)


def customer_from(tenant_id: str, data: Mapping[str, Any]) -> Customer:
    return Customer(
        tenant_id=tenant_id, id=data["id"], updated_at=data["updated_at"],
        display_name=data.get("display_name"), company_name=data.get("company_name"),
        given_name=data.get("given_name"), family_name=data.get("family_name"),
        email=emails(data.get("email")), phone=data.get("phone"),
        qbo_balance=data.get("balance"), currency=data.get("currency"),
        active=bool(data.get("active", False)), deleted=bool(data["deleted"]),
        sync_token=data.get("sync_token"), created_at=data.get("created_at"),
        merged_into=data.get("merged_into"))


def _line(data: Mapping[str, Any]) -> InvoiceLine:
    components = tuple(GroupComponent(
        amount=c["amount"], description=c.get("description"), quantity=c.get("quantity"),
        unit_price=c.get("unit_price"), item_name=c.get("item_name"))
        for c in data.get("components") or ())
    return InvoiceLine(
        amount=data["amount"], line_num=data.get("line_num"), description=data.get("description"),
        quantity=data.get("quantity"), unit_price=data.get("unit_price"),
        item_name=data.get("item_name"), detail_type=data.get("detail_type"),
        discount_percent=data.get("discount_percent"), components=components)


def invoice_from(tenant_id: str, data: Mapping[str, Any]) -> Invoice:
    status = data["status"]
    applied = tuple(AppliedPayment(payment_id=a["payment_id"], amount=a["amount"],
                                   txn_date=a.get("txn_date"))
                    for a in data.get("applied_payments") or ())
    return Invoice(
        tenant_id=tenant_id, id=data["id"], updated_at=data["updated_at"],
        doc_number=data.get("doc_number"), customer_id=data.get("customer_id"),
        customer_name=data.get("customer_name"), txn_date=data.get("txn_date"),
        due_date=data.get("due_date"), terms=data.get("terms"), currency=data.get("currency"),
        total=data.get("total", ZERO), balance=data.get("balance", ZERO),
        subtotal=data.get("subtotal"), discount_total=data.get("discount_total"),
        tax_total=data.get("tax_total"), paid_date=data.get("paid_date"),
        email=emails(data.get("email")), lines=tuple(_line(x) for x in data.get("lines") or ()),
        applied_payments=applied, voided=status == "voided", deleted=status == "deleted",
        sync_token=data.get("sync_token"), created_at=data.get("created_at"),
        command_id=data.get("command_id"))


def payment_from(tenant_id: str, data: Mapping[str, Any]) -> Payment:
    status = data["status"]
    return Payment(
        tenant_id=tenant_id, id=data["id"], updated_at=data["updated_at"],
        customer_id=data.get("customer_id"), customer_name=data.get("customer_name"),
        txn_date=data.get("txn_date"), total=data.get("total", ZERO),
        unapplied=data.get("unapplied", ZERO), currency=data.get("currency"),
        method=data.get("method"), method_id=data.get("method_id"),
        reference=data.get("reference"), source=data.get("source"),
        applied_to=tuple(PaymentApplication(a["invoice_id"], a["amount"])
                         for a in data.get("applied_to") or ()),
        voided=status == "voided", deleted=status == "deleted",
        sync_token=data.get("sync_token"), created_at=data.get("created_at"),
        command_id=data.get("command_id"))
