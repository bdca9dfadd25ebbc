"""POST endpoints of `/api/v1`: Sync Now and the Pro commands, each answering 202 at once
(the work happens in sync-svc); every one honours Idempotency-Key."""
from __future__ import annotations

from clientsynq.common.events.commands import (
    InvoiceCreateRequestedSchema,
    PaymentRecordRequestedSchema,
)
from clientsynq.common.events.fields import format_time
from clientsynq.portal.api import serialize
from clientsynq.portal.api.edge import api, caller, install_edge
from clientsynq.portal.api.http import idempotent, json_response, load_body
from clientsynq.portal.domain.model import CommandStatus
from clientsynq.portal.services import commands
from flask import Blueprint, Response

bp = Blueprint("api_commands", __name__, url_prefix="/api/v1")
install_edge(bp)

# The command events' own schemas, less what the portal fills in: one definition of a valid
# invoice or payment request, shared with sync-svc.
NEW_INVOICE = InvoiceCreateRequestedSchema(exclude=("command_id", "requested_by"))
NEW_PAYMENT = PaymentRecordRequestedSchema(exclude=("command_id", "requested_by", "source"))


@bp.post("/sync")
@idempotent
def request_sync() -> Response:
    who = caller()
    who.require_business()
    requested = commands.request_sync(api().commands, who.actor)
    response = json_response({"request_id": requested.request_id, "state": "requested",
                              "requested_at": format_time(requested.requested_at),
                              "links": {"status": "/api/v1/sync"}}, status=202, etag=False)
    response.headers["Location"] = "/api/v1/sync"
    return response


@bp.post("/invoices")
@idempotent
def create_invoice() -> Response:
    who = caller()
    who.require_scope("invoices:write")
    commands.check_may_write(who.actor, "create invoices")
    command = commands.request_invoice(api().commands, who.actor, load_body(NEW_INVOICE))
    return _accepted(command)


@bp.post("/payments")
@idempotent
def record_payment() -> Response:
    who = caller()
    who.require_scope("payments:write")
    commands.check_may_write(who.actor, "record payments")
    command = commands.request_payment(api().commands, who.actor, load_body(NEW_PAYMENT))
    return _accepted(command)


def _accepted(command: CommandStatus) -> Response:
    response = json_response(serialize.command(command), status=202, etag=False)
    response.headers["Location"] = f"/api/v1/commands/{command.command_id}"
    return response
