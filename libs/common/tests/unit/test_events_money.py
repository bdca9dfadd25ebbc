from __future__ import annotations

from decimal import Decimal

import pytest
from clientsynq.common.events import parse_money, to_money_str


@pytest.mark.parametrize("value,expected", [
    (Decimal("12.5"), "12.50"), ("12.345", "12.35"), ("12.344", "12.34"), (7, "7.00"),
    (Decimal("-0.005"), "-0.01"), ("0", "0.00"), (Decimal("2.675"), "2.68"),
])
def test_to_money_str_rounds_half_up_to_cents(value: Decimal | str | int, expected: str) -> None:
    assert to_money_str(value) == expected


@pytest.mark.parametrize("value", [12.5, True])
def test_to_money_str_refuses_floats_and_booleans(value: object) -> None:
    with pytest.raises(TypeError):
        to_money_str(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), "1e3", "abc"])
def test_to_money_str_refuses_non_amounts(value: Decimal | str) -> None:
    with pytest.raises(ValueError):
        to_money_str(value)


def test_parse_money_is_exact() -> None:
    assert parse_money("0.10") + parse_money("0.20") == Decimal("0.30")


@pytest.mark.parametrize("value,error", [(0.1, TypeError), (10, TypeError), ("1,00", ValueError),
                                         ("+1", ValueError), ("", ValueError)])
def test_parse_money_refuses_anything_but_a_plain_decimal_string(
    value: object, error: type[Exception]
) -> None:
    with pytest.raises(error):
        parse_money(value)  # type: ignore[arg-type]
