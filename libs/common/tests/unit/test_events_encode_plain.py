"""`encode_event` of an envelope that is already plain JSON (as sync snapshots are built)
skips the wire-form copy; it must give the same verdict, reason and bytes as the full path
(`_wire_form`, validate, write), for a batch of valid and spoiled events."""
from __future__ import annotations

from decimal import Decimal

import pytest
from clientsynq.common.events import EventValidationError, encode_event
from clientsynq.common.events.envelope import _dumps, _is_plain_json, _load_wire, _wire_form
from event_batches import BATCH, WIRE_TIME, event_envelope, every

STEP = 4  # a strided sample (about 1,000 of the batch's valid and spoiled payloads): cheap


def _full_path(envelope: dict) -> tuple[bool, object]:
    try:
        wire = _wire_form(envelope)
        _load_wire(wire, None)
        return True, _dumps(wire)
    except EventValidationError as err:
        return False, err.reason
    except TypeError as err:  # e.g. bytes in a field the schema does not type: both raise
        return False, type(err)


def _encoded(envelope: dict) -> tuple[bool, object]:
    try:
        return True, encode_event(envelope)
    except EventValidationError as err:
        return False, err.reason
    except TypeError as err:
        return False, type(err)


def test_plain_envelopes_get_the_full_paths_verdict_reason_and_bytes():
    plain = verdicts = 0
    sample = [BATCH[index] for index in every(len(BATCH), STEP)]
    for type_, data in sample:
        envelope = event_envelope(type_, data, WIRE_TIME)
        plain += _is_plain_json(envelope)
        outcome = _encoded(envelope)
        assert outcome == _full_path(envelope), (type_, data)
        verdicts += outcome[0]
    assert plain > len(sample) // 3  # the sample exercises the plain path, valid and spoiled
    assert 0 < verdicts < len(sample)


@pytest.mark.parametrize("value", [
    1.5, float("nan"), Decimal("1.00"), ("a",), {"a": (1,)}, {1: "a"}, [{"a": [1.0]}], b"x"])
def test_anything_but_plain_json_takes_the_full_path(value):
    assert not _is_plain_json({"data": {"x": value}})


def test_plain_json_is_recognised():
    assert _is_plain_json({"a": [1, True, None, "s", {"b": []}], "c": {}})
