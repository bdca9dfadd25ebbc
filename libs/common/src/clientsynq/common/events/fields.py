"""Strict marshmallow fields for event payloads.

Marshmallow's stock fields are forgiving (``"1"`` is an Integer, ``1`` is a Boolean, a float
is a Decimal). Events cross service boundaries and outlive the code that wrote them, so a
producer bug must fail loudly at the boundary rather than be coerced into plausible data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
from clientsynq.common.events.money import (
    DECIMAL_RE,
    decimal_places,
    format_money,
    parse_money,
)
from marshmallow import ValidationError, fields, validate

ENTITIES = ("Customer", "Invoice", "Payment")

_RFC3339_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?P<frac>\.\d{1,9})?(?P<tz>[Zz]|[+-]\d{2}:\d{2})?"
)
# The forms our producers write (`format_time`, `format_money`): checked by one regex each,
# then parsed directly; anything else takes the general path below, which words refusals.
_EVERYDAY_UTC_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z")
_EVERYDAY_CENTS_RE = re.compile(r"-?(?:0|[1-9]\d{0,17})\.\d\d")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CURRENCY_RE = re.compile(r"[A-Z]{3}")
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# Loose on purpose: QBO stores what the business typed, including "a@x.com, b@y.com".
_EMAILS_RE = re.compile(r"[^@\s,]+@[^@\s,]+\.[^@\s,]+(\s*,\s*[^@\s,]+@[^@\s,]+\.[^@\s,]+)*")


def format_time(value: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``; fractions only when present."""
    if type(value) is datetime:  # datetime.now(UTC), or QBO's times with their offset
        # orjson writes exactly `isoformat()` with "Z" for "+00:00" (six fraction digits, or
        # none when the microseconds are 0), a seventh of isoformat's cost; three per event
        # built. Held to the isoformat form below by test_events_everyday_forms.
        moment = value if value.tzinfo is UTC else value.astimezone(UTC)
        return orjson.dumps(moment, option=orjson.OPT_UTC_Z)[1:-1].decode()
    return _isoformat_utc(value)


