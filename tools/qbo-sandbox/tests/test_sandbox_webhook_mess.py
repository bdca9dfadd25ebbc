"""Webhooks delivered late, twice, out of order, or not at all (each with a rate)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from waiting import wait_until
from webhook_receiver import Receiver

from qbo_sandbox.testing import SandboxHandle, running_sandbox


@contextmanager
def messy_box(**mess: Any) -> Iterator[tuple[SandboxHandle, Receiver, str]]:
    receiver = Receiver()
    try:
        with running_sandbox(webhook_batch_seconds=0.05, webhook_time_scale=0.001,
                             webhook_timeout_seconds=1.0, webhook_seed=7, **mess) as box:
            app = box.control.register_app(webhook_url=receiver.url, webhook_format="classic")
            realm = box.control.create_company(customers=3)["realm_id"]
            box.control.connect(app["client_id"], realm)
            yield box, receiver, realm
    finally:
        receiver.close()


def entity_ids(receiver: Receiver) -> list[str]:
    ids = []
    for _headers, body in receiver.received:
        for note in json.loads(body)["eventNotifications"]:
            ids += [e["id"] for e in note["dataChangeEvent"]["entities"]]
    return ids


def test_every_delivery_is_duplicated_at_rate_one() -> None:
    with messy_box(webhook_duplicate_rate=1.0) as (box, receiver, realm):
        box.control.change(realm, "Customer", "1", DisplayName="Twice")
        wait_until(lambda: len(receiver.received) == 2, 10)
        assert receiver.received[0][1] == receiver.received[1][1]


def test_a_held_back_delivery_arrives_after_the_next_one() -> None:
    with messy_box(webhook_reorder_rate=1.0, webhook_hold_seconds=30) as (box, receiver, realm):
        dispatcher = box.server.sandbox.webhooks  # type: ignore[union-attr]
        box.control.change(realm, "Customer", "1", DisplayName="First change")
        wait_until(lambda: dispatcher.held_count() == 1, 10)
        box.control.change(realm, "Customer", "2", DisplayName="Second change")
        wait_until(lambda: len(receiver.received) == 2, 10)
        assert entity_ids(receiver) == ["2", "1"]


def test_a_dropped_delivery_never_arrives_and_is_logged() -> None:
    with messy_box(webhook_drop_rate=1.0) as (box, receiver, realm):
        box.control.change(realm, "Customer", "1", DisplayName="Lost")
        wait_until(lambda: any(a.get("dropped") for a in box.control.webhook_deliveries(realm)), 10)
        box.control.flush_webhooks(wait=2)
        assert receiver.received == []


def test_a_first_delivery_delay_makes_webhooks_late() -> None:
    with messy_box(webhook_first_delay_seconds=0.5) as (box, receiver, realm):
        started = time.monotonic()
        box.control.change(realm, "Customer", "1", DisplayName="Late")
        wait_until(lambda: len(receiver.received) == 1, 10)
        assert time.monotonic() - started >= 0.5
