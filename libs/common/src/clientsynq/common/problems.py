"""RFC 9457 problem+json for every error a ClientSynq HTTP API returns.

One shape for every 4xx/5xx means the portal UI, Enterprise integrators and our own
services handle errors with one code path. Details of unexpected failures never reach the
client (they may hold tokens or customer data); they go to the log with the traceback.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://errors.clientsynq.dev/"
DEFAULT_MAX_BODY_BYTES = 64 * 1024


class ClientSynqError(Exception):
    """Base for errors that become a problem response; subclasses set the three attributes."""

    slug = "internal-error"
    title = "Internal server error"
    status = 500

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extensions: dict[str, Any] = extensions

    def headers(self) -> dict[str, str]:
        return {}


class BadRequest(ClientSynqError):
    slug, title, status = "bad-request", "Bad request", 400


class ValidationFailed(ClientSynqError):
    """Field errors as ``{"path.to.field": ["message", ...]}`` in the ``errors`` member."""

    slug, title, status = "validation-failed", "Validation failed", 422

    def __init__(self, errors: Any, detail: str | None = None) -> None:
        super().__init__(detail or "The request has invalid fields.", errors=flatten_errors(errors))


class Unauthorized(ClientSynqError):
    slug, title, status = "unauthorized", "Authentication required", 401

    def __init__(self, detail: str | None = None, challenge: str = "Bearer") -> None:
        super().__init__(detail)
        self.challenge = challenge

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": self.challenge}


class Forbidden(ClientSynqError):
    slug, title, status = "forbidden", "Forbidden", 403


class PlanDoesNotAllow(Forbidden):
    slug, title = "plan-does-not-allow", "Your plan does not include this feature"


class NotFound(ClientSynqError):
    slug, title, status = "not-found", "Not found", 404


class MethodNotAllowed(ClientSynqError):
    slug, title, status = "method-not-allowed", "Method not allowed", 405


class Conflict(ClientSynqError):
    slug, title, status = "conflict", "Conflict", 409


class PayloadTooLarge(ClientSynqError):
    slug, title, status = "payload-too-large", "Payload too large", 413


class UnsupportedMediaType(ClientSynqError):
    slug, title, status = "unsupported-media-type", "Unsupported media type", 415


class TooManyRequests(ClientSynqError):
    slug, title, status = "too-many-requests", "Too many requests", 429

    def __init__(self, detail: str | None = None, retry_after: int | None = None) -> None:
        extensions = {} if retry_after is None else {"retry_after": retry_after}
        super().__init__(detail, **extensions)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


class ServiceUnavailable(ClientSynqError):
    slug, title, status = "service-unavailable", "Service unavailable", 503


_BY_STATUS: dict[int, type[ClientSynqError]] = {
    cls.status: cls
    for cls in (BadRequest, Unauthorized, Forbidden, NotFound, MethodNotAllowed, Conflict,
                PayloadTooLarge, UnsupportedMediaType, TooManyRequests, ServiceUnavailable)
}


def problem_response(err: ClientSynqError, instance: str | None = None) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + err.slug,
        "title": err.title,
        "status": err.status,
        "detail": err.detail,
    }
    if instance is not None:
        body["instance"] = instance
    body.update({k: v for k, v in err.extensions.items() if k not in body})
    response = Response(json.dumps(body, default=str), status=err.status, mimetype=PROBLEM_JSON)
    response.headers.update(err.headers())
    return response


def register_error_handlers(app: Flask) -> None:
    """Every error leaves the app as problem+json, including Flask's own 404/405/413."""
    app.register_error_handler(ClientSynqError, _on_clientsynq_error)
    app.register_error_handler(ValidationError, _on_validation_error)
    app.register_error_handler(HTTPException, _on_http_exception)
    app.register_error_handler(Exception, _on_unexpected)


def _on_clientsynq_error(err: ClientSynqError) -> Response:
    if err.status >= 500:
        log.error("http.error", extra={"slug": err.slug, "path": request.path})
    return problem_response(err, request.path)


def _on_validation_error(err: ValidationError) -> Response:
    return problem_response(ValidationFailed(err.messages), request.path)


def _on_http_exception(err: HTTPException) -> Response | HTTPException:
    if err.code is None or err.code < 400:
        return err  # redirects raised by routing (e.g. a missing trailing slash)
    problem = as_problem(err)
    response = problem_response(problem, request.path)
    for name, value in err.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def as_problem(err: HTTPException) -> ClientSynqError:
    """Werkzeug's exception as ours; its description is generic text, safe to show."""
    code = err.code or 500
    known = _BY_STATUS.get(code)
    if known is not None:
        problem = known(err.description)
    else:
        problem = ClientSynqError(err.description)
        problem.slug = re.sub(r"[^a-z0-9]+", "-", (err.name or "error").lower()).strip("-")
        problem.title, problem.status = err.name or "Error", code
    return problem


def _on_unexpected(err: Exception) -> Response:
    log.error("http.unhandled_exception", exc_info=err, extra={"path": request.path})
    return problem_response(ClientSynqError("An unexpected error occurred."), request.path)


def json_body(schema: Schema | type[Schema], max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> Any:
    """The request's JSON body loaded by ``schema``; raises a ClientSynqError otherwise.

    Strict on purpose: the content type must be JSON, duplicate keys and NaN are refused
    (two parsers could read them differently), and unknown fields are refused by the schema.
    """
    if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        raise UnsupportedMediaType("The request body must be application/json.")
    data = read_body(max_bytes)
    try:
        parsed = json.loads(data.decode("utf-8"), object_pairs_hook=_unique_keys,
                            parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadRequest(f"The request body is not valid JSON: {_json_reason(exc)}.") from None
    loader = schema() if isinstance(schema, type) else schema
    try:
        return loader.load(parsed)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages) from None


def read_body(max_bytes: int) -> bytes:
    """Read at most ``max_bytes``; a larger body is refused before it is buffered."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise PayloadTooLarge(f"The request body must not exceed {max_bytes} bytes.")
    current = request.max_content_length
    request.max_content_length = max_bytes if current is None else min(current, max_bytes)
    try:
        data = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise PayloadTooLarge(f"The request body must not exceed {max_bytes} bytes.") from None
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"The request body must not exceed {max_bytes} bytes.")
    return data


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _json_reason(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8"
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow's nested messages as ``{"lines.0.amount": [...]}`` (easy for a form UI)."""
    if isinstance(messages, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            path = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            for inner_path, inner in flatten_errors(value, path).items():
                flat.setdefault(inner_path, []).extend(inner)
        return flat
    if isinstance(messages, list):
        flat = {}
        for item in messages:
            for inner_path, inner in flatten_errors(item, prefix).items():
                flat.setdefault(inner_path, []).extend(inner)
        return flat
    return {prefix or "_body": [str(messages)]}
