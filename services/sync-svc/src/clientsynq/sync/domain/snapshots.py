"""QBO entities → the snapshots of `customer.updated`, `invoice.updated`, `payment.recorded`.

Pure functions over parsed QBO JSON (numbers already Decimal). The result is the event's
wire form (decimal strings, RFC 3339 UTC), ready for `publish_many` to validate once.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from clientsynq.sync.domain import qbo_values as v

Entity = dict[str, Any]
PORTAL_PAYMENT_NOTE = "Paid through the ClientSynq portal"
AMOUNT_LINE_TYPES = ("SalesItemLineDetail", "GroupLineDetail", "DiscountLineDetail",
                     "DescriptionOnly")


def customer_snapshot(qbo: Entity) -> Entity | None:
    """A customer merged into another comes from CDC as a deleted stub: sent as deleted
    (and inactive), so the portal stops listing it."""
    if v.is_deleted_stub(qbo):
        return {"id": str(qbo["Id"]), "deleted": True, "active": False,
                "updated_at": v.updated_at(qbo)}
    return {
        "id": str(qbo["Id"]),
        "display_name": v.text(qbo.get("DisplayName")) or f"Customer {qbo['Id']}",
        "company_name": v.text(qbo.get("CompanyName")),
        "given_name": v.text(qbo.get("GivenName")),
        "family_name": v.text(qbo.get("FamilyName")),
        "email": v.email(qbo, "PrimaryEmailAddr"),
        "phone": v.text((qbo.get("PrimaryPhone") or {}).get("FreeFormNumber")),
        "balance": v.money(qbo.get("Balance")),
        "currency": v.currency(qbo),
        "active": qbo.get("Active", True) is not False,
        "sync_token": str(qbo.get("SyncToken", "0")),
        "created_at": v.created_at(qbo) or v.updated_at(qbo),
        "updated_at": v.updated_at(qbo),
        "deleted": False,
    }


def invoice_status(qbo: Entity, today: date) -> str:
    """Overdue beats partially paid: a past-due balance is what the business must chase."""
    if v.is_deleted_stub(qbo):
        return "deleted"
    if v.is_voided(qbo):
        return "voided"
    total = v.to_decimal(qbo.get("TotalAmt", 0)) or Decimal(0)
    balance = v.to_decimal(qbo.get("Balance", 0)) or Decimal(0)
    if balance <= 0:
        return "paid"
    due = v.iso_date(qbo.get("DueDate"))
    if due is not None and due < today.isoformat():
        return "overdue"
    return "partially_paid" if balance < total else "open"


def invoice_snapshot(qbo: Entity, today: date, terms: Mapping[str, str]) -> Entity:
    if v.is_deleted_stub(qbo):
        return _deleted(qbo)
    term_id = v.ref_value(qbo, "SalesTermRef")
    return {
        "id": str(qbo["Id"]),
        "status": invoice_status(qbo, today),
        "updated_at": v.updated_at(qbo),
        "doc_number": v.text(qbo.get("DocNumber")),
        "customer_id": v.ref_value(qbo, "CustomerRef") or "",
        "customer_name": v.ref_name(qbo, "CustomerRef"),
        "txn_date": v.iso_date(qbo.get("TxnDate")),
        "due_date": v.iso_date(qbo.get("DueDate")),
        "terms": v.ref_name(qbo, "SalesTermRef") or terms.get(term_id or ""),
        "currency": v.currency(qbo),
        "total": v.money(qbo.get("TotalAmt")),
        "balance": v.money(qbo.get("Balance")),
        "email": v.email(qbo, "BillEmail"),
        "lines": [_line(line) for line in qbo.get("Line") or []
                  if line.get("DetailType") in AMOUNT_LINE_TYPES],
        "sync_token": str(qbo.get("SyncToken", "0")),
        "created_at": v.created_at(qbo),
    }


def _line(line: Entity) -> Entity:
    detail = line.get("SalesItemLineDetail") or {}
    return {
        "line_num": line["LineNum"] if isinstance(line.get("LineNum"), int) else None,
        "description": v.text(line.get("Description")),
        "amount": v.money(line.get("Amount")),
        "quantity": v.quantity(detail.get("Qty")),
        "unit_price": v.unit_price(detail.get("UnitPrice")),
        "item_name": v.ref_name(detail, "ItemRef"),
    }


def payment_snapshot(qbo: Entity) -> Entity:
    if v.is_deleted_stub(qbo):
        return _deleted(qbo)
    note = str(qbo.get("PrivateNote") or "")
    return {
        "id": str(qbo["Id"]),
        "status": "voided" if v.is_voided(qbo) else "recorded",
        "updated_at": v.updated_at(qbo),
        "customer_id": v.ref_value(qbo, "CustomerRef") or "",
        "customer_name": v.ref_name(qbo, "CustomerRef"),
        "txn_date": v.iso_date(qbo.get("TxnDate")),
        "total": v.money(qbo.get("TotalAmt")),
        "unapplied": v.money(qbo.get("UnappliedAmt")),
        "currency": v.currency(qbo),
        "method": v.ref_name(qbo, "PaymentMethodRef") or v.ref_value(qbo, "PaymentMethodRef"),
        "reference": v.text(qbo.get("PaymentRefNum")),
        "source": "portal" if note.startswith(PORTAL_PAYMENT_NOTE) else "qbo",
        "applied_to": applied_invoices(qbo),
        "sync_token": str(qbo.get("SyncToken", "0")),
        "created_at": v.created_at(qbo),
    }


def applied_invoices(qbo: Entity) -> list[Entity]:
    """Per invoice the amount this payment put on it (one line per invoice in QBO)."""
    amounts: dict[str, Decimal] = {}
    for line in qbo.get("Line") or []:
        for linked in line.get("LinkedTxn") or []:
            if linked.get("TxnType") == "Invoice" and linked.get("TxnId"):
                key = str(linked["TxnId"])
                amounts[key] = amounts.get(key, Decimal(0)) + (
                    v.to_decimal(line.get("Amount")) or Decimal(0))
    return [{"invoice_id": key, "amount": v.money(value)} for key, value in amounts.items()]


def _deleted(qbo: Entity) -> Entity:
    """A stub always carries MetaData.LastUpdatedTime: it orders the deletion after updates."""
    return {"id": str(qbo["Id"]), "status": "deleted", "updated_at": v.updated_at(qbo)}
