"""GET endpoints of `/api/v1`: one use case each; the tenant always comes from the caller."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clientsynq.portal.api import serialize
from clientsynq.portal.api.edge import api, caller, install_edge, read
from clientsynq.portal.api.http import json_response, page_response, render_page
from clientsynq.portal.api.params import customer_query, invoice_query, payment_query
from clientsynq.portal.domain.errors import CommandNotFound
from clientsynq.portal.domain.views import Page
from clientsynq.portal.services import queries
from flask import Blueprint, Response, request

bp = Blueprint("api_reads", __name__, url_prefix="/api/v1")
install_edge(bp)


def _page(page: Page[Any], render: Callable[[Any], dict[str, Any]]) -> Response:
    return json_response(_page_body(page, render))


def _page_body(page: Page[Any], render: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    next_link = None
    if page.next_cursor is not None:
        args = {**request.args.to_dict(), "cursor": page.next_cursor}
        next_link = request.path + "?" + "&".join(f"{k}={v}" for k, v in args.items())
    return {"data": [render(item) for item in page.items],
            "next_cursor": page.next_cursor, "links": {"next": next_link}}


@bp.get("/invoices")
def list_invoices() -> Response:
    """Served from the page cache while the tenant's list version and today's date are what
    they were (`api/page_cache.py`); the version is read before any row."""
    who = caller()
    who.require_scope("invoices:read")
    query, models = invoice_query(), read()
    today = models.today()
    key = ("invoices", who.tenant_id, who.customer_id, request.path,
           tuple(request.args.items(multi=True)), today,
           models.invoices.list_version(who.tenant_id))
    return page_response(api().pages.get_or_render(key, lambda: render_page(_page_body(
        queries.list_invoices(models, who.tenant_id, query, customer_scope=who.customer_id,
                              today=today), serialize.invoice))))


@bp.get("/invoices/<invoice_id>")
def get_invoice(invoice_id: str) -> Response:
    who = caller()
    who.require_scope("invoices:read")
    detail = queries.get_invoice(read(), who.tenant_id, invoice_id, who.customer_id)
    return json_response(serialize.invoice_detail(detail))


@bp.get("/customers")
def list_customers() -> Response:
    who = caller()
    who.require_scope("customers:read")
    if who.customer_id is not None:  # a client sees its own customer record only
        own = queries.get_customer(read(), who.tenant_id, who.customer_id, who.customer_id)
        return _page(Page(items=(own,)), serialize.customer)
    return _page(queries.list_customers(read(), who.tenant_id, customer_query()),
                 serialize.customer)


@bp.get("/customers/<customer_id>")
def get_customer(customer_id: str) -> Response:
    who = caller()
    who.require_scope("customers:read")
    view = queries.get_customer(read(), who.tenant_id, customer_id, who.customer_id)
    return json_response(serialize.customer(view))


@bp.get("/payments")
def list_payments() -> Response:
    who = caller()
    who.require_scope("payments:read")
    return _page(queries.list_payments(read(), who.tenant_id, payment_query(),
                                       customer_scope=who.customer_id), serialize.payment)


@bp.get("/payments/<payment_id>")
def get_payment(payment_id: str) -> Response:
    who = caller()
    who.require_scope("payments:read")
    return json_response(serialize.payment(
        queries.get_payment(read(), who.tenant_id, payment_id, who.customer_id)))


@bp.get("/connection")
def get_connection() -> Response:
    who = caller()
    who.require_business()
    return json_response(serialize.connection(queries.get_connection(read(), who.tenant_id)))


@bp.get("/sync")
def get_sync_status() -> Response:
    who = caller()
    who.require_business()
    return json_response(serialize.sync_status(queries.get_sync_status(read(), who.tenant_id)))


@bp.get("/commands/<command_id>")
def get_command(command_id: str) -> Response:
    """Each caller sees the commands it asked for (a client only its own payments)."""
    who = caller()
    command = queries.get_command(read(), who.tenant_id, command_id)
    if who.customer_id is not None and command.requested_by != who.subject:
        raise CommandNotFound(f"No command {command_id}.")
    return json_response(serialize.command(command))
