"""Builders for outbound unit tests: an Outbound on fakes, endpoints, a dispatcher run."""
from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from clientsynq.webhooks.config import DeliverySettings
from clientsynq.webhooks.domain.deliveries import Delivery
from clientsynq.webhooks.domain.endpoints import Endpoint, EndpointSecret, new_signing_secret
from clientsynq.webhooks.services.dispatcher import Dispatcher
from clientsynq.webhooks.services.outbound import Outbound
from fakes import (
    FakeClock,
    FakeDeliveryStore,
    FakeEndpointStore,
    FakeLeases,
    FakeMailer,
    FakeOwners,
    FakeSender,
)
from webhook_harness import wait_until


def an_outbound(clock: FakeClock | None = None, sender: FakeSender | None = None,
                random: Any = lambda: 0.5, owners: FakeOwners | None = None,
                **settings: Any) -> Outbound:
    return Outbound(endpoints=FakeEndpointStore(), deliveries=FakeDeliveryStore(),
                    sender=sender or FakeSender(), mailer=FakeMailer(),
                    clock=clock or FakeClock(), settings=DeliverySettings(**settings),
                    owners=owners or FakeOwners(), random=random)


def an_endpoint(deps: Outbound, tenant_id: str = "tenant-1", url: str | None = None,
                event_types: tuple[str, ...] = ("invoice.updated",),
                alert_email: str | None = "owner@example.com") -> Endpoint:
    now = deps.clock()
    endpoint = Endpoint(id="ep_" + uuid.uuid4().hex[:8], tenant_id=tenant_id,
                        url=url or f"https://{uuid.uuid4().hex[:6]}.example.com/hook",
                        description="", event_types=event_types,
                        secrets=(EndpointSecret(new_signing_secret(), now),), created_at=now,
                        updated_at=now, alert_email=alert_email)
    deps.endpoints.add(endpoint)
    return endpoint


def a_delivery(deps: Outbound, endpoint: Endpoint, payload: str = '{"type":"x"}') -> Delivery:
    now = deps.clock()
    delivery = Delivery(id=uuid.uuid4().hex, tenant_id=endpoint.tenant_id,
                        endpoint_id=endpoint.id, message_id="msg_" + uuid.uuid4().hex,
                        event_type="invoice.updated", payload=payload, created_at=now,
                        next_attempt_at=now)
    deps.deliveries.add_many([delivery])
    return delivery


def a_dispatcher(deps: Outbound, leases: FakeLeases | None = None) -> Dispatcher:
    return Dispatcher(deps, leases or FakeLeases(), endpoint_cache_seconds=0)


def run_due(dispatcher: Dispatcher) -> int:
    """One round, then wait (bounded) for its threads: time itself never passes here."""
    submitted = dispatcher.round()
    wait_until(dispatcher.idle, 10, "the round's deliveries to finish", interval=0.001)
    return submitted


def advance_and_run(clock: FakeClock, dispatcher: Dispatcher, **delta: float) -> int:
    clock.advance(**delta)
    return run_due(dispatcher)


HOUR = timedelta(hours=1)
