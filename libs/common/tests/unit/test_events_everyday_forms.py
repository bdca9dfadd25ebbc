"""The direct parse of the everyday forms (`format_time`'s times, two-place amounts) gives
exactly what the general path gives: the same value, or the same refusal."""
from __future__ import annotations

import pytest
from clientsynq.common.events.fields import DecimalString, Money, UtcDateTime
from clientsynq.common.events.money import parse_money
from marshmallow import ValidationError

TIMES = ["2025-06-01T10:00:00Z", "2025-06-01T10:00:00.5Z", "2025-06-01T10:00:00.000000Z",
         "2025-06-01T10:00:00.123456Z", "2025-06-01T23:59:59.999999Z", "2024-02-29T00:00:00Z",
         "2025-02-29T00:00:00Z", "2025-02-30T10:00:00Z", "2025-13-01T10:00:00Z",
         "2025-06-01T24:00:00Z", "2025-06-01T10:60:00Z", "2025-06-01T10:00:60Z",
         "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9Z", "0000-01-01T00:00:00Z"]
AMOUNTS = ["0.00", "-0.00", "12.50", "-12.50", "999999999999999999.99", "1.05", "100.10"]


def _general_time(value: str) -> tuple[bool, object]:
    """The same instant through the general path (a lower-case `t` skips the direct one)."""
    try:
        moment = UtcDateTime()._deserialize(value.replace("T", "t"), None, None)
    except ValidationError as err:
        return False, err.messages
    return True, (moment, repr(moment))


@pytest.mark.parametrize("value", TIMES)
def test_an_everyday_time_loads_as_the_general_path_loads_it(value):
    try:
        moment = UtcDateTime()._deserialize(value, None, None)
        direct: tuple[bool, object] = (True, (moment, repr(moment)))
    except ValidationError as err:
        direct = (False, err.messages)
    assert direct == _general_time(value)


@pytest.mark.parametrize("field", [Money(), DecimalString(), Money(max_places=6)])
@pytest.mark.parametrize("value", AMOUNTS)
def test_an_everyday_amount_loads_as_parse_money_reads_it(field, value):
    loaded = field._deserialize(value, None, None)
    assert loaded == parse_money(value) and str(loaded) == str(parse_money(value))


def test_one_place_amounts_keep_the_general_path():
    with pytest.raises(ValidationError):
        Money(max_places=1)._deserialize("1.05", None, None)


def test_format_time_writes_what_isoformat_writes():
    """The orjson fast path of `format_time` against the standard library's isoformat form,
    over the whole range of years, with and without microseconds (seeded, so repeatable)."""
    import random
    from datetime import UTC, datetime, timedelta, timezone

    from clientsynq.common.events.fields import _isoformat_utc, format_time

    draw = random.Random(18)
    first = datetime(1, 1, 1, tzinfo=UTC)
    span = (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC) - first) // timedelta(
        microseconds=1)
    moments = [first, first.replace(year=9999, month=12, day=31), datetime(2025, 6, 1, tzinfo=UTC)]
    moments += [first + timedelta(microseconds=draw.randrange(span)) for _ in range(3000)]
    moments += [moment.replace(microsecond=0) for moment in moments[:1000]]
    for moment in moments:
        assert format_time(moment) == _isoformat_utc(moment)
    for moment in moments[3:1003]:  # QBO's times carry the company's offset
        zone = timezone(timedelta(minutes=draw.randrange(-14 * 60, 14 * 60 + 1)))
        if datetime(2, 1, 1, tzinfo=UTC) < moment < datetime(9998, 1, 1, tzinfo=UTC):
            assert format_time(moment.astimezone(zone)) == _isoformat_utc(moment)
    elsewhere = datetime(2025, 6, 1, 3, 0, 0, 5, tzinfo=timezone(timedelta(hours=-7)))
    assert format_time(elsewhere) == "2025-06-01T10:00:00.000005Z"


def _general_amount(places: int, value: object) -> tuple[object, ...]:
    """What `Money._deserialize` did before its direct paths: parse_money, then the places."""
    from clientsynq.common.events.money import decimal_places

    try:
        amount = parse_money(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        return ("refused", [str(exc)])
    if decimal_places(amount) > places:
        return ("refused", [f"at most {places} decimal places"])
    return ("loaded", amount, str(amount))


def test_plain_amounts_load_as_the_general_path_loads_them():
    """Integers and short fractions (quantities, unit prices) take a direct path: the same
    value and digits, or the same refusal, for every field's number of places."""
    digits = ["0", "1", "7", "10", "100", "275", "999999999999999999", "1000000000000000000"]
    fractions = ["", ".0", ".5", ".25", ".125", ".500", ".1000", ".123456", ".1234567",
                 ".000001", ".100000000000000000", ".1234567890123456789"]
    odd = ["", "-", ".5", "5.", "1e3", "+1", "1,000", " 1", "1 ", "0x10", "NaN", "-0",
           "007", "00.50", "١٢", 5, 5.0, None, True]
    values: list[object] = [sign + whole + frac for sign in ("", "-") for whole in digits
                            for frac in fractions] + odd
    for field in (Money(), DecimalString(), Money(max_places=6), Money(max_places=1),
                  Money(max_places=0)):
        for value in values:
            try:
                loaded = field._deserialize(value, None, None)
                outcome: tuple[object, ...] = ("loaded", loaded, str(loaded))
            except ValidationError as err:
                outcome = ("refused", err.messages)
            assert outcome == _general_amount(field.max_places, value), (field, value)
