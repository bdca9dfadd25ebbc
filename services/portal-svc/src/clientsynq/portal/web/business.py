"""The business app's data pages: customers (with portal invitations) and invoices."""
from __future__ import annotations

from clientsynq.common.auth.origin import require_same_origin
from clientsynq.portal.readmodels.queries import CustomerQuery
from clientsynq.portal.services import invitations, queries
from clientsynq.portal.web.invitation_mail import BrandedSender, mail_branding
from clientsynq.portal.web.listing import (
    INVITATION_LABELS,
    PAGE_SIZE,
    STATUS_CHOICES,
    STATUS_LABELS,
    invoice_query,
    next_page_query,
)
from clientsynq.portal.web.live import live_stream_for
from clientsynq.portal.web.session import business_page, deps, principal, session_token
from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers.response import Response

bp = Blueprint("business", __name__)


@bp.get("/customers")
@business_page
def customers() -> str:
    who, q = principal(), (request.args.get("q") or "").strip()[:100]
    page = queries.list_customers(deps().read, who.tenant_id, CustomerQuery(
        search=q or None, cursor=request.args.get("cursor") or None, limit=PAGE_SIZE))
    notice = {"invited": "Invitation sent.",
              "refused": "The invitation could not be sent."}.get(request.args.get("sent", ""))
    return render_template("business/customers.html", title="Customers", section="customers",
                           principal=who, page=page, q=q, notice=notice,
                           invitation_labels=INVITATION_LABELS,
                           next_query=next_page_query(request.args, page.next_cursor))


@bp.post("/customers/<customer_id>/invite")
@business_page
@require_same_origin
def invite(customer_id: str) -> Response:
    d, who = deps(), principal()
    sender = BrandedSender(d.auth_client, mail_branding(d.branding, who))
    invitations.invite_client(d.read, sender, d.invitation_ledger, who, session_token(),
                              customer_id)
    return redirect("/customers?sent=invited", code=303)


@bp.get("/invoices")
@business_page
def invoices() -> str:
    who = principal()
    customer = request.args.get("customer") or None
    page = queries.list_invoices(deps().read, who.tenant_id,
                                 invoice_query(request.args, customer_id=customer))
    return render_template("business/invoices.html", title="Invoices", section="invoices",
                           principal=who, page=page, q=request.args.get("q", ""),
                           status=request.args.get("status", "all"), customer=customer,
                           status_choices=STATUS_CHOICES, status_labels=STATUS_LABELS,
                           invoice_base="/invoices", is_client=False,
                           next_query=next_page_query(request.args, page.next_cursor))


@bp.get("/invoices/<invoice_id>")
@business_page
def invoice(invoice_id: str) -> str:
    who = principal()
    detail = queries.get_invoice(deps().read, who.tenant_id, invoice_id)
    return render_template("business/invoice.html", title=f"Invoice {detail.invoice.doc_number}",
                           section="invoices", principal=who, detail=detail, is_client=False,
                           status_labels=STATUS_LABELS,
                           live_stream=live_stream_for(f"invoice/{invoice_id}"))
