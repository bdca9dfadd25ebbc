"""Views → JSON: money as exact decimal strings, dates ISO 8601, times RFC 3339 UTC."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from clientsynq.common.events import format_time, to_money_str
from clientsynq.portal.domain.model import CommandStatus, Invoice, InvoiceLine, Payment
from clientsynq.portal.domain.views import (
    ConnectionView,
    CustomerView,
    InvoiceDetail,
    InvoiceView,
    SyncStatusView,
)


def money(value: Decimal | None) -> str | None:
    return None if value is None else to_money_str(value)


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def time(value: datetime | None) -> str | None:
    return None if value is None else format_time(value)


def invoice(view: InvoiceView) -> dict[str, Any]:
    inv: Invoice = view.invoice
    return {"id": inv.id, "doc_number": inv.doc_number, "status": view.status,
            "customer": {"id": inv.customer_id, "name": inv.customer_name},
            "txn_date": day(inv.txn_date), "due_date": day(inv.due_date), "terms": inv.terms,
            "currency": inv.currency, "total": money(inv.total), "balance": money(inv.balance),
            "amount_paid": money(view.amount_paid), "subtotal": money(inv.subtotal),
            "discount_total": money(inv.discount_total), "tax_total": money(inv.tax_total),
            "paid_date": day(inv.paid_date), "email": list(inv.email),
            "updated_at": time(inv.updated_at)}


def _line(line: InvoiceLine) -> dict[str, Any]:
    return {"line_num": line.line_num, "detail_type": line.detail_type or "sales_item",
            "description": line.description, "item_name": line.item_name,
            "quantity": None if line.quantity is None else format(line.quantity, "f"),
            "unit_price": None if line.unit_price is None else format(line.unit_price, "f"),
            "amount": money(line.amount),
            "discount_percent": None if line.discount_percent is None
            else format(line.discount_percent, "f"),
            "components": [{"description": c.description, "item_name": c.item_name,
                            "amount": money(c.amount)} for c in line.components]}


def invoice_detail(view: InvoiceDetail) -> dict[str, Any]:
    applied = {p.id: sum((a.amount for a in p.applied_to if a.invoice_id == view.invoice.id),
                         Decimal(0)) for p in view.payments}
    return {**invoice(view), "lines": [_line(line) for line in view.invoice.lines],
            "payments": [{"id": p.id, "txn_date": day(p.txn_date), "amount": money(applied[p.id]),
                          "method": p.method, "reference": p.reference}
                         for p in view.payments]}


def customer(view: CustomerView) -> dict[str, Any]:
    c = view.customer
    return {"id": c.id, "display_name": c.display_name, "company_name": c.company_name,
            "email": list(c.email), "phone": c.phone, "active": c.active,
            "currency": c.currency, "balance": money(view.balance),
            "open_invoices": view.open_invoices, "overdue_invoices": view.overdue_invoices,
            "invitation_status": view.invitation_status, "updated_at": time(c.updated_at)}


def payment(p: Payment) -> dict[str, Any]:
    return {"id": p.id, "status": "voided" if p.voided else "recorded",
            "customer": {"id": p.customer_id, "name": p.customer_name},
            "txn_date": day(p.txn_date), "total": money(p.total),
            "unapplied": money(p.unapplied), "currency": p.currency, "method": p.method,
            "reference": p.reference, "source": p.source,
            "applied_to": [{"invoice_id": a.invoice_id, "amount": money(a.amount)}
                           for a in p.applied_to],
            "updated_at": time(p.updated_at)}


def connection(view: ConnectionView) -> dict[str, Any]:
    s = view.state
    return {"status": view.status, "company_name": s.company_name if s else None,
            "realm_id": s.realm_id if s else None, "changed_at": time(s.changed_at) if s else None,
            "reason": s.reason if s else None}


def sync_status(view: SyncStatusView) -> dict[str, Any]:
    state = view.state
    run, done, failed = state.running, state.last_completed, state.last_failure
    return {
        "running": None if run is None else {
            "run_id": run.run_id, "entity": run.entity, "rows_done": run.done,
            "rows_expected": run.expected, "reported_at": time(run.reported_at)},
        "last_completed": None if done is None else {
            "run_id": done.run_id, "mode": done.mode, "started_at": time(done.started_at),
            "finished_at": time(done.finished_at), "counts": dict(done.counts)},
        "last_failure": None if failed is None else {
            "run_id": failed.run_id, "error_class": failed.error_class,
            "message": failed.message, "failed_at": time(failed.failed_at)},
        "requested_at": time(state.requested_at),
        "customers_synced": view.customers_synced,
    }


def command(c: CommandStatus) -> dict[str, Any]:
    return {"id": c.command_id, "type": c.command_type, "state": c.state,
            "requested_at": time(c.requested_at), "settled_at": time(c.settled_at),
            "entity_id": c.entity_id, "doc_number": c.doc_number, "reason": c.reason,
            "code": c.code, "links": {"self": f"/api/v1/commands/{c.command_id}"}}
