"""The CloudEvents 1.0 envelope (structured JSON mode) around every ClientSynq event.

Producers validate on the way out (``new_event``, ``encode_event``) and consumers on the
way in (``decode_event``): a bad event is refused at the edge with a reason, never
half-processed. The wire form is pure JSON: decimals as strings, times as RFC 3339 UTC.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import orjson
from clientsynq.common.events.base import StrictSchema
from clientsynq.common.events.compiled import fast_canonical, fast_dumper, fast_loader
from clientsynq.common.events.errors import EventValidationError, from_messages
from clientsynq.common.events.fast_envelope import DATACONTENTTYPE, SPECVERSION, quick_head
from clientsynq.common.events.fields import JsonObject, UtcDateTime, format_time, text
from clientsynq.common.events.topics import TOPICS
from marshmallow import Schema, ValidationError, fields, validate


class EnvelopeSchema(StrictSchema):
    specversion = fields.String(required=True, validate=validate.Equal(SPECVERSION))
    id = text()
    source = text()
    type = fields.String(
        required=True, validate=validate.OneOf(list(TOPICS), error="unknown event type")
    )
    time = UtcDateTime(required=True)
    subject = fields.String(allow_none=True, load_default=None)
    datacontenttype = fields.String(
        load_default=DATACONTENTTYPE, validate=validate.Equal(DATACONTENTTYPE)
    )
    tenantid = text()
    realmid = fields.String(allow_none=True, load_default=None, validate=validate.Length(min=1))
    data = JsonObject(required=True)


@cache
def _schema(schema_type: type[Schema]) -> Schema:
    """Schemas are stateless once built; building one per message would waste CPU."""
    return schema_type()


@dataclass(frozen=True)
class Event:
    """A validated event. ``data`` holds loaded values (Decimal, datetime, date): read-only."""

    id: str
    type: str
    source: str
    time: datetime
    tenant_id: str
    realm_id: str | None
    subject: str | None
    data: dict[str, Any]

    def to_envelope(self) -> dict[str, Any]:
        """The wire form; optional attributes that are unset are omitted, as CloudEvents asks."""
        envelope: dict[str, Any] = {
            "specversion": SPECVERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "time": format_time(self.time),
            "datacontenttype": DATACONTENTTYPE,
            "tenantid": self.tenant_id,
            "data": _dump_data(self.type, self.data),
        }
        if self.subject is not None:
            envelope["subject"] = self.subject
        if self.realm_id is not None:
            envelope["realmid"] = self.realm_id
        return envelope


def new_event(
    type: str,
    *,
    tenant_id: str,
    data: Mapping[str, Any],
    source: str,
    realm_id: str | None = None,
    subject: str | None = None,
    event_id: str | None = None,
    time: datetime | None = None,
) -> dict[str, Any]:
    """Build, validate and return a wire-ready envelope; raises EventValidationError."""
    envelope: dict[str, Any] = {
        "specversion": SPECVERSION,
        "id": event_id if event_id is not None else str(uuid.uuid4()),
        "source": source,
        "type": type,
        "time": time if time is not None else datetime.now(UTC),
        "datacontenttype": DATACONTENTTYPE,
        "tenantid": tenant_id,
        "data": data,
    }
    if subject is not None:
        envelope["subject"] = subject
    if realm_id is not None:
        envelope["realmid"] = realm_id
    built = _build_fast(envelope)
    return built if built is not None else ValidatedEnvelope(load_event(envelope).to_envelope())


def _build_fast(envelope: dict[str, Any]) -> ValidatedEnvelope | None:
    """`new_event`'s everyday case in one pass over the data (see `compiled.fast_canonical`):
    the same envelope `load_event(...).to_envelope()` returns, or None to take that path,
    which also words any refusal. Never looser: a unit test holds the two together."""
    data, moment = envelope["data"], envelope["time"]
    aware = type(moment) is datetime and moment.tzinfo is not None
    # Only the time needs writing: every other attribute `quick_head` accepts is already a
    # plain string (anything else, even what `_to_wire` would turn into one, makes it give
    # up and the full path decides), and the data is the canonicaliser's to walk.
    wire_time = format_time(moment) if aware else _to_wire(moment)
    # An aware time is not read from the envelope (`loaded_time` is given), so no copy
    # carrying its wire form is needed for the check.
    head = quick_head(envelope, moment) if aware else quick_head(
        {**envelope, "time": wire_time})
    if head is None:
        return None
    canon = fast_canonical(TOPICS[head["type"]].schema)
    if canon is None:
        return None
    try:
        _, wire_data = canon(data)
    except Exception:  # noqa: BLE001 -- not plainly valid: the full path decides and words it
        return None
    built: dict[str, Any] = {
        "specversion": SPECVERSION, "id": head["id"], "source": head["source"],
        "type": head["type"], "time": wire_time if aware else format_time(head["time"]),
        "datacontenttype": DATACONTENTTYPE, "tenantid": head["tenantid"], "data": wire_data,
    }
    if head["subject"] is not None:
        built["subject"] = head["subject"]
    if head["realmid"] is not None:
        built["realmid"] = head["realmid"]
    return ValidatedEnvelope(built)


class ValidatedEnvelope(dict[str, Any]):
    """The wire form `new_event` returns, remembering the JSON it had when it was validated.

    `encode_event` serialises it (which it must do anyway) and, if the bytes are exactly the
    remembered ones, the event is unchanged since validation and is not validated twice;
    any change since then, however deep, changes the bytes and gets the full check.
    """

    def __init__(self, wire: Mapping[str, Any]) -> None:
        super().__init__(wire)
        self.validated_json = _dumps(self)


def _dumps(wire: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON, by orjson (a fifth of the standard library's cost); an integer
    beyond 64 bits, which orjson cannot carry, goes to the standard library. Only validated
    wire forms are written, and the schemas refuse floats, so orjson's NaN-as-null never
    applies (a NaN put into a sent envelope after validation changes its bytes, see
    `encode_event`, and the full check refuses it)."""
    try:
        return orjson.dumps(wire)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(wire, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode()


def load_event(envelope: Mapping[str, Any], topic: str | None = None) -> Event:
    """Validate an already-parsed envelope (wire form or Python values) into an Event."""
    wire = _wire_form(envelope)
    return _load_wire(wire, topic)


def _load_wire(envelope: Mapping[str, Any], topic: str | None) -> Event:
    """Validate an envelope already in wire form (parsed JSON, or `_to_wire` output)."""
    if not isinstance(envelope, Mapping):
        raise EventValidationError("event must be a JSON object")
    try:
        head = quick_head(envelope) or _schema(EnvelopeSchema).load(envelope)
    except ValidationError as exc:
        raise from_messages(exc.messages) from None
    except RecursionError:
        raise EventValidationError("event is nested too deeply") from None
    if topic is not None and head["type"] != topic:
        raise EventValidationError(f"type {head['type']!r} does not match topic {topic!r}")
    try:
        data = _load_data(head["type"], head["data"])
    except ValidationError as exc:
        raise from_messages(exc.messages, prefix="data") from None
    return _event(head, data)


def _event(head: dict[str, Any], data: dict[str, Any]) -> Event:
    """`Event(...)` without the frozen dataclass's eight `object.__setattr__` calls (a tenth
    of a consumer's per-event cost): the same fields, set once on a new instance."""
    event = object.__new__(Event)
    event.__dict__.update(id=head["id"], type=head["type"], source=head["source"],
                          time=head["time"], tenant_id=head["tenantid"],
                          realm_id=head["realmid"], subject=head["subject"], data=data)
    return event


def _load_data(kind: str, data: Any) -> dict[str, Any]:
    """The compiled loader when it decides, else marshmallow (which words any refusal)."""
    schema_type = TOPICS[kind].schema
    fast = fast_loader(schema_type)
    if fast is not None:
        try:
            return fast(data)  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001,S110 -- not plainly valid: marshmallow decides
            pass
    return _schema(schema_type).load(data)  # type: ignore[no-any-return]


def _dump_data(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    schema_type = TOPICS[kind].schema
    fast = fast_dumper(schema_type)
    if fast is not None:
        return fast(data)  # type: ignore[no-any-return]
    return _schema(schema_type).dump(data)  # type: ignore[no-any-return]


def encode_event(envelope: Mapping[str, Any]) -> bytes:
    """Validate, then serialise as compact UTF-8 JSON (the Kafka message value).

    The validated wire form is serialised as given rather than dumped again through the
    schema: on a 1000-event sync page that second pass would cost more than the send.
    """
    if isinstance(envelope, ValidatedEnvelope):
        try:
            encoded = _dumps(envelope)
        except (TypeError, ValueError):
            encoded = b""  # changed into something JSON cannot carry: the full check says why
        if encoded == envelope.validated_json:
            return encoded
    wire = envelope if _is_plain_json(envelope) else _wire_form(envelope)
    _load_wire(wire, None)
    return _dumps(wire)


_PLAIN_SCALARS = frozenset({str, int, bool, type(None)})


def _is_plain_json(value: Any) -> bool:
    """True when `value` holds only dicts, lists, strings, integers, booleans and None
    (exact types, no floats): then `_to_wire` would return an equal copy, so it is
    validated and written as it is. Sync snapshots are built that way, and the copy was a
    quarter of encoding an invoice. A cycle or an absurd depth takes the full path."""
    try:
        return _plain(value)
    except RecursionError:
        return False


def _plain(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
        for key in value:
            if type(key) is not str:
                return False
    elif kind is list:
        items = value
    else:
        return kind in _PLAIN_SCALARS
    for item in items:  # noqa: SIM110 -- a plain loop: all() over a generator costs 2x here
        if type(item) not in _PLAIN_SCALARS and not _plain(item):
            return False
    return True


def decode_event(raw: bytes, topic: str | None = None) -> Event:
    """Parse and validate a Kafka message value.

    ``topic`` is the logical topic name (without any deployment prefix); when given, the
    event's type must equal it, so a message produced to the wrong topic is refused.
    """
    parsed = _parse_canonical(raw)
    if parsed is not None:
        return _load_wire(parsed, topic)
    try:
        text_value = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise EventValidationError("event is not valid UTF-8") from None
    except AttributeError:
        raise EventValidationError("event must be bytes") from None
    try:
        parsed = json.loads(
            text_value, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants
        )
    except _DuplicateKey as exc:
        raise EventValidationError(f"malformed JSON: duplicate key {exc.key!r}") from None
    except json.JSONDecodeError as exc:
        raise EventValidationError(
            f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except ValueError:  # e.g. an integer beyond Python's digit limit
        raise EventValidationError("malformed JSON: number too large") from None
    except RecursionError:
        raise EventValidationError("malformed JSON: nested too deeply") from None
    return _load_wire(parsed, topic)


def _parse_canonical(raw: Any) -> Any:
    """orjson's parse of a value exactly as our producers write it, else None.

    orjson keeps the last of two values for one key and reads a 30-digit integer as a
    float; the standard library's parse below refuses both. A value that orjson writes back
    byte for byte has neither (nor whitespace, escapes or number forms a check could miss),
    and every event we produce is such a value; anything else takes the exact path."""
    if type(raw) is not bytes:
        return None
    try:
        parsed = orjson.loads(raw)
        return parsed if orjson.dumps(parsed) == raw else None
    except (orjson.JSONDecodeError, TypeError, RecursionError):
        return None


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Two values for one key would let producer and consumer each read a different one."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not valid JSON", name, 0)


def _wire_form(envelope: Any) -> dict[str, Any]:
    """The envelope with Python values as their wire strings, or a clear refusal."""
    if not isinstance(envelope, Mapping):
        raise EventValidationError("event must be a JSON object")
    try:
        return _to_wire(envelope)  # type: ignore[no-any-return]
    except RecursionError:
        raise EventValidationError("event is nested too deeply") from None


_WIRE_SCALARS = frozenset({str, int, bool, float, type(None)})


def _to_wire(value: Any) -> Any:
    """Python values a producer may pass (Decimal, datetime, date) → their wire strings.

    Floats are left alone so the schema can refuse them with a clear reason, and a naive
    datetime is written without an offset so the schema reports it as naive.
    """
    kind = type(value)
    if kind in _WIRE_SCALARS:  # the common case first: already wire form, nothing to do
        return value
    if kind is dict:
        return {key: _to_wire(item) for key, item in value.items()}
    if isinstance(value, Mapping):
        return {key: _to_wire(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_wire(item) for item in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat() if value.tzinfo is None else format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
