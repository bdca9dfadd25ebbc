"""The compiled loaders and dumpers never disagree with the marshmallow schemas they stand for.

Valid and spoiled payloads for every topic (`event_batches.CASES`): whenever the fast loader
answers, its answer equals `Schema.load`'s, and it never accepts what the schema refuses; its
dump of loaded data equals `Schema.dump`'s. Ordinary events must take the fast path (else it
buys nothing), and the whole-event verdicts through `decode_event` match marshmallow's.

Here a strided sample of the cases; every case in
`integration/test_events_equivalence_full.py` (`make test` runs both).
"""
from __future__ import annotations

import orjson
import pytest
from clientsynq.common.events import EventValidationError, decode_event, encode_event
from event_batches import (
    CASES,
    dumper_disagreements,
    every,
    fast_load,
    loader_disagreements,
    marshmallow_load,
    marshmallow_verdict,
)
from event_builders import VALID_DATA, envelope

STEP = 3
SAMPLE = every(len(CASES), STEP)


def test_the_sample_has_both_verdicts_and_every_topic():
    verdicts = [marshmallow_verdict(index)[0] for index in SAMPLE]
    assert sum(verdicts) > 40 // STEP and len(verdicts) - sum(verdicts) > 400 // STEP
    assert {CASES[index][0] for index in SAMPLE} == set(VALID_DATA)


def test_the_fast_loader_never_answers_differently_from_marshmallow():
    assert loader_disagreements(SAMPLE) == []


def test_the_fast_dumper_writes_what_marshmallow_writes():
    assert dumper_disagreements(SAMPLE) == []


@pytest.mark.parametrize("type_", sorted(VALID_DATA))
def test_every_valid_payload_takes_the_fast_path(type_):
    assert fast_load(type_, VALID_DATA[type_])[0]


def test_whole_events_get_marshmallows_verdict_through_decode_event():
    for index in every(len(CASES), 7):
        type_, data = CASES[index]
        raw = orjson.dumps(envelope(type_, data=data), default=str)
        slow_ok, _ = marshmallow_load(type_, orjson.loads(raw)["data"])
        try:
            decode_event(raw, type_)
            fast_ok = True
        except EventValidationError:
            fast_ok = False
        assert fast_ok == slow_ok, (type_, data)


def test_a_duplicate_key_or_a_huge_integer_is_still_refused():
    raw = encode_event(envelope("customer.updated"))
    twice = raw.replace(b'"id":', b'"id":"x","id":', 1)
    with pytest.raises(EventValidationError, match="duplicate key"):
        decode_event(twice)
    huge = raw[:-1] + b',"x":' + b"9" * 30 + b"}"
    with pytest.raises(EventValidationError):
        decode_event(huge)
