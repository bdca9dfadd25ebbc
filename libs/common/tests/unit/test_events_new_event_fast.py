"""`new_event`'s one-pass build never differs from loading and dumping through the schema.

The fast build (`compiled.fast_canonical`, `envelope._build_fast`) must return exactly the
envelope the full path (`load_event(...).to_envelope()`, itself held to marshmallow by
test_events_compiled) returns, and refuse what it refuses; it may only give up and let the
full path decide. The batch is test_events_compiled's valid and spoiled payloads, each also
with its amounts, dates and times as the Python values producers may pass.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from clientsynq.common.events import EventValidationError, load_event, new_event
from clientsynq.common.events.compiled import fast_canonical
from clientsynq.common.events.envelope import _build_fast
from clientsynq.common.events.topics import TOPICS

from .event_builders import REALM, SOURCE, TENANT, VALID_DATA
from .test_events_compiled import CASES


def _as_python(value: Any) -> Any:
    """Wire strings turned into the Python values a producer may pass instead."""
    if isinstance(value, dict):
        return {key: _as_python(item) for key, item in value.items()}
    if isinstance(value, list):
        return tuple(_as_python(item) for item in value)
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, str) and value.endswith("Z") and "T" in value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.astimezone(timezone(timedelta(hours=-5)))  # aware, not UTC
    if isinstance(value, str) and "." in value and value.replace(".", "", 1).lstrip("-").isdigit():
        return Decimal(value)
    return value


ODD_TIMES = ["2025-06-01T10:00:00.000000Z", "2025-06-01T10:00:00.5Z", "2025-06-01t10:00:00z",
             "2025-06-01T10:00:00+02:00", "2025-06-01T10:00:00", datetime(2025, 6, 1),
             datetime(2025, 6, 1, tzinfo=UTC), "0012.50", "12.5", "-0.00", "12.500"]
BATCH = [*CASES, *[(type_, _as_python(data)) for type_, data in CASES]]
BATCH += [(type_, {**data, name: odd}) for type_, data in VALID_DATA.items()
          for name in data for odd in ODD_TIMES]
BATCH += [(type_, {key: {**inner, name: odd} for key, inner in data.items()})
          for type_, data in VALID_DATA.items() if all(isinstance(v, dict) for v in data.values())
          for name in next(iter(data.values())) for odd in ODD_TIMES]


def _full_path(envelope: dict[str, Any]) -> tuple[bool, Any]:
    try:
        return True, load_event(envelope).to_envelope()
    except EventValidationError:
        return False, None


def _envelope(type_: str, data: Any, moment: Any) -> dict[str, Any]:
    return {"specversion": "1.0", "id": "e-1", "source": SOURCE, "type": type_, "time": moment,
            "datacontenttype": "application/json", "tenantid": TENANT, "data": data,
            "subject": "s", "realmid": REALM}


def test_the_batch_has_both_verdicts_and_python_values():
    verdicts = [_full_path(_envelope(type_, data, "2025-06-01T10:00:00Z"))[0]
                for type_, data in BATCH]
    assert sum(verdicts) > 200 and len(verdicts) - sum(verdicts) > 800


@pytest.mark.parametrize(("moment", "every"), [
    (datetime(2025, 6, 1, 10, 0, 0, 5, tzinfo=UTC), 1),
    (datetime(2025, 6, 1, 12, tzinfo=timezone(timedelta(hours=2))), 7),
    ("2025-06-01T10:00:00Z", 5), ("2025-06-01T10:00:00.000000Z", 7), (datetime(2025, 6, 1), 7)])
def test_the_fast_build_equals_the_full_path_or_gives_up(moment, every):
    disagreements, fast_answers = [], 0
    for type_, data in BATCH[::every]:
        envelope = _envelope(type_, data, moment)
        fast = _build_fast(envelope)
        ok, full = _full_path(envelope)
        if fast is not None:
            fast_answers += 1
            if not ok or dict(fast) != full or list(fast) != list(full):
                disagreements.append((type_, data, moment))
    assert disagreements == []
    assert fast_answers > 0 or (isinstance(moment, datetime) and moment.tzinfo is None)


@pytest.mark.parametrize("type_", sorted(VALID_DATA))
def test_every_valid_event_is_built_the_fast_way(type_):
    assert fast_canonical(TOPICS[type_].schema) is not None
    for data in (VALID_DATA[type_], _as_python(VALID_DATA[type_])):
        envelope = _envelope(type_, data, datetime.now(UTC))
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
