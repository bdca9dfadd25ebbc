"""The control API under /_sandbox/: what tests and demos use to steer the emulator."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from flask import Blueprint, Response, request

from . import timefmt
from .api_accounting import RESOURCES
from .apps import app_from_dict
from .errors import QboFault, not_found
from .http_util import error_response, plain_json, sandbox
from .rules.invoices import send_invoice
from .rules.merges import merge
from .rules.operations import apply_write
from .sandbox import spec_from_json
from .store import CompanyStore
from .throttle import Limits

LIMIT_FIELDS = tuple(f.name for f in fields(Limits))

bp = Blueprint("control", __name__, url_prefix="/_sandbox")


@bp.errorhandler(ValueError)
@bp.errorhandler(KeyError)
@bp.errorhandler(TypeError)
def _bad_request(err: Exception) -> Response:
    status = 404 if isinstance(err, KeyError) else 400
    return plain_json({"error": str(err)}, status)


@bp.errorhandler(QboFault)
def _fault(fault: QboFault) -> Response:
    return error_response(fault)


def _json() -> dict[str, Any]:
    body = request.get_json(silent=True) if request.data else {}
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


@bp.get("/health")
def health() -> Response:
    """Liveness, for start-up polling."""
    return plain_json({"status": "ok", "companies": len(sandbox().companies)})


@bp.route("/apps", methods=["GET", "POST"])
def apps() -> Response:
    """List apps, or register one (every field optional: generated when missing)."""
    box = sandbox()
    if request.method == "GET":
        return plain_json([a.public_dict() for a in box.apps.all()])
    return plain_json(box.apps.add(app_from_dict(_json())).public_dict(), 201)


@bp.route("/apps/<client_id>", methods=["GET", "PATCH"])
def one_app(client_id: str) -> Response:
    """Read or change an app (webhook URL, verifier, format, redirect URIs)."""
    box = sandbox()
    if box.apps.get(client_id) is None:
        raise KeyError(f"unknown app {client_id}")
    if request.method == "PATCH":
        return plain_json(box.apps.update(client_id, _json()).public_dict())
    return plain_json(box.apps.get(client_id).public_dict())  # type: ignore[union-attr]


@bp.route("/companies", methods=["GET", "POST"])
def companies() -> Response:
    """List companies, or create one seeded by the generator (customers/invoices/payments)."""
    box = sandbox()
    if request.method == "GET":
        return plain_json([_company_json(s) for s in list(box.companies.values())])
    body = _json()
    store = box.create_company(spec_from_json(body), body.get("realm_id"),
                               shuffle_ties=bool(body.get("shuffle_ties", False)),
                               void_shape=body.get("void_shape"),
                               cdc_cut_order=body.get("cdc_cut_order"))
    return plain_json(_company_json(store), 201)


@bp.get("/companies/<realm_id>")
def company(realm_id: str) -> Response:
    """Counts of one company."""
    return plain_json(_company_json(_store(realm_id)))


@bp.post("/companies/<realm_id>/<resource>")
def user_creates(realm_id: str, resource: str) -> Response:
    """A QuickBooks user creates an entity (fires the Create webhook)."""
    store = _store(realm_id)
    entity = apply_write(store, _entity_type(resource), "create", _json())
    return plain_json(entity, 201)


@bp.route("/companies/<realm_id>/<resource>/<entity_id>", methods=["GET", "PATCH", "DELETE"])
def user_changes(realm_id: str, resource: str, entity_id: str) -> Response:
    """Read, sparse-update or delete as a QuickBooks user would: no SyncToken needed."""
    store = _store(realm_id)
    entity_type = _entity_type(resource)
    if request.method == "GET":
        current = store.get(entity_type, entity_id)
        if current is None:
            raise not_found(entity_type, entity_id)
        return plain_json(current)
    operation = "delete" if request.method == "DELETE" else "update"
    with store.lock:
        body = {**_json(), **_current_version(store, entity_type, entity_id), "sparse": True}
        return plain_json(apply_write(store, entity_type, operation, body))


@bp.post("/companies/<realm_id>/<resource>/<entity_id>/void")
def user_voids(realm_id: str, resource: str, entity_id: str) -> Response:
    """A QuickBooks user voids an invoice or payment."""
    store = _store(realm_id)
    entity_type = _entity_type(resource)
    with store.lock:
        body = _current_version(store, entity_type, entity_id)
        return plain_json(apply_write(store, entity_type, "void", body))


@bp.post("/companies/<realm_id>/<resource>/<entity_id>/merge")
def user_merges(realm_id: str, resource: str, entity_id: str) -> Response:
    """A QuickBooks user merges a customer into another ({"into": id}): Merge webhook."""
    store = _store(realm_id)
    entity_type = _entity_type(resource)
    into = _json().get("into")
    with store.lock:
        survivor = merge(store, entity_type, entity_id, str(into or ""), timefmt.now_text())
    return plain_json(survivor)


@bp.post("/companies/<realm_id>/invoice/<invoice_id>/send")
def user_sends(realm_id: str, invoice_id: str) -> Response:
    """A QuickBooks user emails an invoice (fires the Emailed webhook)."""
    store = _store(realm_id)
    with store.lock:
        invoice = send_invoice(store, invoice_id, _json().get("send_to"), timefmt.now_text())
    return plain_json(invoice)


@bp.post("/connections")
def connect() -> Response:
    """Tokens for (client_id, realm_id) without the browser: a shortcut for service tests."""
    body = _json()
    box = sandbox()
    if box.apps.get(body["client_id"]) is None:
        raise KeyError(f"unknown app {body['client_id']}")
    _store(body["realm_id"])
    scopes = tuple(body.get("scopes") or ("com.intuit.quickbooks.accounting",))
    return plain_json(box.tokens.connect(body["client_id"], body["realm_id"], scopes), 201)


@bp.post("/tokens/expire")
def expire_tokens() -> Response:
    """Expire one token (by value) or all of a realm: which = access | refresh | all."""
    body = _json()
    which = body.get("which", "access")
    kinds = {"access": {"access"}, "refresh": {"refresh"}, "all": {"access", "refresh"}}[which]
    _require_target(body)
    count = sandbox().tokens.expire(kinds, body.get("token"), body.get("realm_id"))
    return plain_json({"expired": count})


@bp.post("/tokens/revoke")
def revoke_tokens() -> Response:
    """Disconnect: by token value, or every app connected to a realm."""
    body = _json()
    _require_target(body)
    return plain_json({"revoked_grants": sandbox().tokens.revoke_all(
        body.get("token"), body.get("realm_id"))})


@bp.route("/faults", methods=["GET", "POST", "DELETE"])
def faults() -> Response:
    """Inject {status, delay_ms, count, realm_id, kind}; list; or clear all."""
    injector = sandbox().faults
    if request.method == "POST":
        return plain_json(vars(injector.add(_json())), 201)
    if request.method == "DELETE":
        injector.clear()
    return plain_json(injector.list())


@bp.route("/limits", methods=["GET", "PUT"])
def limits() -> Response:
    """Read or set any Limits field (requests_per_minute, requests_per_second,
    concurrent_requests, batch_requests_per_minute[_app]) [, realm_id].

    A field left out keeps its current value (the realm's, or the default's).
    """
    throttle = sandbox().throttle
    if request.method == "PUT":
        body = _json()
        current = throttle.limits_for(body["realm_id"]) if body.get("realm_id") else \
            throttle.default
        changes = {name: int(body[name]) for name in LIMIT_FIELDS if name in body}
        throttle.set_limits(replace(current, **changes), body.get("realm_id"))
    return plain_json(throttle.describe())


@bp.get("/requests")
def requests_log() -> Response:
    """The request log, filterable by realm_id, kind, after (seq) and limit."""
    args = request.args
    return plain_json(sandbox().requests.query(
        args.get("realm_id"), args.get("kind"), int(args.get("after", 0)),
        int(args.get("limit", 1000))))


@bp.get("/counts")
def counts() -> Response:
    """Counters for one realm (?realm_id=) or all."""
    return plain_json(sandbox().counts(request.args.get("realm_id")))


@bp.get("/webhooks/deliveries")
def deliveries() -> Response:
    """Every delivery attempt with status, error, body and signature."""
    return plain_json(sandbox().webhooks.attempts(request.args.get("realm_id")))


@bp.post("/webhooks/flush")
def flush_webhooks() -> Response:
    """Send batched changes now; with {"wait": seconds} also wait until all are delivered."""
    body = _json()
    hooks = sandbox().webhooks
    hooks.flush()
    idle = hooks.wait_idle(float(body["wait"])) if body.get("wait") else None
    return plain_json({"pending": hooks.pending_count(), "idle": idle})


@bp.post("/reset")
def reset() -> Response:
    """Forget companies, tokens, faults, logs (and apps unless keep_apps)."""
    sandbox().reset(keep_apps=bool(_json().get("keep_apps")))
    return plain_json({"status": "reset"})


@bp.post("/save")
def save() -> Response:
    """Write the data file now (when the server runs with --data-file)."""
    saver = sandbox().saver
    if saver is None:
        raise ValueError("the sandbox runs without --data-file")
    return plain_json({"saved": saver.save()})


def _store(realm_id: str) -> CompanyStore:
    store = sandbox().companies.get(realm_id)
    if store is None:
        raise KeyError(f"unknown company {realm_id}")
    return store


def _entity_type(resource: str) -> str:
    if resource.lower() not in RESOURCES:
        raise KeyError(f"unknown resource {resource}")
    return RESOURCES[resource.lower()]


def _current_version(store: CompanyStore, entity_type: str, entity_id: str) -> dict[str, str]:
    current = store.get(entity_type, entity_id)
    if current is None:
        raise not_found(entity_type, entity_id)
    return {"Id": entity_id, "SyncToken": current["SyncToken"]}


def _require_target(body: dict[str, Any]) -> None:
    if not body.get("token") and not body.get("realm_id"):
        raise ValueError("give a token or a realm_id")


def _company_json(store: CompanyStore) -> dict[str, Any]:
    return {"realm_id": store.realm_id, "name": store.name, "counts": store.counts()}
