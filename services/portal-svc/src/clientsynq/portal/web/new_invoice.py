"""Pro: create an invoice in QuickBooks from ClientSynq.

The form is checked with the same schema the command event carries (one definition of a
valid invoice); the invoice is then pending until QuickBooks answers, and the request page
shows, live, the real invoice or QuickBooks' refusal in its words.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from clientsynq.common.auth.origin import require_same_origin
from clientsynq.common.events.commands import InvoiceCreateRequestedSchema
from clientsynq.common.problems import ClientSynqError
from clientsynq.portal.readmodels.queries import MAX_LIMIT, CustomerQuery
from clientsynq.portal.services import commands, queries
from clientsynq.portal.web.commands import CENT, actor
from clientsynq.portal.web.live import live_stream_for
from clientsynq.portal.web.session import business_page, deps, principal
from flask import Blueprint, redirect, render_template, request
from marshmallow import ValidationError
from werkzeug.wrappers.response import Response

bp = Blueprint("new_invoice", __name__)
NEW_INVOICE = InvoiceCreateRequestedSchema(exclude=("command_id", "requested_by"))
LINE_ROWS = 3


def _line(description: str, quantity: str, unit_price: str) -> dict[str, Any] | None:
    """Amount = quantity times rate, exact to the cent; a row left empty is not a line."""
    if not (description.strip() or unit_price.strip()):
        return None
    try:
        qty, rate = Decimal(quantity or "1"), Decimal(unit_price or "0")
    except InvalidOperation:
        return {"description": description, "amount": "not a number"}
    return {"description": description.strip(), "quantity": str(qty),
            "unit_price": str(rate), "amount": str((qty * rate).quantize(CENT))}


def _form_body() -> dict[str, Any]:
    form = request.form
    rows = zip(form.getlist("description"), form.getlist("quantity"),
               form.getlist("unit_price"), strict=False)
    lines = [line for line in (_line(*row) for row in rows) if line is not None]
    body: dict[str, Any] = {"customer_id": form.get("customer_id", ""), "lines": lines}
    for name in ("txn_date", "due_date", "email"):
        if form.get(name, "").strip():
            body[name] = form[name].strip()
    return body


def _form(errors: dict[str, Any] | None = None, refused: str | None = None,
          status: int = 200) -> tuple[str, int]:
    who = principal()
    customers = queries.list_customers(deps().read, who.tenant_id, CustomerQuery(limit=MAX_LIMIT))
    return render_template("business/new_invoice.html", title="Create an invoice",
                           section="invoices", principal=who, customers=customers.items,
                           form=request.form, errors=errors or {}, refused=refused,
                           rows=range(LINE_ROWS), today=deps().read.today().isoformat()), status


@bp.get("/invoices/new")
@business_page
def new_invoice() -> tuple[str, int]:
    try:
        commands.check_may_write(actor(principal()), "create invoices")
    except ClientSynqError as refusal:
        return _form(refused=refusal.detail, status=refusal.status)
    return _form()


@bp.post("/invoices/new")
@business_page
@require_same_origin
def create_invoice() -> Response | tuple[str, int]:
    try:
        commands.check_may_write(actor(principal()), "create invoices")
        body = NEW_INVOICE.load(_form_body())
        command = commands.request_invoice(deps().api.commands, actor(principal()), body)
    except ValidationError as invalid:
        found = invalid.messages
        return _form(errors=found if isinstance(found, dict) else {"form": found}, status=422)
    except ClientSynqError as refusal:
        if refusal.status >= 500:
            raise
        return _form(refused=refusal.detail, status=refusal.status)
    return redirect(f"/invoices/requests/{command.command_id}", code=303)


@bp.get("/invoices/requests/<command_id>")
@business_page
def invoice_request(command_id: str) -> str:
    who = principal()
    command = queries.get_command(deps().read, who.tenant_id, command_id)
    return render_template("business/invoice_request.html", title="New invoice",
                           section="invoices", principal=who, command=command,
                           live_stream=live_stream_for(f"command/{command_id}"))
