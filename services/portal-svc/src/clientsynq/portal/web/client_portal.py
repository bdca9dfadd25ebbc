"""The client portal: one customer's invoices, payments and (Pro) the Pay action.

Every read passes the client's customer id as `customer_scope`, so another customer's
invoice answers 404 exactly like an id that does not exist.
"""
from __future__ import annotations

from datetime import date, timedelta

from clientsynq.common.auth.origin import require_same_origin
from clientsynq.common.problems import ClientSynqError
from clientsynq.portal.domain.errors import CommandNotFound
from clientsynq.portal.domain.model import CommandStatus
from clientsynq.portal.readmodels.queries import PaymentQuery
from clientsynq.portal.services import invitations, queries, statement
from clientsynq.portal.web import commands
from clientsynq.portal.web.listing import (
    STATUS_CHOICES,
    STATUS_LABELS,
    invoice_query,
    next_page_query,
)
from clientsynq.portal.web.live import live_stream_for
from clientsynq.portal.web.session import client_page, deps, principal
from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers.response import Response

bp = Blueprint("client_portal", __name__)
PAYING_PLANS = ("pro", "enterprise")


@bp.get("/portal/signin")
def signin() -> str:
    return render_template("portal/signin.html", title="Sign in to your portal")


@bp.get("/portal")
@client_page
def invoices() -> str:
    who = principal()
    invitations.note_client_signed_in(deps().read, deps().invitation_ledger, who)
    page = queries.list_invoices(deps().read, who.tenant_id, invoice_query(request.args),
                                 customer_scope=who.customer_id)
    return render_template("portal/invoices.html", title="Your invoices", section="invoices",
                           principal=who, page=page, status=request.args.get("status", "all"),
                           status_choices=STATUS_CHOICES, status_labels=STATUS_LABELS,
                           invoice_base="/portal/invoices", is_client=True,
                           next_query=next_page_query(request.args, page.next_cursor))


def payment_command(tenant_id: str, command_id: str | None) -> CommandStatus | None:
    """The client's own Pay, followed by its id in the URL (another's id shows nothing)."""
    if not command_id:
        return None
    try:
        return queries.get_command(deps().read, tenant_id, command_id)
    except CommandNotFound:
        return None


def invoice_page(invoice_id: str, refused: str | None = None, status: int = 200) -> tuple[str, int]:
    who = principal()
    detail = queries.get_invoice(deps().read, who.tenant_id, invoice_id,
                                 customer_scope=who.customer_id)
    command_id = request.args.get("payment")
    command = payment_command(who.tenant_id, command_id)
    if command is not None and command.requested_by != who.subject:
        command = None
    stream, page_url = live_stream_for(f"invoice/{invoice_id}"), f"/portal/invoices/{invoice_id}"
    stream += f"?command={command_id}" if command else ""
    page_url += f"?payment={command_id}" if command else ""
    page = render_template(
        "portal/invoice.html", title=f"Invoice {detail.invoice.doc_number}", section="invoices",
        principal=who, detail=detail, is_client=True, status_labels=STATUS_LABELS,
        can_pay=who.plan in PAYING_PLANS, live_stream=stream, live_page=page_url,
        pending=command if command and command.state == "pending" else None,
        confirmed=command if command and command.state == "succeeded" else None,
        refused=refused or (command.reason if command and command.state == "failed" else None))
    return page, status


@bp.get("/portal/invoices/<invoice_id>")
@client_page
def invoice(invoice_id: str) -> tuple[str, int]:
    return invoice_page(invoice_id)


@bp.post("/portal/invoices/<invoice_id>/pay")
@client_page
@require_same_origin
def pay(invoice_id: str) -> Response | tuple[str, int]:
    """Pending until QuickBooks confirms; a refusal is shown on the invoice, nothing saved."""
    try:
        command = commands.pay_invoice(principal(), invoice_id, request.form.get("amount", ""))
    except ClientSynqError as refusal:
        if refusal.status >= 500 or refusal.status == 404:
            raise
        return invoice_page(invoice_id, refused=refusal.detail, status=refusal.status)
    return redirect(f"/portal/invoices/{invoice_id}?payment={command.command_id}", code=303)


@bp.get("/portal/payments")
@client_page
def payments() -> str:
    who = principal()
    page = queries.list_payments(deps().read, who.tenant_id, PaymentQuery(
        cursor=request.args.get("cursor") or None, limit=25), customer_scope=who.customer_id)
    return render_template("portal/payments.html", title="Payment history", section="payments",
                           principal=who, page=page)


def _day(raw: str | None, default: date) -> date:
    try:
        return date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


@bp.get("/portal/statement")
@client_page
def statement_of_account() -> tuple[str, int]:
    """Defaults to the last 90 days; the period stays inside the 12 months the portal holds."""
    who, today = principal(), deps().read.today()
    earliest = today - statement.WINDOW
    start = max(_day(request.args.get("from"), today - timedelta(days=90)), earliest)
    end = min(_day(request.args.get("to"), today), today)
    refused = None
    if start > end:
        refused, start, end = "The start date must be before the end date.", end, end
    found = statement.customer_statement(deps().read, who.tenant_id, who.customer_id or "",
                                         start, end)
    return render_template("portal/statement.html", title="Statement of account",
                           section="statement", principal=who, statement=found,
                           earliest=earliest.isoformat(), today=today.isoformat(),
                           refused=refused), 200
