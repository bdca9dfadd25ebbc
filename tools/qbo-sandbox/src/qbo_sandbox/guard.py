"""What happens to every request before and after its view: the gateway's job.

Order: classify the path, bearer authentication (401/403), throttling (429), injected
faults (a slow fault holds its throttle slot, as a slow server would); afterwards the
intuit_tid header and the request log. The control API (/_sandbox) is never faulted,
throttled or logged.
"""

from __future__ import annotations

import contextlib
import re
import socket
import time

from flask import Flask, Response, g, request

from . import errors, timefmt
from .errors import OAuthError, QboFault, SandboxError, ThrottleExceeded
from .fault_injection import API_KINDS, FaultRule
from .fault_shapes import shaped_response, xml_authentication_fault
from .http_util import error_response, new_tid, sandbox
from .oauth_tokens import AuthenticationError
from .query_policy import check_minor_version

_API_PATH = re.compile(r"^/v3/company/([^/]+)(?:/([^/]+))?(?:/([^/]+))?(?:/([^/]+))?")
_OAUTH_KINDS = {"/oauth2/v1/tokens/bearer": "token", "/v2/oauth2/tokens/revoke": "revoke",
                "/v1/openid_connect/userinfo": "userinfo", "/connect/oauth2": "authorize"}
ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"
OAUTH_ONLY = frozenset(_OAUTH_KINDS.values())


def classify(path: str, method: str) -> tuple[str, str | None]:
    """(kind, realm) of a request path, used for faults, logs and throttling."""
    match = _API_PATH.match(path)
    if match:
        realm, resource, entity_id, action = match.groups()
        if resource in ("query", "cdc", "batch", "companyinfo"):
            return resource, realm
        if action == "send":
            return "send", realm
        return ("write" if method == "POST" else "read"), realm
    if path.startswith("/.well-known/"):
        return "discovery", None
    return _OAUTH_KINDS.get(path.rstrip("/") or path, "other"), None


def install_guard(app: Flask) -> None:
    """Register the before/after/teardown hooks on the app."""
    app.before_request(_before)
    app.after_request(_after)
    app.teardown_request(_teardown)


def _before() -> Response | None:
    timefmt.set_zone(sandbox().options.time_zone)
    g.started = time.monotonic()
    g.tid = new_tid()
    g.kind, g.realm_id = classify(request.path, request.method)
    g.throttled = False
    if request.path.startswith("/_sandbox"):
        return None
    if not _on_its_own_port(sandbox().oauth_port):
        return error_response(errors.QboFault("500", "Unsupported Operation",
                                              "The URI is not supported on this host",
                                              status=404))
    if g.kind in API_KINDS:
        refused = _admit_api_call()
        if refused is not None:
            return refused
    faults = sandbox().faults
    fault = faults.take(g.realm_id, g.kind)
    if fault is not None:
        if fault.hang:
            faults.hang(fault)
        elif fault.delay_ms:
            faults.sleep(fault.delay_ms / 1000)  # inside the throttle slot, like a slow server
        if fault.when == "after":
            g.after_fault = fault  # the request runs; _after loses its answer
            return None
        return _fault_answer(fault, Response(status=200))
    return None


def _fault_answer(fault: FaultRule, response: Response) -> Response | None:
    """The injected answer: no answer at all (drop), the status's body, or none (delay)."""
    if fault.drop or fault.hang:
        drop_connection()
        g.dropped = True
        return response
    if fault.status is not None and fault.shape != "default":
        return shaped_response(fault.shape, fault.status)
    if fault.status is not None:
        return error_response(_injected(fault.status, g.kind))
    return None


def drop_connection() -> None:
    """Close the client's connection now: werkzeug's later write fails quietly, the client
    sees the connection end without a status line (requests: ConnectionError)."""
    sock = request.environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _on_its_own_port(oauth_port: int | None) -> bool:
    """With OAuth split off, its endpoints answer only there and the API only on the main
    port (discovery on both): a client that derives one host from the other gets a 404."""
    if oauth_port is None or g.kind == "discovery":
        return True
    is_oauth = g.kind in OAUTH_ONLY or request.path.startswith("/op/v1/")
    return is_oauth == (request.environ.get("SERVER_PORT") == str(oauth_port))


