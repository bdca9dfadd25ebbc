"""Response helpers of `/api/v1`: JSON with ETags, request bodies as 400 problems, and
Idempotency-Key on POSTs.

JSON is written by orjson (a list page's encoding with the standard library was a tenth of
its Python time): compact, UTF-8, the same values; non-string keys are written as strings
as `json.dumps` did.
"""
from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any, TypeVar, cast

import orjson
from clientsynq.common.problems import (
    BadRequest,
    ClientSynqError,
    Conflict,
    ValidationFailed,
    json_body,
    problem_response,
)
from clientsynq.portal.api.edge import api, caller, read
from clientsynq.portal.api.page_cache import CachedPage
from clientsynq.portal.api.ports import StoredResponse
from flask import Response, request
from marshmallow import Schema
from werkzeug.http import generate_etag

F = TypeVar("F", bound=Callable[..., Any])
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")
REPLAYED_HEADERS = ("Content-Type", "Location")


class InvalidBody(ValidationFailed):
    """A body that does not fit the schema is the caller's mistake: 400, with each field."""

    slug, title, status = "invalid-body", "Invalid request body", 400


class IdempotencyKeyReused(ClientSynqError):
    slug, title, status = ("idempotency-key-reused",
                           "Idempotency-Key already used with another request", 422)


class IdempotentRequestInProgress(Conflict):
    slug, title = "idempotent-request-in-progress", "The first request with this key is running"


def json_response(payload: Any, status: int = 200, etag: bool = True) -> Response:
    """ETag from the body: a client sending If-None-Match with it gets 304 and no body."""
    if etag and status == 200:
        return page_response(render_page(payload))
    return Response(encode_json(payload), status=status, mimetype="application/json")


def encode_json(payload: Any) -> bytes:
    return orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS)


def render_page(payload: Any) -> CachedPage:
    """A 200 body and its ETag (as Werkzeug's `add_etag` makes it), ready to keep."""
    body = encode_json(payload)
    return CachedPage(body=body, etag=generate_etag(body))


def page_response(page: CachedPage) -> Response:
    response = Response(page.body, mimetype="application/json")
    response.set_etag(page.etag)
    response.make_conditional(request)
    return response


def load_body(schema: Schema) -> Any:
    try:
        return json_body(schema)
    except ValidationFailed as err:
        raise InvalidBody(err.extensions.get("errors", {}),
                          "The request body has invalid fields.") from None


def idempotent(view: F) -> F:
    """Same key and same request → the first answer again; same key, other request → 422.

    Keys are per caller (an API key or a user), so two integrators cannot collide. Answers
    with 5xx are not kept: the retry runs again.
    """
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return _run(view, args, kwargs)
        if not IDEMPOTENCY_KEY.fullmatch(key):
            raise BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters.")
        who = caller()
        scope = f"{who.tenant_id}|{who.rate_key}|{key}"
        fingerprint = hashlib.sha256(
            f"{request.method} {request.path}\n".encode() + request.get_data()).hexdigest()
        store = api().idempotency
        first = store.begin(scope, fingerprint, read().clock())
        if first is not None:
            return _replay(first, fingerprint)
        try:
            response = _run(view, args, kwargs)
        except BaseException:
            store.abandon(scope)
            raise
        if response.status_code >= 500:
            store.abandon(scope)
        else:
            store.finish(scope, StoredResponse(
                fingerprint=fingerprint, status=response.status_code,
                body=response.get_data(as_text=True),
                headers={k: v for k, v in response.headers.items() if k in REPLAYED_HEADERS}))
        return response
    return cast(F, wrapper)


def _run(view: Callable[..., Response], args: Any, kwargs: Any) -> Response:
    """Refusals become responses here, so the first answer can be kept as it was sent."""
    try:
        return view(*args, **kwargs)
    except ClientSynqError as err:
        if err.status >= 500:
            raise
        return problem_response(err, request.path)


def _replay(first: StoredResponse, fingerprint: str) -> Response:
    if first.fingerprint != fingerprint:
        raise IdempotencyKeyReused("This Idempotency-Key was used with a different request; "
                                   "use a new key for a new request.")
    if first.status is None:
        raise IdempotentRequestInProgress("Retry when the first request has finished.")
    response = Response(first.body, status=first.status, headers=first.headers)
    response.headers["Idempotent-Replayed"] = "true"
    return response
