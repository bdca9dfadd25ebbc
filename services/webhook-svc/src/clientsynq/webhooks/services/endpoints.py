"""Use cases behind the endpoints API; every one is scoped to the caller's business."""
from __future__ import annotations

import dataclasses
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from clientsynq.webhooks.domain.deliveries import Delivery
from clientsynq.webhooks.domain.endpoints import (
    TEST_EVENT,
    Endpoint,
    EndpointSecret,
    new_signing_secret,
)
from clientsynq.webhooks.domain.errors import (
    DeliveryNotFound,
    EndpointDisabled,
    EndpointNotFound,
)
from clientsynq.webhooks.domain.public import ping_payload
from clientsynq.webhooks.services.outbound import Outbound, cancel_pending

MAX_REPLAY = 10_000
UrlCheck = Any  # a callable(url) raising UnsafeUrl


@dataclass(frozen=True)
class Created:
    endpoint: Endpoint
    secret: str


def create_endpoint(deps: Outbound, check_url: UrlCheck, tenant_id: str,
                    fields: dict[str, Any]) -> Created:
    """The URL is checked (SSRF) before anything is stored; the secret is shown once."""
    check_url(fields["url"])
    now, secret = deps.clock(), new_signing_secret()
    endpoint = Endpoint(id="ep_" + uuid.uuid4().hex, tenant_id=tenant_id, url=fields["url"],
                        description=fields.get("description", ""),
                        event_types=tuple(fields["event_types"]),
                        secrets=(EndpointSecret(secret, now),), created_at=now,
                        updated_at=now, alert_email=fields.get("alert_email"))
    deps.endpoints.add(endpoint)
    return Created(endpoint, secret)


def get_endpoint(deps: Outbound, tenant_id: str, endpoint_id: str) -> Endpoint:
    endpoint = deps.endpoints.get(tenant_id, endpoint_id)
    if endpoint is None:
        raise EndpointNotFound()
    return endpoint


def list_endpoints(deps: Outbound, tenant_id: str) -> Sequence[Endpoint]:
    return deps.endpoints.list(tenant_id)


def update_endpoint(deps: Outbound, check_url: UrlCheck, tenant_id: str, endpoint_id: str,
                    changes: dict[str, Any]) -> Endpoint:
    endpoint = get_endpoint(deps, tenant_id, endpoint_id)
    if "url" in changes:
        check_url(changes["url"])
    if "event_types" in changes:
        changes = {**changes, "event_types": tuple(changes["event_types"])}
    updated = dataclasses.replace(endpoint, **changes, updated_at=deps.clock())
    deps.endpoints.save(updated)
    return updated


def pause_endpoint(deps: Outbound, tenant_id: str, endpoint_id: str) -> Endpoint:
    return _set(deps, get_endpoint(deps, tenant_id, endpoint_id), paused=True)


def resume_endpoint(deps: Outbound, tenant_id: str, endpoint_id: str) -> Endpoint:
    """Also re-enables a disabled endpoint; its five-day count starts afresh."""
    endpoint = get_endpoint(deps, tenant_id, endpoint_id)
    return _set(deps, endpoint, paused=False, resumed_at=deps.clock())


def delete_endpoint(deps: Outbound, tenant_id: str, endpoint_id: str) -> None:
    """Its pending deliveries are cancelled at once, retries scheduled for later included
    (before, only as each came due); see `cancel_pending` for what is left to the worker."""
    if not deps.endpoints.delete(tenant_id, endpoint_id):
        raise EndpointNotFound()
    cancel_pending(deps, endpoint_id, holder=f"api/{socket.gethostname()}")


def rotate_secret(deps: Outbound, tenant_id: str, endpoint_id: str) -> Created:
    endpoint = get_endpoint(deps, tenant_id, endpoint_id)
    grace = timedelta(seconds=deps.settings.secret_grace_seconds)
    updated, secret = endpoint.rotated(deps.clock(), grace)
    deps.endpoints.save(updated)
    return Created(updated, secret)


def send_test(deps: Outbound, tenant_id: str, endpoint_id: str) -> Delivery:
    endpoint = get_endpoint(deps, tenant_id, endpoint_id)
    if endpoint.is_disabled:
        raise EndpointDisabled("Resume the endpoint before sending it a test event.")
    now = deps.clock()
    delivery = _new_delivery(endpoint, "msg_" + uuid.uuid4().hex, TEST_EVENT,
                             ping_payload(endpoint.id, now), now)
    deps.deliveries.add_many([delivery])
    return delivery


def list_deliveries(deps: Outbound, tenant_id: str, endpoint_id: str,
                    limit: int) -> Sequence[Delivery]:
    get_endpoint(deps, tenant_id, endpoint_id)
    return deps.deliveries.list(tenant_id, endpoint_id, limit)


def resend(deps: Outbound, tenant_id: str, endpoint_id: str, delivery_id: str) -> Delivery:
    """A fresh delivery of the same message (same `webhook-id`, so receivers dedupe)."""
    endpoint = get_endpoint(deps, tenant_id, endpoint_id)
    original = deps.deliveries.get(tenant_id, delivery_id)
    if original is None or original.endpoint_id != endpoint.id:
        raise DeliveryNotFound()
    delivery = _new_delivery(endpoint, original.message_id, original.event_type,
                             original.payload, deps.clock())
    deps.deliveries.add_many([delivery])
    return delivery


def replay_since(deps: Outbound, tenant_id: str, endpoint_id: str, since: datetime) -> int:
    """Every message this endpoint was sent (or owed) since `since`, once each, again."""
    endpoint = get_endpoint(deps, tenant_id, endpoint_id)
    now, seen = deps.clock(), set()
    fresh = []
    for old in deps.deliveries.created_since(tenant_id, endpoint.id, since, MAX_REPLAY):
        if old.message_id not in seen and old.created_at < now:
            seen.add(old.message_id)
            fresh.append(_new_delivery(endpoint, old.message_id, old.event_type, old.payload,
                                       now))
    return deps.deliveries.add_many(fresh)


def _new_delivery(endpoint: Endpoint, message_id: str, event_type: str, payload: str,
                  now: datetime) -> Delivery:
    return Delivery(id=uuid.uuid4().hex, tenant_id=endpoint.tenant_id, endpoint_id=endpoint.id,
                    message_id=message_id, event_type=event_type, payload=payload,
                    created_at=now, next_attempt_at=now)


def _set(deps: Outbound, endpoint: Endpoint, **changes: Any) -> Endpoint:
    updated = dataclasses.replace(endpoint, **changes, updated_at=deps.clock())
    deps.endpoints.save(updated)
    return updated
