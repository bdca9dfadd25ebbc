"""`POST /webhooks/intuit`: Intuit's change notifications (no user, a signature instead)."""
from __future__ import annotations

from clientsynq.common.problems import PayloadTooLarge
from clientsynq.common.service import MAX_REQUEST_BYTES
from clientsynq.webhooks.services.intuit import receive_notification
from flask import Blueprint, Response, current_app, jsonify, request

bp = Blueprint("intuit", __name__)


@bp.post("/webhooks/intuit")
def intuit_notification() -> tuple[Response, int]:
    """200 when recorded; 202 when the realm is no business's (Intuit must not retry it)."""
    if (request.content_length or 0) > MAX_REQUEST_BYTES:
        raise PayloadTooLarge("Notifications larger than 1 MiB are refused.")
    body = request.get_data(cache=False)  # a chunked body is capped by MAX_CONTENT_LENGTH
    deps = current_app.extensions["clientsynq"]
    received = receive_notification(deps.intuit, body, request.headers.get("intuit-signature"))
    status = 202 if received.result == "unknown_realm" else 200
    return jsonify(notification_id=received.notification_id, result=received.result), status
