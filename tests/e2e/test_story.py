"""The help page's story over HTTP through the gateway, every process real."""
from __future__ import annotations

import pytest
from business import portal_differences, sign_up_and_connect, wait_synced

pytestmark = pytest.mark.integration


def test_a_business_connects_and_the_initial_sync_fills_the_portal(e2e_stack):
    business = sign_up_and_connect(e2e_stack, plan="pro", seed=31)
    status = wait_synced(business)  # the full sync, perhaps an incremental one after it
    assert status["last_completed"]["counts"], status
    assert portal_differences(business) == {}
    connection = business.api("GET", "/api/v1/connection").json()
    assert connection["status"] == "connected", connection
