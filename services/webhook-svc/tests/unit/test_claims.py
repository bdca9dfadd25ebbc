"""Claims decide who sends an attempt, never leases or timings: the race that once sent an
attempt twice (a lease lapsing during a slow write, another replica reading the attempt
before its result landed) is played out step by step and sends once."""
from __future__ import annotations

import threading

from clientsynq.webhooks.domain.deliveries import DELIVERED, Response
from clientsynq.webhooks.domain.queue import LOST, new_claim
from fakes import FakeClock, FakeLeases, FakeSender
from outbound_builders import a_delivery, a_dispatcher, an_endpoint, an_outbound, run_due
from webhook_harness import wait_until


def test_a_replica_whose_lease_lapsed_mid_attempt_is_not_joined_by_another():
    clock, sender = FakeClock(), FakeSender()
    deps = an_outbound(clock, sender, lease_seconds=2, claim_grace_seconds=60)
    endpoint = an_endpoint(deps)
    delivery = a_delivery(deps, endpoint)
    holders: dict[str, str] = {}
    one = a_dispatcher(deps, FakeLeases(holders, "a"))
    two = a_dispatcher(deps, FakeLeases(holders, "b"))
    sending, release = threading.Event(), threading.Event()

    def slow(url, headers, body):
        sending.set()
        release.wait(10)
        return Response(status=200, latency_ms=5)

    sender.answers[endpoint.url] = slow
    assert one.round() == 1
    wait_until(sending.is_set, 10, "replica a to be sending")
    holders[endpoint.id] = "b"  # a's lease lapsed (its write was slow); b holds it now
    clock.advance(seconds=30)  # well past the lease, not past the claim's abandon time
    assert run_due(two) == 0  # b reads the attempt, finds it claimed, sends nothing
    release.set()
    wait_until(one.idle, 10, "replica a to record its attempt")
    assert len(sender.sent) == 1
    assert deps.deliveries.get("tenant-1", delivery.id).status == DELIVERED
    assert run_due(two) == 0 and run_due(one) == 0 and len(sender.sent) == 1


def test_an_attempt_claimed_by_a_replica_that_died_goes_out_again_once_abandoned():
    clock = FakeClock()
    deps = an_outbound(clock, lease_seconds=2, timeout_seconds=15, claim_grace_seconds=60)
    endpoint = an_endpoint(deps)
    delivery = a_delivery(deps, endpoint)
    (entry,) = deps.deliveries.due(endpoint.id, clock(), 10)
    assert deps.deliveries.claim([entry], new_claim("dead", clock(), 15, 60))  # then died
    dispatcher = a_dispatcher(deps)
    clock.advance(seconds=15 + 15 + 59)
    assert run_due(dispatcher) == 0 and not deps.sender.sent  # not yet abandoned
    clock.advance(seconds=1)
    run_due(dispatcher)  # recorded lost: the next attempt comes on the schedule (5 s)
    clock.advance(seconds=6)
    assert run_due(dispatcher) == 1
    found = deps.deliveries.get("tenant-1", delivery.id)
    assert [a.error for a in found.attempts] == [LOST, None]
    assert found.status == DELIVERED and len(deps.sender.sent) == 1


def test_a_claim_that_lands_after_its_send_window_sends_nothing_and_is_retried():
    clock, sender = FakeClock(), FakeSender()
    deps = an_outbound(clock, sender, timeout_seconds=2)
    endpoint = an_endpoint(deps)
    delivery = a_delivery(deps, endpoint)
    store = deps.deliveries
    claim_once = store.claim

    def slow_claim(dues, claim):  # the insert returns after the window closed
        clock.advance(seconds=3)
        return claim_once(dues, claim)

    store.claim = slow_claim
    dispatcher = a_dispatcher(deps)
    run_due(dispatcher)
    assert not sender.sent
    store.claim = claim_once
    run_due(dispatcher)
    found = store.get("tenant-1", delivery.id)
    assert len(sender.sent) == 1 and found.status == DELIVERED
    assert [a.number for a in found.attempts] == [2]  # attempt 1: not sent (TOO_LATE)


def test_an_outcome_that_failed_to_save_is_saved_next_round_and_not_resent():
    clock, sender = FakeClock(), FakeSender()
    deps = an_outbound(clock, sender)
    endpoint = an_endpoint(deps)
    delivery = a_delivery(deps, endpoint)
    store = deps.deliveries
    finish_once = store.finish

    def broken(outcomes):
        raise ConnectionError("database away")

    store.finish = broken
    dispatcher = a_dispatcher(deps)
    dispatcher.round()
    wait_until(lambda: sender.sent, 10, "the attempt")
    clock.advance(seconds=1)
    for _ in range(3):
        dispatcher.round()
    assert not dispatcher.idle()  # still in flight: unsaved
    store.finish = finish_once
    wait_until(dispatcher.idle, 10, "the outcome to be saved")
    assert store.get("tenant-1", delivery.id).status == DELIVERED
    assert len(sender.sent) == 1
