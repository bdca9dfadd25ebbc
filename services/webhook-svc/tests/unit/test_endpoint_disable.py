"""Five days of failure disable an endpoint and email its owner, once; tested with an
injected clock over simulated days (a new message every few hours, as a live business has)."""
from __future__ import annotations

from clientsynq.webhooks.domain.deliveries import PENDING, Response
from clientsynq.webhooks.services.endpoints import resume_endpoint
from fakes import FakeClock, FakeOwners, FakeSender
from outbound_builders import a_delivery, a_dispatcher, an_endpoint, an_outbound, run_due


def fail_for(hours: int, clock, deps, dispatcher, endpoint) -> None:
    for _ in range(hours // 6):
        a_delivery(deps, endpoint)
        run_due(dispatcher)
        clock.advance(hours=6)
        run_due(dispatcher)


def test_five_days_of_failures_disable_the_endpoint_and_tell_the_owner_once():
    clock = FakeClock()
    deps = an_outbound(clock, FakeSender(Response(status=500, latency_ms=5)))
    dispatcher = a_dispatcher(deps)
    endpoint = an_endpoint(deps)
    fail_for(4 * 24 + 18, clock, deps, dispatcher, endpoint)
    assert deps.endpoints.get("tenant-1", endpoint.id).state == "active"
    fail_for(12, clock, deps, dispatcher, endpoint)
    assert deps.endpoints.get("tenant-1", endpoint.id).state == "disabled"
    assert [to for to, _, _ in deps.mailer.sent] == ["owner@example.com"]
    sent = len(deps.sender.sent)
    fail_for(48, clock, deps, dispatcher, endpoint)
    assert len(deps.sender.sent) == sent  # nothing is attempted while disabled
    assert len(deps.mailer.sent) == 1
    assert deps.endpoints.count_disabled() == 1


def test_a_success_ends_the_failure_streak():
    clock = FakeClock()
    sender = FakeSender(Response(status=500, latency_ms=5))
    deps = an_outbound(clock, sender)
    dispatcher = a_dispatcher(deps)
    endpoint = an_endpoint(deps)
    fail_for(4 * 24, clock, deps, dispatcher, endpoint)
    sender.default = Response(status=200, latency_ms=5)
    fail_for(6, clock, deps, dispatcher, endpoint)
    sender.default = Response(status=500, latency_ms=5)
    fail_for(3 * 24, clock, deps, dispatcher, endpoint)
    assert deps.endpoints.get("tenant-1", endpoint.id).state == "active"
    assert not deps.mailer.sent


def test_resuming_a_disabled_endpoint_sends_what_waited_and_restarts_the_count():
    clock = FakeClock()
    sender = FakeSender(Response(status=500, latency_ms=5))
    deps = an_outbound(clock, sender)
    dispatcher = a_dispatcher(deps)
    endpoint = an_endpoint(deps)
    fail_for(5 * 24 + 12, clock, deps, dispatcher, endpoint)
    waiting = a_delivery(deps, endpoint)
    run_due(dispatcher)
    assert deps.deliveries.get("tenant-1", waiting.id).status == PENDING
    assert not deps.deliveries.get("tenant-1", waiting.id).attempts
    resume_endpoint(deps, "tenant-1", endpoint.id)
    sender.default = Response(status=200, latency_ms=5)
    while run_due(dispatcher):  # four at a time: the older retries that waited go first
        pass
    assert deps.deliveries.get("tenant-1", waiting.id).status == "delivered"
    sender.default = Response(status=500, latency_ms=5)
    fail_for(24, clock, deps, dispatcher, endpoint)
    assert deps.endpoints.get("tenant-1", endpoint.id).state == "active"


def test_a_disabled_endpoint_without_an_address_is_still_disabled():
    clock = FakeClock()
    deps = an_outbound(clock, FakeSender(Response(status=500, latency_ms=5)))
    dispatcher = a_dispatcher(deps)
    endpoint = an_endpoint(deps, alert_email=None)
    fail_for(5 * 24 + 12, clock, deps, dispatcher, endpoint)
    assert deps.endpoints.get("tenant-1", endpoint.id).state == "disabled"
    assert not deps.mailer.sent


def test_without_an_alert_address_the_business_owners_are_told():
    clock = FakeClock()
    owners = FakeOwners({"tenant-1": ["ann@example.com", "bo@example.com"],
                         "tenant-2": ["stranger@example.com"]})
    deps = an_outbound(clock, FakeSender(Response(status=500, latency_ms=5)), owners=owners)
    dispatcher = a_dispatcher(deps)
    endpoint = an_endpoint(deps, alert_email=None)
    fail_for(5 * 24 + 12, clock, deps, dispatcher, endpoint)
    assert sorted(to for to, _, _ in deps.mailer.sent) == ["ann@example.com", "bo@example.com"]
