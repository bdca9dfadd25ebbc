"""Replicas and endpoints do not get in each other's way."""
from __future__ import annotations

import threading
from collections import Counter

from clientsynq.webhooks.domain.deliveries import Response
from fakes import FakeLeases, FakeSender
from outbound_builders import a_delivery, a_dispatcher, an_endpoint, an_outbound, run_due
from webhook_harness import wait_until


def test_a_slow_endpoint_does_not_delay_a_fast_one():
    release = threading.Event()
    sender = FakeSender()
    deps = an_outbound(sender=sender, workers=8, per_endpoint_in_flight=2)
    slow, fast = an_endpoint(deps), an_endpoint(deps, tenant_id="tenant-2")

    def hang(url, headers, body):
        release.wait(30)
        return Response(status=200, latency_ms=30_000)

    sender.answers[slow.url] = hang
    for _ in range(10):
        a_delivery(deps, slow)
    fast_ones = [a_delivery(deps, fast) for _ in range(20)]
    dispatcher = a_dispatcher(deps)
    try:
        def fast_done() -> bool:
            dispatcher.round()
            return all(deps.deliveries.get("tenant-2", d.id).status == "delivered"
                       for d in fast_ones)
        wait_until(fast_done, 20, "the fast endpoint's deliveries")
        slow_sent = sum(1 for url, _, _ in sender.sent if url == slow.url)
        assert slow_sent == 2  # the slow endpoint holds only its own two threads
    finally:
        release.set()
        wait_until(dispatcher.idle, 20, "the slow deliveries to end")


def test_two_dispatchers_send_each_delivery_once():
    sender = FakeSender()
    holders: dict[str, str] = {}
    deps = an_outbound(sender=sender)
    endpoints = [an_endpoint(deps) for _ in range(4)]
    for endpoint in endpoints:
        for _ in range(10):
            a_delivery(deps, endpoint)
    one = a_dispatcher(deps, FakeLeases(holders, "a"))
    two = a_dispatcher(deps, FakeLeases(holders, "b"))
    for _ in range(10):
        run_due(one)
        run_due(two)
    ids = Counter(headers["webhook-id"] for _, headers, _ in sender.sent)
    assert len(ids) == 40 and set(ids.values()) == {1}
