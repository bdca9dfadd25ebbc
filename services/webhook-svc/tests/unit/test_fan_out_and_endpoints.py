"""Events become deliveries for subscribed endpoints; the owner's endpoint use cases."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from clientsynq.common.events import load_event
from clientsynq.common.testing import a_customer_event, an_invoice_event
from clientsynq.webhooks.domain.deliveries import CANCELLED, DELIVERED, PENDING, Response
from clientsynq.webhooks.domain.errors import DeliveryNotFound, EndpointNotFound, UnsafeUrl
from clientsynq.webhooks.domain.queue import first_attempt
from clientsynq.webhooks.services import endpoints as uc
from clientsynq.webhooks.services.outbound import fan_out
from fakes import FakeClock, FakeDeliveryStore
from outbound_builders import a_delivery, a_dispatcher, an_endpoint, an_outbound, run_due


def refuse_private(url: str) -> None:
    if "10.0.0.1" in url:
        raise UnsafeUrl("private")


def test_an_event_becomes_one_delivery_per_subscribed_endpoint_once():
    deps = an_outbound()
    wants = an_endpoint(deps, event_types=("invoice.updated", "payment.recorded"))
    an_endpoint(deps, event_types=("customer.updated",))
    an_endpoint(deps, tenant_id="tenant-2", event_types=("invoice.updated",))
    event = load_event(an_invoice_event(tenant_id="tenant-1"))
    assert fan_out(deps, event) == 1
    assert fan_out(deps, event) == 0  # consumed again after a crash: nothing new
    (delivery,) = deps.deliveries.deliveries.values()
    assert delivery.endpoint_id == wants.id and delivery.tenant_id == "tenant-1"
    assert '"type":"invoice.updated"' in delivery.payload


def test_a_paused_endpoint_queues_and_gets_everything_on_resume():
    deps = an_outbound()
    endpoint = an_endpoint(deps, event_types=("customer.updated",))
    uc.pause_endpoint(deps, "tenant-1", endpoint.id)
    fan_out(deps, load_event(a_customer_event()))
    dispatcher = a_dispatcher(deps)
    assert run_due(dispatcher) == 0
    uc.resume_endpoint(deps, "tenant-1", endpoint.id)
    assert run_due(dispatcher) == 1


def test_an_unsafe_url_is_refused_and_nothing_is_stored():
    deps = an_outbound()
    with pytest.raises(UnsafeUrl):
        uc.create_endpoint(deps, refuse_private, "tenant-1",
                           {"url": "https://10.0.0.1/x", "event_types": ["invoice.updated"]})
    assert not deps.endpoints.endpoints


def test_resend_sends_the_same_message_again_and_replay_sends_each_message_since_once():
    clock = FakeClock()
    deps = an_outbound(clock)
    endpoint = an_endpoint(deps)
    dispatcher = a_dispatcher(deps)
    first = load_event(an_invoice_event())
    fan_out(deps, first)
    clock.advance(hours=2)
    since = clock()
    second, third = load_event(an_invoice_event()), load_event(an_invoice_event())
    fan_out(deps, second)
    fan_out(deps, third)
    run_due(dispatcher)
    clock.advance(minutes=1)
    assert uc.replay_since(deps, "tenant-1", endpoint.id, since) == 2
    (old,) = [d for d in deps.deliveries.deliveries.values() if d.created_at < since]
    again = uc.resend(deps, "tenant-1", endpoint.id, old.id)
    assert again.message_id == old.message_id and again.id != old.id
    deps.sender.sent.clear()
    run_due(dispatcher)
    assert len(deps.sender.sent) == 3


def test_another_business_cannot_see_or_touch_an_endpoint():
    deps = an_outbound()
    endpoint = an_endpoint(deps)
    for call in (lambda: uc.get_endpoint(deps, "tenant-2", endpoint.id),
                 lambda: uc.pause_endpoint(deps, "tenant-2", endpoint.id),
                 lambda: uc.delete_endpoint(deps, "tenant-2", endpoint.id),
                 lambda: uc.rotate_secret(deps, "tenant-2", endpoint.id),
                 lambda: uc.send_test(deps, "tenant-2", endpoint.id)):
        with pytest.raises(EndpointNotFound):
            call()
    other = an_endpoint(deps, tenant_id="tenant-2")
    fan_out(deps, load_event(an_invoice_event(tenant_id="tenant-2")))
    (theirs,) = deps.deliveries.deliveries.values()
    with pytest.raises(DeliveryNotFound):
        uc.resend(deps, "tenant-1", endpoint.id, theirs.id)
    assert uc.list_deliveries(deps, "tenant-1", endpoint.id, 50) == []
    assert other.id in deps.endpoints.endpoints


def test_rotation_keeps_the_old_secret_for_the_grace_period():
    clock = FakeClock()
    deps = an_outbound(clock, secret_grace_seconds=3600)
    endpoint = an_endpoint(deps)
    rotated = uc.rotate_secret(deps, "tenant-1", endpoint.id)
    stored = deps.endpoints.get("tenant-1", endpoint.id)
    assert len(stored.signing_secrets(clock())) == 2
    assert stored.signing_secrets(clock() + timedelta(hours=1)) == [rotated.secret]


def test_deleting_an_endpoint_cancels_its_pending_deliveries_at_once():
    clock = FakeClock()
    deps = an_outbound(clock)
    deleted, kept = an_endpoint(deps), an_endpoint(deps)
    deps.sender.answers[deleted.url] = Response(status=500, latency_ms=3.0)
    retrying = a_delivery(deps, deleted)
    dispatcher = a_dispatcher(deps)
    run_due(dispatcher)  # the first attempt fails: the next one is seconds away
    assert deps.deliveries.get("tenant-1", retrying.id).status == PENDING
    other = a_delivery(deps, kept)
    uc.delete_endpoint(deps, "tenant-1", deleted.id)
    assert deps.deliveries.get("tenant-1", retrying.id).status == CANCELLED  # not due yet
    assert deps.deliveries.get("tenant-1", other.id).status == PENDING
    deps.sender.sent.clear()
    clock.advance(hours=30)
    run_due(dispatcher)
    assert [url for url, _, _ in deps.sender.sent] == [kept.url]


class UnreadQueue(FakeDeliveryStore):
    """A queue whose reads see nothing yet: only a hand-over can start a send."""

    def all_due(self, now, limit, skip_endpoints=()):
        return []


def test_entries_the_worker_just_stored_are_sent_without_a_read_of_the_queue():
    deps = dataclasses.replace(an_outbound(), deliveries=UnreadQueue())
    endpoint = an_endpoint(deps)
    delivery = a_delivery(deps, endpoint)
    dispatcher = a_dispatcher(deps)
    assert run_due(dispatcher) == 0  # the read finds nothing
    dispatcher.offer([first_attempt(delivery)])
    dispatcher.offer([first_attempt(delivery)])  # offered twice (a batch consumed again)
    run_due(dispatcher)
    assert [url for url, _, _ in deps.sender.sent] == [endpoint.url]
    assert deps.deliveries.get("tenant-1", delivery.id).status == DELIVERED
