"""Batches of valid and spoiled event payloads, and the verdicts the fast paths are held to.

`CASES` are wire payloads per topic; `BATCH` adds each as the Python values a producer may
pass, and odd times and amounts. The unit tier checks a strided sample of them
(`unit/test_events_compiled.py`, `unit/test_events_new_event_fast.py`), the integration tier
every one (`integration/test_events_equivalence_full.py`, marker `slow`); `make test` runs
both. The reference verdicts (marshmallow's, the full load-and-dump path's) are computed once
per payload and session, so the tests sharing a payload and both tiers pay for it once.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any

from clientsynq.common.events import EventValidationError, load_event
from clientsynq.common.events.compiled import fast_dumper, fast_loader
from clientsynq.common.events.envelope import _build_fast
from clientsynq.common.events.topics import TOPICS
from event_builders import REALM, SOURCE, TENANT, VALID_DATA, customer, invoice, invoice_v2, payment
from marshmallow import Schema, ValidationError

Case = tuple[str, Any]


def _tricky(data: dict[str, Any]) -> list[dict[str, Any]]:
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

CASES: list[Case] = [(type_, payload) for type_, data in VALID_DATA.items()
                     for payload in _tricky(data)]
CASES += [(type_, payload) for payload in NESTED for type_ in TOPICS
          if set(payload) <= set(VALID_DATA[type_])]


def as_python(value: Any) -> Any:
    """Wire strings turned into the Python values a producer may pass instead."""
    if isinstance(value, dict):
        return {key: as_python(item) for key, item in value.items()}
    if isinstance(value, list):
        return tuple(as_python(item) for item in value)
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
BATCH: list[Case] = [*CASES, *[(type_, as_python(data)) for type_, data in CASES]]
BATCH += [(type_, {**data, name: odd}) for type_, data in VALID_DATA.items()
          for name in data for odd in ODD_TIMES]
BATCH += [(type_, {key: {**inner, name: odd} for key, inner in data.items()})
          for type_, data in VALID_DATA.items() if all(isinstance(v, dict) for v in data.values())
          for name in next(iter(data.values())) for odd in ODD_TIMES]
WIRE_TIME = "2025-06-01T10:00:00Z"


def every(count: int, step: int, offset: int = 0) -> range:
    """Indices of a strided sample: every `step`-th of `count`, from `offset`."""
    return range(offset % step, count, step)


@cache
def _schema(type_: str) -> Schema:
    """One instance per topic: a marshmallow schema is reusable, and building one per load
    cost more than the loads themselves."""
    return TOPICS[type_].schema()


def marshmallow_load(type_: str, data: Any) -> tuple[bool, Any]:
    """`Schema.load`'s verdict on `data`: (accepted, loaded)."""
    try:
        return True, _schema(type_).load(data)
    except ValidationError:
        return False, None


@cache
def marshmallow_verdict(index: int) -> tuple[bool, Any]:
    """`Schema.load`'s verdict on `CASES[index]`, once per session."""
    return marshmallow_load(*CASES[index])


def fast_verdict(index: int) -> tuple[bool, Any]:
    """The compiled loader's verdict on `CASES[index]` (never cached: it is under test)."""
    return fast_load(*CASES[index])


def fast_load(type_: str, data: Any) -> tuple[bool, Any]:
    """The compiled loader's verdict on `data`: (accepted, loaded)."""
    load = fast_loader(TOPICS[type_].schema)
    assert load is not None, f"{type_} is not compiled"
    try:
        return True, load(data)
    except Exception:
        return False, None


def loader_disagreements(indices: Sequence[int]) -> list[Case]:
    """The cases the fast loader accepts although marshmallow refuses or loads otherwise."""
    disagreements = []
    for index in indices:
        fast_ok, fast_loaded = fast_verdict(index)
        slow_ok, slow_loaded = marshmallow_verdict(index)
        if fast_ok and (not slow_ok or fast_loaded != slow_loaded):
            disagreements.append(CASES[index])
    return disagreements


def dumper_disagreements(indices: Sequence[int]) -> list[str]:
    """The topics whose fast dump of a loaded case differs from `Schema.dump`'s."""
    disagreements = []
    for index in indices:
        ok, loaded = marshmallow_verdict(index)
        if ok:
            type_ = CASES[index][0]
            schema = TOPICS[type_].schema
            if fast_dumper(schema)(loaded) != _schema(type_).dump(loaded):
                disagreements.append(type_)
    return disagreements


def event_envelope(type_: str, data: Any, moment: Any) -> dict[str, Any]:
    return {"specversion": "1.0", "id": "e-1", "source": SOURCE, "type": type_, "time": moment,
            "datacontenttype": "application/json", "tenantid": TENANT, "data": data,
            "subject": "s", "realmid": REALM}


@cache
def full_path(index: int, moment: Any) -> tuple[bool, Any]:
    """`load_event(...).to_envelope()` for `BATCH[index]` at `moment`: (accepted, envelope)."""
    type_, data = BATCH[index]
    try:
        return True, load_event(event_envelope(type_, data, moment)).to_envelope()
    except EventValidationError:
        return False, None


def fast_build_disagreements(indices: Sequence[int], moment: Any) -> tuple[list[Case], int]:
    """The batch items whose fast build differs from the full path's, and how many the fast
    build answered at all (it may give up and leave the verdict to the full path)."""
    disagreements, fast_answers = [], 0
    for index in indices:
        type_, data = BATCH[index]
        fast = _build_fast(event_envelope(type_, data, moment))
        ok, full = full_path(index, moment)
        if fast is not None:
            fast_answers += 1
            if not ok or dict(fast) != full or list(fast) != list(full):
                disagreements.append((type_, data))
    return disagreements, fast_answers
