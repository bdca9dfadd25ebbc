"""Reading QBO JSON values safely: money as Decimal, times as UTC, refs as ids.

QBO sends money as JSON numbers. We parse its bodies with ``parse_float=Decimal`` so an
amount never passes through a binary float (``0.1 + 0.2 != 0.3`` is an invoice off by a
cent); integers arrive as ``int`` and are exact already.
"""
from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from clientsynq.common.events import format_time

CENT = Decimal("0.01")
UNIT_PRICE_STEP = Decimal("0.000001")
# The events' own email rule: QBO keeps whatever a user typed, and one malformed address
# must not make a whole page of snapshots invalid.
_EMAILS_RE = re.compile(r"[^@\s,]+@[^@\s,]+\.[^@\s,]+(\s*,\s*[^@\s,]+@[^@\s,]+\.[^@\s,]+)*")
_CURRENCY_RE = re.compile(r"[A-Z]{3}")
_VOID_NOTE_RE = re.compile(r"(?<![A-Za-z])void(ed)?(?![A-Za-z])", re.IGNORECASE)
Entity = dict[str, Any]
# QuickBooks writes a US company's times in Pacific time with the offset of each date
# (reference §2 and §8 samples: -07:00 in June, -08:00 in January).
COMPANY_ZONE = ZoneInfo("America/Los_Angeles")


def loads(raw: bytes | str) -> Any:
    """QBO JSON with every non-integer number as an exact Decimal."""
    return json.loads(raw, parse_float=Decimal)


def to_decimal(value: Any) -> Decimal | None:
    if type(value) is Decimal:  # what `loads` gives for every amount with a fraction
        return value
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        raise TypeError("QBO money must be parsed with Decimal, not float")
    return Decimal(value) if isinstance(value, (int, str)) else value


def money(value: Any, default: str = "0.00") -> str:
    """Cents, rounded half up as invoices round; QBO amounts already carry at most two."""
    amount = to_decimal(value)
    if amount is None:
        return default
    return format(amount.quantize(CENT, rounding=ROUND_HALF_UP), "f")


def unit_price(value: Any) -> str | None:
    """Unit prices keep up to six places (0.125 a sprinkler head), never rounded to cents."""
    amount = to_decimal(value)
    if amount is None:
        return None
    if -amount.as_tuple().exponent > 6:  # type: ignore[operator]
        amount = amount.quantize(UNIT_PRICE_STEP, rounding=ROUND_HALF_UP)
    return format(amount.normalize() if amount == amount.to_integral() else amount, "f")


def quantity(value: Any) -> str | None:
    amount = to_decimal(value)
    return None if amount is None else format(amount, "f")


def utc_time(value: Any) -> str:
    """QBO's MetaData times carry the company's offset; events are RFC 3339 UTC."""
    return format_time(parse_qbo_time(str(value)))


def parse_qbo_time(value: str) -> datetime:
    """A QBO time as an aware instant. QBO writes the offset of the date (-08:00 in a
    Pacific winter, -07:00 in summer); a time without one is read in the company's zone,
    as QBO reads it (not as UTC: that would be 7 or 8 hours off)."""
    return parse_time(value, COMPANY_ZONE)


def parse_time(value: str, naive_zone: tzinfo = UTC) -> datetime:
    """An aware instant; a time without offset is in `naive_zone` (our own APIs: UTC)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=naive_zone)


def company_today(now: datetime) -> date:
    """The company's calendar date at `now`: QBO's TxnDate and DueDate are dates in the
    company's zone, so "overdue" and the history window's first day are decided there.
    In UTC an invoice due today would turn overdue at 4 or 5 pm Pacific."""
    return now.astimezone(COMPANY_ZONE).date()


def iso_date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def ref_value(entity: Entity, name: str) -> str | None:
    ref = entity.get(name)
    return str(ref["value"]) if isinstance(ref, dict) and ref.get("value") else None


def ref_name(entity: Entity, name: str) -> str | None:
    ref = entity.get(name)
    return str(ref["name"]) if isinstance(ref, dict) and ref.get("name") else None


def email(entity: Entity, name: str) -> str | None:
    """An address only if it is one: a typo in QBO becomes 'no email', not a lost page."""
    holder = entity.get(name)
    address = holder.get("Address") if isinstance(holder, dict) else None
    if not isinstance(address, str) or not _EMAILS_RE.fullmatch(address.strip()):
        return None
    return address.strip()


def currency(entity: Entity) -> str:
    code = ref_value(entity, "CurrencyRef") or "USD"
    return code if _CURRENCY_RE.fullmatch(code) else "USD"


def text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def is_deleted_stub(entity: Entity) -> bool:
    """CDC and delete responses give deleted objects as {"status": "Deleted", "Id", ...}."""
    return str(entity.get("status", "")).lower() == "deleted"


def is_voided(entity: Entity) -> bool:
    """A voided invoice or payment, in every shape QBO is reported to write.

    QBO keeps a voided transaction with TotalAmt 0. Intuit's 2016 voiding blog shows the
    memo replaced by "Voided"; SDK users report the memo kept with "Voided"/"Void" added
    after it, and invoice lines kept with Qty 0. So: a zero total, and either the word in
    the note (anywhere, any case) or every sales line at quantity and amount 0 (what a
    void leaves; a real $0 invoice has quantities). A payment of 0 with no such note is a
    $0 payment, not a void.
    """
    if to_decimal(entity.get("TotalAmt", 0)) != 0:
        return False
    if _VOID_NOTE_RE.search(str(entity.get("PrivateNote") or "")):
        return True
    sales = [line for line in entity.get("Line") or []
             if isinstance(line, dict) and line.get("DetailType") == "SalesItemLineDetail"]
    return bool(sales) and all(_zeroed(line) for line in sales)


def _zeroed(line: Entity) -> bool:
    detail = line.get("SalesItemLineDetail")
    qty = to_decimal(detail.get("Qty")) if isinstance(detail, dict) else None
    return qty == 0 and to_decimal(line.get("Amount", 0)) == 0


def updated_at(entity: Entity) -> str:
    return utc_time(entity["MetaData"]["LastUpdatedTime"])


def created_at(entity: Entity) -> str | None:
    created = (entity.get("MetaData") or {}).get("CreateTime")
    return utc_time(created) if created else None
