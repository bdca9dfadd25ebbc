"""Infrastructure drills on the drill stack (a Kafka and FerretDB of its own, see
conftest.drill_stack): the Kafka broker stopped for 20 seconds mid-sync, then started again;
the MongoDB-wire server restarted mid-sync. Each ends with the portal equal to the sandbox
(ids per entity, none twice, invoice totals and balances, payment totals), every process of
the stack still running, an invoice requested through /api/v1 just before the fault created
in QuickBooks once, and every Enterprise event sync-svc published delivered.
"""
from __future__ import annotations

import time

import pytest
from business import wait_synced
from drills import (
    assert_applied_once,
    assert_enterprise_events_delivered,
    enterprise_mid_sync,
    request_invoice,
)
from enterprise import Receiver
from waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.drill_stack]
KAFKA_OUTAGE = 20.0  # seconds: the fault's length, as issue 17 states it


@pytest.mark.timeout(600)
def test_the_mongodb_wire_server_restarted_mid_sync_loses_and_doubles_nothing(drill_stack):
    with Receiver() as receiver:
        business = enterprise_mid_sync(drill_stack, 62, receiver)
        command_id = request_invoice(business, "62.62")
        drill_stack.infra.stop_mongo()
        try:
            drill_stack.sandbox.control.clear_faults()
        finally:
            drill_stack.infra.start_mongo()
        wait_synced(business, timeout=300)
        assert_applied_once(business, command_id, "62.62")
        assert_enterprise_events_delivered(drill_stack, business, receiver)
    drill_stack.assert_alive()


@pytest.mark.drill_last
@pytest.mark.timeout(600)
def test_kafka_stopped_for_20_seconds_mid_sync_loses_and_doubles_nothing(drill_stack):
    with Receiver() as receiver:
        business = enterprise_mid_sync(drill_stack, 61, receiver)
        command_id = request_invoice(business, "61.61")
        drill_stack.infra.stop_kafka()
        try:
            drill_stack.sandbox.control.clear_faults()  # the sync races on without Kafka
            back_at = time.monotonic() + KAFKA_OUTAGE

            def outage_over() -> bool:  # every process must ride the outage out
                drill_stack.assert_alive()
                return time.monotonic() >= back_at
            wait_until(outage_over, KAFKA_OUTAGE + 10, "the 20 s outage to end")
        finally:
            drill_stack.infra.start_kafka()
        wait_synced(business, timeout=300)
        assert_applied_once(business, command_id, "61.61")
        assert_enterprise_events_delivered(drill_stack, business, receiver)
    drill_stack.assert_alive()
