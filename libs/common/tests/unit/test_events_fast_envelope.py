"""The fast envelope check never accepts what the schema refuses, and loads the same."""
from __future__ import annotations

from typing import Any

import pytest
from clientsynq.common.events.envelope import EnvelopeSchema
from clientsynq.common.events.fast_envelope import quick_head
from clientsynq.common.testing import a_customer_event
from marshmallow import ValidationError

VALID = dict(a_customer_event())

VARIANTS: list[dict[str, Any]] = [
    VALID,
    {k: v for k, v in VALID.items() if k not in ("subject", "realmid", "datacontenttype")},
    {**VALID, "subject": ""},
    {**VALID, "realmid": None},
    {**VALID, "realmid": ""},
    {**VALID, "specversion": "0.3"},
    {**VALID, "specversion": 1.0},
    {**VALID, "id": ""},
    {**VALID, "id": 7},
    {**VALID, "source": None},
    {**VALID, "tenantid": b"t1"},
    {**VALID, "type": "invoice.exploded"},
    {**VALID, "type": "command.succeeded"},
    {**VALID, "type": "sync.progress"},
    {**VALID, "type": "sync.progress", "data": {"rows_done": 1}},
    {**VALID, "type": ["customer.updated"]},
    {**VALID, "time": "2025-06-01T17:00:00"},
    {**VALID, "time": "2025-06-01T10:00:00-07:00"},
    {**VALID, "time": 1700000000},
    {**VALID, "datacontenttype": "text/plain"},
    {**VALID, "data": []},
    {**VALID, "data": None},
    {**VALID, "colour": "blue"},
    {k: v for k, v in VALID.items() if k != "tenantid"},
    {k: v for k, v in VALID.items() if k != "time"},
]


@pytest.mark.parametrize("envelope", VARIANTS)
def test_the_fast_path_agrees_with_the_schema(envelope):
    quick = quick_head(envelope)
    try:
        loaded = EnvelopeSchema().load(envelope)
    except ValidationError:
        assert quick is None  # never looser than the schema
        return
    if quick is not None:  # it may hand over to the schema, but never answer differently
        assert quick == loaded


def test_an_ordinary_event_takes_the_fast_path():
    assert quick_head(VALID) is not None
