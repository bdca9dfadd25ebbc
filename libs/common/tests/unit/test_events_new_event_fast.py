"""`new_event`'s one-pass build never differs from loading and dumping through the schema.

The fast build (`compiled.fast_canonical`, `envelope._build_fast`) must return exactly the
envelope the full path (`load_event(...).to_envelope()`, itself held to marshmallow by
test_events_compiled) returns, and refuse what it refuses; it may only give up and let the
full path decide. The batch (`event_batches.BATCH`) is test_events_compiled's valid and
spoiled payloads, each also with its amounts, dates and times as the Python values producers
may pass, and odd times and amounts.

Here a strided sample per moment (a different slice for each);
`integration/test_events_equivalence_full.py` checks every item (`make test` runs both).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from clientsynq.common.events import EventValidationError, new_event
from clientsynq.common.events.compiled import fast_canonical
from clientsynq.common.events.envelope import _build_fast
from clientsynq.common.events.topics import TOPICS
from event_batches import (
    BATCH,
    WIRE_TIME,
    as_python,
    event_envelope,
    every,
    fast_build_disagreements,
    full_path,
)
from event_builders import SOURCE, TENANT, VALID_DATA

STEP = 13
MOMENTS = [WIRE_TIME, datetime(2025, 6, 1, 10, 0, 0, 5, tzinfo=UTC),
           datetime(2025, 6, 1, 12, tzinfo=timezone(timedelta(hours=2))),
           "2025-06-01T10:00:00.000000Z", datetime(2025, 6, 1)]


def test_the_sample_has_both_verdicts():
    sample = every(len(BATCH), STEP)
    verdicts = [full_path(index, WIRE_TIME)[0] for index in sample]
    assert sum(verdicts) > 200 // STEP and len(verdicts) - sum(verdicts) > 800 // STEP


@pytest.mark.parametrize("offset", range(len(MOMENTS)))
def test_the_fast_build_equals_the_full_path_or_gives_up(offset):
    moment = MOMENTS[offset]
    disagreements, fast_answers = fast_build_disagreements(
        every(len(BATCH), STEP, offset), moment)
    assert disagreements == []
    assert fast_answers > 0 or (isinstance(moment, datetime) and moment.tzinfo is None)


@pytest.mark.parametrize("type_", sorted(VALID_DATA))
def test_every_valid_event_is_built_the_fast_way(type_):
    assert fast_canonical(TOPICS[type_].schema) is not None
    for data in (VALID_DATA[type_], as_python(VALID_DATA[type_])):
        envelope = event_envelope(type_, data, datetime.now(UTC))
        assert _build_fast(envelope) is not None


def test_new_event_still_words_a_refusal():
    data = {**VALID_DATA["customer.updated"]}
    data["customer"] = {**data["customer"], "balance": 1.5}
    with pytest.raises(EventValidationError, match="float money"):
        new_event("customer.updated", tenant_id=TENANT, data=data, source=SOURCE)


@pytest.mark.parametrize("moment", [datetime(2025, 6, 1, tzinfo=UTC),
                                    datetime(2025, 6, 1, 10, 0, 0, 120, tzinfo=UTC),
                                    datetime(1, 1, 1, tzinfo=UTC),
                                    datetime(2025, 6, 1, 12, tzinfo=timezone(timedelta(hours=2)))])
def test_format_time_writes_what_the_general_formula_writes(moment):
    from clientsynq.common.events import format_time

    assert format_time(moment) == moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
