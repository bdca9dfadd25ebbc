"""Live pages by Server-Sent Events: "something you are looking at changed, re-read it".

A stream watches a fingerprint of what one page shows (read through the same query use
cases as the page) and sends `changed` when it moves; the page's script then re-reads its
live regions. Streams end after `STREAM_SECONDS` with a short `retry`, so a gunicorn thread
is never held for long and the browser's EventSource simply reconnects; the first message of
every stream is a `changed`, so nothing that happened between the page's render and the
stream's start is missed. `X-Accel-Buffering: no` tells the gateway (nginx) not to buffer.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from clientsynq.common.auth import Principal
from clientsynq.common.problems import NotFound
from clientsynq.portal.domain.errors import CommandNotFound
from clientsynq.portal.services import queries
from clientsynq.portal.web.session import cookie_principal, deps
from flask import Blueprint, Response, request, stream_with_context

bp = Blueprint("live", __name__)
POLL_SECONDS = 0.4
STREAM_SECONDS = 25.0
HEARTBEAT_SECONDS = 10.0


def live_stream_for(topic: str) -> str:
    return f"/live/{topic}"


@bp.app_context_processor
def live_page() -> dict[str, str]:
    """Where a live page re-reads its regions: the page itself when it was a GET. A page
    rendered in answer to a POST (a refused Sync Now or Pay, shown at the form's URL)
    names its GET page instead (`live_page=` to `render_template`): re-reading the POST URL
    with a GET answers 405, and that page stopped following the state for good."""
    if request.method != "GET":
        return {}
    return {"live_page": request.full_path.rstrip("?")}


def _sync_fingerprint(who: Principal, _arg: str) -> str:
    read = deps().read
    return repr((queries.get_connection(read, who.tenant_id),
                 queries.get_sync_status(read, who.tenant_id)))


def _invoice_fingerprint(who: Principal, invoice_id: str) -> str:
    """The invoice with its payments, plus (for a client following their Pay) the command."""
    scope = who.customer_id if who.is_client else None
    detail = queries.get_invoice(deps().read, who.tenant_id, invoice_id, customer_scope=scope)
    command_id = request.args.get("command")
    command = None
    if command_id:
        try:
            command = queries.get_command(deps().read, who.tenant_id, command_id).state
        except CommandNotFound:
            command = None
    return repr((detail, command))


def _command_fingerprint(who: Principal, command_id: str) -> str:
    if who.is_client:
        raise NotFound("No such stream.")
    return repr(queries.get_command(deps().read, who.tenant_id, command_id))


FINGERPRINTS: dict[str, Callable[[Principal, str], str]] = {
    "command": _command_fingerprint,
    "sync": _sync_fingerprint,
    "invoice": _invoice_fingerprint,
}


def _events(fingerprint: Callable[[], str], wait: Callable[[float], None] = time.sleep,
            clock: Callable[[], float] = time.monotonic) -> Iterator[str]:
    yield "retry: 500\nevent: changed\ndata: {}\n\n"
    seen, started, beat = fingerprint(), clock(), clock()
    while clock() - started < STREAM_SECONDS:
        wait(POLL_SECONDS)
        now = fingerprint()
        if now != seen:
            seen = now
            yield "event: changed\ndata: {}\n\n"
        elif clock() - beat > HEARTBEAT_SECONDS:
            beat = clock()
            yield ": still here\n\n"


@bp.get("/live/<topic>", defaults={"arg": ""})
@bp.get("/live/<topic>/<arg>")
def stream(topic: str, arg: str) -> Response:
    who = cookie_principal()
    compute = FINGERPRINTS.get(topic)
    if who is None or compute is None or (topic == "sync" and who.is_client):
        raise NotFound("No such stream.")
    compute(who, arg)  # refuses (404) before streaming anything for what the caller may not see
    return Response(stream_with_context(_events(lambda: compute(who, arg))),
                    mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
