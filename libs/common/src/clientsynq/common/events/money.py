"""Money as exact decimals.

QBO sends amounts as JSON numbers; we never let them become floats on our side, because
`0.1 + 0.2 != 0.3` turns into invoices that are off by a cent. On the wire an amount is a
decimal string ("12.50"); in memory it is a `decimal.Decimal`.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")

# Plain positional notation only: no exponent ("1e3"), no "+", no ".5" or "5.", no NaN.
# The digit cap keeps a hostile value from costing much to parse or store.
_DECIMAL_RE = re.compile(r"-?\d{1,18}(\.\d{1,18})?")
# The same pattern for callers that parse the everyday case themselves (fields.Money): its
# group 1 is the fraction with its point.
DECIMAL_RE = _DECIMAL_RE


def parse_money(value: str) -> Decimal:
    """Parse a decimal string strictly; raise ValueError (or TypeError for a non-string)."""
    if isinstance(value, float):
        raise TypeError("float money is not allowed")
    if not isinstance(value, str):
        raise TypeError("money must be a decimal string")
    if not _DECIMAL_RE.fullmatch(value):
        raise ValueError("not a valid decimal amount")
    return Decimal(value)


def to_money_str(value: Decimal | str | int) -> str:
    """Format an amount with exactly two decimals, rounding half up as invoices do."""
    if isinstance(value, (float, bool)):
        raise TypeError(f"{type(value).__name__} money is not allowed")
    amount = parse_money(value) if isinstance(value, str) else Decimal(value)
    if not amount.is_finite():
        raise ValueError("not a valid decimal amount")
    try:
        return format(amount.quantize(CENT, rounding=ROUND_HALF_UP), "f")
    except InvalidOperation as exc:
        raise ValueError("amount is too large") from exc


def decimal_places(value: Decimal) -> int:
    """Significant decimal places: "12.500" has 1, "12" has 0."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def format_money(value: Decimal) -> str:
    """Wire form: at least two decimals, more only when they carry information (unit prices)."""
    if decimal_places(value) <= 2:
        return format(value.quantize(CENT), "f")
    return format(value.normalize(), "f")
