"""Response helpers shared by the blueprints: Intuit-style JSON, faults, request ids."""

from __future__ import annotations

import json
import random
import secrets
from typing import TYPE_CHECKING, Any

from flask import Response, current_app, g

from . import timefmt
from .errors import SandboxError

if TYPE_CHECKING:
    from .sandbox import Sandbox


def sandbox() -> Sandbox:
    """The Sandbox this app serves (set by create_app)."""
    box: Sandbox = current_app.extensions["qbo_sandbox"]
    return box


def tie_shuffler() -> random.Random | None:
    """A fresh random order for tied rows when the shuffle_ties option is on (for the
    whole sandbox, or for the company of the request)."""
    company = getattr(g, "company", None)
    on = sandbox().options.shuffle_ties or bool(getattr(company, "shuffle_ties", False))
    return random.Random() if on else None


def qbo_json(payload: dict[str, Any], status: int = 200) -> Response:
    """A v3 answer: the payload plus Intuit's `time`, compact JSON."""
    body = json.dumps({**payload, "time": timefmt.response_time()}, separators=(",", ":"))
    return Response(body, status=status, content_type="application/json;charset=UTF-8")


def plain_json(payload: Any, status: int = 200) -> Response:
    """JSON without `time` (OAuth endpoints, control API)."""
    return Response(json.dumps(payload, separators=(",", ":")), status=status,
                    content_type="application/json")


def error_response(err: SandboxError) -> Response:
    """Render any SandboxError with its own status, body and content type."""
    body, content_type = err.render()
    response = Response(body, status=err.status, content_type=content_type)
    if err.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="Intuit", error="invalid_token"'
    return response


def new_tid() -> str:
    """An intuit_tid like 1-627de851-4479c0f75a6b53953216f423."""
    return f"1-{secrets.token_hex(4)}-{secrets.token_hex(12)}"
