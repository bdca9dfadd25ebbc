"""An event built by `new_event` is not validated twice, unless it changed since."""
from __future__ import annotations

import json

import pytest
from clientsynq.common.events import EventValidationError, encode_event
from clientsynq.common.testing import a_customer_event


def test_an_unchanged_event_encodes_to_its_validated_json():
    event = a_customer_event(balance="12.50")
    assert json.loads(encode_event(event)) == event


def test_a_change_deep_inside_after_validation_is_still_refused():
    event = a_customer_event()
    event["data"]["customer"]["balance"] = 12.5
    with pytest.raises(EventValidationError, match="float money"):
        encode_event(event)


def test_a_valid_change_after_validation_is_checked_and_sent():
    event = a_customer_event()
    event["data"]["customer"]["balance"] = "99.99"
    assert json.loads(encode_event(event))["data"]["customer"]["balance"] == "99.99"


def test_a_change_json_cannot_carry_is_refused_not_crashing():
    event = a_customer_event()
    event["data"]["customer"]["balance"] = object()
    with pytest.raises(EventValidationError):
        encode_event(event)
