"""The Accounting API: /v3/company/{realmId}/query, read by id, companyinfo, writes, send.

The guard has already authenticated the token for this realm and put its store in g.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, request

from . import timefmt
from .errors import QboFault, not_found, unsupported
from .http_util import error_response, qbo_json, sandbox, tie_shuffler
from .query_exec import run_query
from .query_policy import parse_checked
from .request_log import StoredResponse
from .rules.invoices import send_invoice
from .rules.operations import WRITABLE_TYPES, apply_write, operation_for
from .store import CompanyStore

bp = Blueprint("accounting", __name__)

RESOURCES = {"customer": "Customer", "invoice": "Invoice", "payment": "Payment",
             "item": "Item", "term": "Term", "paymentmethod": "PaymentMethod"}


@bp.route("/v3/company/<realm_id>/query", methods=["GET", "POST"])
def query(realm_id: str) -> Response:
    """GET ?query=... or POST with the statement as an application/text body."""
    statement = (request.args.get("query") if request.method == "GET"
                 else request.get_data(as_text=True))
    parsed = parse_checked(statement or "", sandbox().options)
    answer = run_query(g.company, parsed, shuffle=tie_shuffler())
    g.rows = answer.get("maxResults", 1)
    return qbo_json({"QueryResponse": answer})


@bp.get("/v3/company/<realm_id>/companyinfo/<company_id>")
def company_info(realm_id: str, company_id: str) -> Response:
    """CompanyInfo answers to the realm id and to its own Id ("1")."""
    store: CompanyStore = g.company
    info = store.get("CompanyInfo", "1")
    if info is None or company_id not in (realm_id, "1"):
        raise not_found("CompanyInfo", company_id)
    return qbo_json({"CompanyInfo": info})


@bp.get("/v3/company/<realm_id>/<resource>/<entity_id>")
def read(realm_id: str, resource: str, entity_id: str) -> Response:
    """Read one entity by Id; missing or deleted is Intuit's 610 Object Not Found."""
    entity_type = _entity_type(resource)
    store: CompanyStore = g.company
    with store.lock:
        entity = store.get(entity_type, entity_id)
    if entity is None:
        raise not_found(entity_type, entity_id)
    return qbo_json({entity_type: entity})


@bp.post("/v3/company/<realm_id>/<resource>")
def write(realm_id: str, resource: str) -> Response:
    """Create, update (full or sparse), delete or void, with requestid idempotency."""
    entity_type = _entity_type(resource)
    if entity_type not in WRITABLE_TYPES:
        raise unsupported(f"Write operations are not supported for {entity_type}")
    body = json_body()
    operation = operation_for(body, request.args.get("operation"), request.args.get("include"))
    return replayable(g.company, lambda: _write_response(g.company, entity_type, operation, body))


@bp.post("/v3/company/<realm_id>/invoice/<invoice_id>/send")
def send(realm_id: str, invoice_id: str) -> Response:
    """Email an invoice: EmailStatus EmailSent, DeliveryInfo, an Emailed webhook."""
    store: CompanyStore = g.company
    send_to = request.args.get("sendTo")

    def run() -> Response:
        with store.lock:
            invoice = send_invoice(store, invoice_id, send_to, timefmt.now_text())
        return qbo_json({"Invoice": invoice})
    return replayable(store, run)


def _write_response(store: CompanyStore, entity_type: str, operation: str,
                    body: dict[str, Any]) -> Response:
    return qbo_json({entity_type: apply_write(store, entity_type, operation, body)})


def replayable(store: CompanyStore, run: Any) -> Response:
    """Same requestid on the same realm: the first response again, and nothing done twice.

    The check, the write and the remembering happen under the company lock, so two
    concurrent retries with one requestid cannot both create.
    """
    request_id = request.args.get("requestid")
    if not request_id:
        return run_safely(run)
    replay = sandbox().replay
    with store.lock:
        stored = replay.get(store.realm_id, request_id)
        if stored is not None:
            return Response(stored.body, status=stored.status, content_type=stored.content_type)
        response = run_safely(run)
        replay.put(store.realm_id, request_id, StoredResponse(
            response.status_code, response.get_data(), response.content_type))
    return response


def run_safely(run: Any) -> Response:
    """Run a write, turning its business faults into responses (so they can be replayed)."""
    try:
        response: Response = run()
    except QboFault as fault:
        return error_response(fault)
    return response


def json_body() -> dict[str, Any]:
    """The request's JSON object, or Intuit's 2010 fault for anything else."""
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise QboFault("2010", "Request has invalid or unsupported property",
                       "The request body is not a valid JSON object")
    return body


def _entity_type(resource: str) -> str:
    entity_type = RESOURCES.get(resource)
    if entity_type is None:
        raise unsupported(f"Unsupported resource: {resource}")
    return entity_type