def _admit_api_call() -> Response | None:
    """Authenticate the bearer token for the path's realm, then take a throttle slot."""
    box = sandbox()
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return _authentication_failed("Authorization header missing")
    try:
        grant = box.tokens.authenticate(header[7:].strip())
    except AuthenticationError as err:
        return _authentication_failed(f"{err}: SRV-110-Authentication Failure")
    if grant.realm_id != g.realm_id or ACCOUNTING_SCOPE not in grant.scopes:
        return error_response(errors.authorization_failed(
            "The token is not authorized for this company or scope"))
    g.client_id = grant.client_id
    g.company = box.companies.get(g.realm_id)
    if g.company is None:
        return error_response(errors.authorization_failed("Company not found"))
    try:
        check_minor_version(request.args, box.options)
    except QboFault as fault:
        return error_response(fault)
    if not box.throttle.acquire(g.realm_id, client_id=grant.client_id,
                                batch=g.kind == "batch"):
        return error_response(ThrottleExceeded())
    g.throttled = True
    return None


def _authentication_failed(detail: str) -> Response:
    """The gateway's JSON 3200, or QBO's XML code 100: always for a client that did not ask
    for JSON (no `Accept: application/json`), for every client with auth_fault_body=xml."""
    wants_json = "json" in request.headers.get("Accept", "").lower()
    if wants_json and sandbox().options.auth_fault_body != "xml":
        return error_response(errors.authentication_failed(detail))
    response = Response(xml_authentication_fault(), 401, content_type="application/xml")
    response.headers["WWW-Authenticate"] = 'Bearer realm="Intuit", error="invalid_token"'
    return response


def _injected(status: int, kind: str) -> SandboxError:
    """The body a real failure of that status would carry."""
    if status == 429:
        return ThrottleExceeded()
    if kind in ("token", "revoke", "userinfo"):
        return OAuthError("server_error" if status == 500 else "temporarily_unavailable",
                          "Injected by qbo-sandbox", status)
    if status == 500:
        return QboFault("10000", "An application error has occurred while processing your "
                        "request", "System Failure Error: injected by qbo-sandbox",
                        "SystemFault", 500)
    return QboFault("10000", "Service Unavailable", "The service is temporarily unavailable, "
                    "try again later (injected by qbo-sandbox)", "SystemFault", status)


def _after(response: Response) -> Response:
    _realistic_latency()
    fault = g.pop("after_fault", None)
    if fault is not None:
        response = _fault_answer(fault, response) or response
    response.headers["intuit_tid"] = g.get("tid") or new_tid()
    if not request.path.startswith("/_sandbox") and "kind" in g:
        sandbox().requests.record({
            "time": time.time(), "method": request.method, "path": request.path,
            "query_string": request.query_string.decode(errors="replace"),
            "kind": g.kind, "realm_id": g.realm_id, "status": response.status_code,
            "requestid": request.args.get("requestid"), "intuit_tid": g.tid,
            "client_id": g.get("client_id"), "dropped": g.get("dropped", False),
            "duration_ms": round((time.monotonic() - g.started) * 1000, 2)})
    return response


def _realistic_latency() -> None:
    """With the latency options, an API call takes base + per_row x rows returned (views set
    g.rows; 1 otherwise), inside its throttle slot like real work."""
    options = sandbox().options
    if g.get("kind") not in API_KINDS or not (options.latency_base_ms or
                                               options.latency_per_row_ms):
        return
    rows = g.get("rows", 1)
    sandbox().faults.sleep((options.latency_base_ms + options.latency_per_row_ms * rows) / 1000)


def _teardown(_exc: BaseException | None) -> None:
    if g.get("throttled"):
        sandbox().throttle.release(g.realm_id, g.get("client_id") or "")
        g.throttled = False
