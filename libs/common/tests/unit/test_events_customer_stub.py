"""A customer merged into another is sent as a deleted stub; a live one needs its full shape."""
from __future__ import annotations

import pytest
from clientsynq.common.events import EventValidationError, new_event
from clientsynq.common.testing import SOURCE, now


def customer_event(customer: dict) -> dict:
    return new_event("customer.updated", tenant_id="t1", source=SOURCE,
                     data={"customer": customer})


def test_a_deleted_customer_stub_is_a_valid_event():
    event = customer_event({"id": "7", "deleted": True, "active": False, "updated_at": now()})
    assert event["data"]["customer"]["deleted"] is True


def test_a_live_customer_without_its_name_and_balance_is_refused():
    with pytest.raises(EventValidationError, match="balance: missing data"):
        customer_event({"id": "7", "deleted": False, "updated_at": now()})
