"""The compiled loaders and dumpers never disagree with the marshmallow schemas they stand for.

A batch of valid and invalid payloads for every topic: whenever the fast loader answers, its
answer equals `Schema.load`'s, and it never accepts what the schema refuses; its dump of
loaded data equals `Schema.dump`'s. Ordinary events must take the fast path (else it buys
nothing), and the whole-event verdicts through `decode_event` match marshmallow's.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
import pytest
from clientsynq.common.events import EventValidationError, decode_event, encode_event
from clientsynq.common.events.compiled import fast_dumper, fast_loader
from clientsynq.common.events.topics import TOPICS
from marshmallow import ValidationError

from .event_builders import VALID_DATA, customer, envelope, invoice, invoice_v2, payment


def _tricky(type_: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each valid payload, plus ways to spoil it at its top level and one level down."""
    variants = [data, {**data, "unexpected": 1}, {}]
    for name, value in data.items():
        variants.append({k: v for k, v in data.items() if k != name})  # missing
        for wrong in (None, 1, 1.5, True, "", "x", [], {}, [None], Decimal("1")):
            if wrong is not value:
                variants.append({**data, name: wrong})
        if isinstance(value, dict):
            for inner, inner_value in value.items():
                for wrong in (None, 7, "", "1e3", "12.345", 2.5, "2025-13-01", [], {"a": 1}):
                    variants.append({**data, name: {**value, inner: wrong}})
                variants.append({**data, name: {k: v for k, v in value.items() if k != inner}})
                variants.append({**data, name: {**value, "sneaky": inner_value}})
    return variants


NESTED = [
    {"invoice": invoice()}, {"invoice": invoice_v2()}, {"payment": payment()},
    {"customer": customer()},
    {"invoice": invoice(lines=[{"amount": "1.00"}, None])},
    {"invoice": invoice(lines=[{"amount": 1}])},
    {"invoice": invoice(lines=[{"amount": "1.00", "colour": "red"}])},
    {"invoice": invoice(lines=({"amount": "1.00"},))},
    {"invoice": invoice(lines=[{"amount": "1.005"}])},
    {"invoice": invoice(lines=[{"amount": "1.00", "unit_price": "0.1250001"}])},
    {"invoice": invoice(lines=[{"amount": "1.00", "line_num": True}])},
    {"invoice": invoice(lines=[{"amount": "1.00", "line_num": "1"}])},
    {"invoice": invoice(lines=[{"amount": "1.00", "detail_type": "group",
                                "components": [{"amount": "1.00"}, {"amount": None}]}])},
    {"invoice": invoice_v2(applied_payments=[{"payment_id": "", "amount": "1.00"}])},
    {"invoice": invoice(total="-0.00", balance="00012.50")},
    {"invoice": invoice(total="1,000.00")},
    {"invoice": invoice(status="deleted", lines="nope")},
    {"invoice": {"id": "9", "status": "deleted", "updated_at": "2025-06-01T10:00:00Z"}},
    {"invoice": {"id": "9", "status": "open", "updated_at": "2025-06-01T10:00:00Z"}},
    {"invoice": invoice(updated_at="2025-06-01T10:00:00+02:00")},
    {"invoice": invoice(updated_at="2025-06-01T10:00:00.1234567891z")},
    {"invoice": invoice(updated_at="2025-06-01T10:00:00")},
    {"invoice": invoice(updated_at="2025-02-30T10:00:00Z")},
    {"invoice": invoice(txn_date="2025-6-1")},
    {"payment": payment(applied_to=[{"invoice_id": "1", "amount": "1.00"}] * 2)},
    {"payment": payment(applied_to=[[]])},
    {"customer": customer(email="a@x.com, b@y.com")},
    {"customer": customer(email="not an email")},
    {"customer": customer(deleted=True, merged_into="4")},
    {"customer": {"id": "3", "deleted": True, "updated_at": "2025-06-01T10:00:00Z"}},
    {"customer": {"id": "3", "deleted": False, "updated_at": "2025-06-01T10:00:00Z"}},
    {"customer": customer(currency="usd")},
    {"customer": customer(display_name=b"bytes")},
]

CASES = [(type_, payload) for type_, data in VALID_DATA.items()
         for payload in _tricky(type_, data)]
CASES += [(type_, payload) for payload in NESTED for type_ in TOPICS
          if set(payload) <= set(VALID_DATA[type_])]


def _marshmallow(type_: str, data: Any) -> tuple[bool, Any]:
    try:
        return True, TOPICS[type_].schema().load(data)
    except ValidationError:
        return False, None


def _fast(type_: str, data: Any) -> tuple[bool, Any]:
    load = fast_loader(TOPICS[type_].schema)
    assert load is not None, f"{type_} is not compiled"
    try:
        return True, load(data)
    except Exception:
        return False, None


def test_the_batch_has_both_verdicts():
    verdicts = [_marshmallow(type_, data)[0] for type_, data in CASES]
    assert sum(verdicts) > 40 and len(verdicts) - sum(verdicts) > 400


def test_the_fast_loader_never_answers_differently_from_marshmallow():
    disagreements = []
    for type_, data in CASES:
        fast_ok, fast_loaded = _fast(type_, data)
        slow_ok, slow_loaded = _marshmallow(type_, data)
        if fast_ok and (not slow_ok or fast_loaded != slow_loaded):
            disagreements.append((type_, data))
    assert disagreements == []


def test_the_fast_dumper_writes_what_marshmallow_writes():
    for type_, data in CASES:
        ok, loaded = _marshmallow(type_, data)
        if ok:
            schema = TOPICS[type_].schema
            assert fast_dumper(schema)(loaded) == schema().dump(loaded), type_


@pytest.mark.parametrize("type_", sorted(VALID_DATA))
def test_every_valid_payload_takes_the_fast_path(type_):
    assert _fast(type_, VALID_DATA[type_])[0]


def test_whole_events_get_marshmallows_verdict_through_decode_event():
    for type_, data in CASES[::7]:
        raw = orjson.dumps(envelope(type_, data=data), default=str)
        slow_ok, _ = _marshmallow(type_, orjson.loads(raw)["data"])
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