def _isoformat_utc(value: datetime) -> str:
    """The general form (any zone, any datetime subclass), by the standard library."""
    if value.tzinfo is UTC:
        return value.isoformat()[:-6] + "Z"  # isoformat ends with "+00:00" here
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Money(fields.Field):
    """A decimal string on the wire, a Decimal in memory; floats are refused, not rounded."""

    default_error_messages = {"invalid": "{message}"}

    def __init__(self, *, max_places: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_places = max_places

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if type(value) is str:
            if self.max_places >= 2 and _EVERYDAY_CENTS_RE.fullmatch(value):
                return Decimal(value)  # what parse_money returns; two places at most
            # Quantities and unit prices ("1", "2.5", "0.125"): parse_money's own pattern,
            # and no more fraction digits than places allowed, so `decimal_places` (which
            # normalises) cannot exceed them; a quarter of an invoice's check was here.
            plain = DECIMAL_RE.fullmatch(value)
            if plain is not None and len(plain[1] or ".") - 1 <= self.max_places:
                return Decimal(value)
        try:
            amount = parse_money(value)
        except (TypeError, ValueError) as exc:
            raise self.make_error("invalid", message=str(exc)) from exc
        if decimal_places(amount) > self.max_places:
            raise self.make_error("invalid", message=f"at most {self.max_places} decimal places")
        return amount

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else format_money(Decimal(value))


class DecimalString(Money):
    """A quantity: any exact decimal, kept with the digits it was given."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_places=18, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else format(Decimal(value), "f")


class UtcDateTime(fields.Field):
    """RFC 3339 with a zone, loaded as an aware UTC datetime; a naive time is ambiguous."""

    default_error_messages = {"invalid": "{message}"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if type(value) is str and _EVERYDAY_UTC_RE.fullmatch(value):
            try:  # Python reads the Z as UTC itself: the same value as the path below gives
                return datetime.fromisoformat(value)
            except ValueError as exc:
                raise self.make_error("invalid", message="not a valid date-time") from exc
        match = _RFC3339_RE.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise self.make_error("invalid", message="not an RFC 3339 date-time")
        if match["tz"] is None:
            raise self.make_error("invalid", message="naive time: a UTC offset or Z is required")
        if match["tz"] == "Z" and value[10] == "T" and len(match["frac"] or "") <= 7:
            try:  # the everyday form, as we write it: no rewriting, no conversion
                return datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC)
            except ValueError as exc:
                raise self.make_error("invalid", message="not a valid date-time") from exc
        text = value.upper().replace("Z", "+00:00")
        if match["frac"] and len(match["frac"]) > 7:  # Python keeps microseconds only
            text = text.replace(match["frac"], match["frac"][:7])
        try:
            return datetime.fromisoformat(text).astimezone(UTC)
        except ValueError as exc:
            raise self.make_error("invalid", message="not a valid date-time") from exc

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else format_time(value)


class IsoDate(fields.Field):
    """A calendar date, ``YYYY-MM-DD`` and nothing else (QBO's TxnDate and DueDate)."""

    default_error_messages = {"invalid": "not a YYYY-MM-DD date"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
            raise self.make_error("invalid")
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise self.make_error("invalid") from exc

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.isoformat()


class StrictInteger(fields.Integer):
    """An integer that is a JSON integer: not ``"3"``, ``3.0`` or ``true``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class StrictBoolean(fields.Boolean):
    """Only JSON ``true``/``false``; marshmallow would otherwise accept "yes" and 1."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class JsonObject(fields.Field):
    """The envelope's ``data``: a JSON object, validated later by the schema of its type."""

    default_error_messages = {"invalid": "must be a JSON object"}

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise self.make_error("invalid")
        return dict(value)


class NonEmptyString(fields.String):
    """A string with at least one character, checked inline: a separate validator object
    per field costs more than the check itself, on every event of every topic."""

    default_error_messages = {"empty": "Shorter than minimum length 1."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        loaded = super()._deserialize(value, attr, data, **kwargs)
        if not loaded:
            raise self.make_error("empty")
        return loaded


def text(**kwargs: Any) -> fields.String:
    """A required, non-empty string."""
    return NonEmptyString(required=True, **kwargs)


def optional_text(**kwargs: Any) -> fields.String:
    """A non-empty string that may be absent (required only in some shapes, see snapshots)."""
    return NonEmptyString(**kwargs)


# Nullable fields may also be absent; absent loads as None so consumers see one shape.
NULLABLE: dict[str, Any] = {"allow_none": True, "load_default": None}


def nullable_text(**kwargs: Any) -> fields.String:
    """A string that may be null or absent."""
    return fields.String(**NULLABLE, **kwargs)


def one_of(*choices: str, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(choices), **kwargs)


def uuid_text(**kwargs: Any) -> fields.String:
    """Command ids are UUIDs because QBO uses them as ``requestid`` for idempotent writes."""
    return fields.String(
        required=True, validate=Pattern(_UUID_RE, "not a UUID"), **kwargs
    )


def currency(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=Pattern(_CURRENCY_RE, "not an ISO 4217 code"), **kwargs
    )


def emails(**kwargs: Any) -> fields.String:
    return fields.String(
        **NULLABLE,
        validate=Pattern(_EMAILS_RE, "not a valid email address"),
        **kwargs,
    )


class Pattern(validate.Validator):
    """Whole-string match (marshmallow's Regexp only anchors at the start).

    The length cap comes first so a hostile megabyte string never reaches the regex engine.
    """

    def __init__(self, pattern: re.Pattern[str], error: str, max_length: int = 1000) -> None:
        self.pattern = pattern
        self.message = error
        self.max_length = max_length

    def __call__(self, value: str) -> str:
        if len(value) > self.max_length or not self.pattern.fullmatch(value):
            raise ValidationError(self.message)
        return value


class Unique(validate.Validator):
    """Each entry at most once (a duplicate entity would be synced twice)."""

    error = "entries must be unique"

    def __call__(self, value: list[Any]) -> list[Any]:
        if len(set(value)) != len(value):
            raise ValidationError(self.error)
        return value


def entity_list(*, non_empty: bool = False) -> fields.List:
    """QBO entity names, each at most once."""
    checks = [validate.Length(min=1 if non_empty else 0), Unique()]
    return fields.List(one_of(*ENTITIES), required=True, validate=checks)
