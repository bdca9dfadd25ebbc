"""The retry schedule, the 2xx-in-15 s rule and Retry-After, with an injected clock."""
from __future__ import annotations

import pytest
from clientsynq.webhooks.domain.deliveries import DELIVERED, FAILED, PENDING, Response
from fakes import FakeClock, FakeSender
from outbound_builders import a_delivery, a_dispatcher, an_endpoint, an_outbound, run_due

STEPS = [0, 5, 300, 1800, 7200, 18000, 36000, 36000]


def test_a_dead_endpoint_is_tried_on_the_schedule_for_about_28_hours_then_given_up():
    clock = FakeClock()
    sender = FakeSender(Response(status=500, latency_ms=5))
    deps = an_outbound(clock, sender)
    dispatcher = a_dispatcher(deps)
    delivery = a_delivery(deps, an_endpoint(deps))
    start = clock()
    assert run_due(dispatcher) == 1  # at once
    for step in STEPS[1:]:
        clock.advance(seconds=step - 0.5)
        assert run_due(dispatcher) == 0  # not a moment early
        clock.advance(seconds=0.5)
        assert run_due(dispatcher) == 1
    done = deps.deliveries.get("tenant-1", delivery.id)
    assert len(done.attempts) == 8 and done.status == FAILED
    assert (done.attempts[-1].at - start).total_seconds() == sum(STEPS) == 99305  # 27.6 h
    clock.advance(days=3)
    assert run_due(dispatcher) == 0


@pytest.mark.parametrize("random, factor", [(lambda: 0.0, 0.9), (lambda: 0.999999, 1.1)])
def test_jitter_moves_each_wait_by_at_most_ten_percent(random, factor):
    clock = FakeClock()
    deps = an_outbound(clock, FakeSender(Response(status=500, latency_ms=5)), random=random)
    dispatcher = a_dispatcher(deps)
    delivery = a_delivery(deps, an_endpoint(deps))
    run_due(dispatcher)
    first = deps.deliveries.get("tenant-1", delivery.id)
    assert (first.next_attempt_at - clock()).total_seconds() == pytest.approx(5 * factor)
    clock.advance(seconds=6)
    run_due(dispatcher)
    done = deps.deliveries.get("tenant-1", delivery.id)
    wait = (done.next_attempt_at - done.attempts[-1].at).total_seconds()
    assert wait == pytest.approx(300 * factor, rel=1e-4)


@pytest.mark.parametrize("response, status", [
    (Response(status=200, latency_ms=14_999), DELIVERED),
    (Response(status=204, latency_ms=10), DELIVERED),
    (Response(status=200, latency_ms=15_001), PENDING),
    (Response(status=302, latency_ms=10, excerpt="moved"), PENDING),
    (Response(status=410, latency_ms=10), PENDING),
    (Response(status=None, latency_ms=15_000, error="ReadTimeout"), PENDING),
])
def test_only_a_2xx_within_15_seconds_counts(response, status):
    deps = an_outbound(sender=FakeSender(response))
    delivery = a_delivery(deps, an_endpoint(deps))
    run_due(a_dispatcher(deps))
    done = deps.deliveries.get("tenant-1", delivery.id)
    assert done.status == status and done.attempts[0].status == response.status
    assert done.attempts[0].excerpt == response.excerpt


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_on_429_and_503_is_honoured(status):
    clock = FakeClock()
    deps = an_outbound(clock, FakeSender(Response(status=status, latency_ms=5,
                                                   retry_after_seconds=120)))
    delivery = a_delivery(deps, an_endpoint(deps))
    run_due(a_dispatcher(deps))
    done = deps.deliveries.get("tenant-1", delivery.id)
    assert (done.next_attempt_at - clock()).total_seconds() == 120


def test_an_endpoint_down_then_up_gets_the_message_on_a_retry():
    clock = FakeClock()
    sender = FakeSender(Response(status=None, latency_ms=1, error="ConnectionError"))
    deps = an_outbound(clock, sender)
    dispatcher = a_dispatcher(deps)
    endpoint = an_endpoint(deps)
    delivery = a_delivery(deps, endpoint)
    run_due(dispatcher)
    sender.default = Response(status=200, latency_ms=3)
    clock.advance(seconds=5)
    run_due(dispatcher)
    done = deps.deliveries.get("tenant-1", delivery.id)
    assert [a.outcome for a in done.attempts] == ["failed", "delivered"]
    assert [headers["webhook-id"] for _, headers, _ in sender.sent] == [done.message_id] * 2
