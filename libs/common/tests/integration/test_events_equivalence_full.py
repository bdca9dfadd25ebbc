"""Every payload of `event_batches`, where the unit tier checks a strided sample: the
compiled loaders and dumpers agree with marshmallow on each case, and `new_event`'s fast
build equals the full load-and-dump path on each batch item at each moment (or gives up).

No infrastructure: in this tier for its cost (about 4,000 envelopes through the full path at
each of two moments, thousands of marshmallow loads). `make test` runs it (marker `slow`).
The reference verdicts are cached per session, so what the unit tier computed is reused.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from event_batches import (
    BATCH,
    CASES,
    WIRE_TIME,
    dumper_disagreements,
    every,
    fast_build_disagreements,
    full_path,
    loader_disagreements,
    marshmallow_verdict,
)

pytestmark = pytest.mark.slow
ALL_CASES = range(len(CASES))


def test_the_cases_have_both_verdicts():
    verdicts = [marshmallow_verdict(index)[0] for index in ALL_CASES]
    assert sum(verdicts) > 40 and len(verdicts) - sum(verdicts) > 400


def test_the_fast_loader_never_answers_differently_from_marshmallow():
    assert loader_disagreements(ALL_CASES) == []


def test_the_fast_dumper_writes_what_marshmallow_writes():
    assert dumper_disagreements(ALL_CASES) == []


def test_the_batch_has_both_verdicts_and_python_values():
    verdicts = [full_path(index, WIRE_TIME)[0] for index in range(len(BATCH))]
    assert sum(verdicts) > 200 and len(verdicts) - sum(verdicts) > 800


@pytest.mark.parametrize(("moment", "step"), [
    (datetime(2025, 6, 1, 10, 0, 0, 5, tzinfo=UTC), 1), (WIRE_TIME, 1),
    (datetime(2025, 6, 1, 12, tzinfo=timezone(timedelta(hours=2))), 7),
    ("2025-06-01T10:00:00.000000Z", 7), (datetime(2025, 6, 1), 7)])
def test_the_fast_build_equals_the_full_path_or_gives_up(moment, step):
    disagreements, fast_answers = fast_build_disagreements(every(len(BATCH), step), moment)
    assert disagreements == []
    assert fast_answers > 0 or (isinstance(moment, datetime) and moment.tzinfo is None)
