"""Request bodies of the endpoints API (unknown fields are refused) and answer shapes."""
from __future__ import annotations

from typing import Any

from clientsynq.common.events import format_time
from clientsynq.webhooks.domain.deliveries import Delivery
from clientsynq.webhooks.domain.endpoints import EVENT_TYPES, Endpoint
from marshmallow import RAISE, Schema, fields, validate


def _event_types(required: bool) -> fields.List:
    return fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)), required=required,
                       validate=validate.Length(min=1, max=len(EVENT_TYPES)))


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class EndpointCreateSchema(_Strict):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2048))
    description = fields.String(load_default="", validate=validate.Length(max=500))
    event_types = _event_types(required=True)
    alert_email = fields.Email(load_default=None, allow_none=True)


class EndpointUpdateSchema(_Strict):
    url = fields.String(validate=validate.Length(min=1, max=2048))
    description = fields.String(validate=validate.Length(max=500))
    event_types = _event_types(required=False)
    alert_email = fields.Email(allow_none=True)


class ReplaySchema(_Strict):
    since = fields.AwareDateTime(required=True)


def endpoint_json(endpoint: Endpoint) -> dict[str, Any]:
    """Never the secret: it is shown once, when created or rotated."""
    health = endpoint.health
    return {"id": endpoint.id, "url": endpoint.url, "description": endpoint.description,
            "event_types": list(endpoint.event_types), "state": endpoint.state,
            "alert_email": endpoint.alert_email, "created_at": format_time(endpoint.created_at),
            "updated_at": format_time(endpoint.updated_at),
            "failing_since": _time(endpoint.failing_since()),
            "disabled_at": _time(health.disabled_at if endpoint.is_disabled and health
                                 else None)}


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    return {"id": delivery.id, "message_id": delivery.message_id,
            "event_type": delivery.event_type, "status": delivery.status,
            "created_at": format_time(delivery.created_at),
            "next_attempt_at": _time(delivery.next_attempt_at),
            "attempts": [{"number": a.number, "at": format_time(a.at), "status": a.status,
                          "latency_ms": a.latency_ms, "outcome": a.outcome,
                          "response_excerpt": a.excerpt, "error": a.error}
                         for a in delivery.attempts]}


def _time(value: Any) -> str | None:
    return format_time(value) if value is not None else None
