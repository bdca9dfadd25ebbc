"""Intuit's date and time formats.

Every stored time uses one fixed offset (COMPANY_OFFSET) and second precision, so times
compare correctly as plain strings: queries and CDC filter and sort 100k rows without
parsing a datetime per row.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone

COMPANY_OFFSET = timezone(timedelta(hours=-7))
OFFSET_TEXT = "-07:00"


def now() -> datetime:
    """The current time in the company's zone (real QBO answers in Pacific time)."""
    return datetime.now(COMPANY_OFFSET)


def format_time(moment: datetime) -> str:
    """MetaData style: 2025-06-01T10:00:00-07:00."""
    return moment.astimezone(COMPANY_OFFSET).strftime("%Y-%m-%dT%H:%M:%S") + OFFSET_TEXT


def now_text() -> str:
    """The MetaData timestamp for a change happening now."""
    return format_time(now())


def response_time() -> str:
    """The `time` member of every response: milliseconds and offset."""
    moment = now()
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}" + OFFSET_TEXT


def epoch_millis() -> int:
    """Gateway faults carry `time` as epoch milliseconds."""
    return int(time.time() * 1000)


def utc_millis_text(moment: datetime | None = None) -> str:
    """Classic webhook `lastUpdated`: 2025-09-08T20:52:31.657Z."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def today() -> date:
    """The company's calendar date (TxnDate defaults, overdue checks)."""
    return now().date()


def parse_time(text: str) -> datetime:
    """Accept what clients send: full offset, 'Z', fractions, or a bare date.

    A bare time without offset is read in the company's zone, as QBO does.
    """
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    if len(value) == 10:
        return datetime.fromisoformat(value).replace(tzinfo=COMPANY_OFFSET)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=COMPANY_OFFSET)
    return moment


def canonical_time(text: str) -> str:
    """Rewrite any accepted time into the stored form so strings compare chronologically."""
    return format_time(parse_time(text).replace(microsecond=0))


def stored_to_datetime(text: str) -> datetime:
    """Parse a stored MetaData time (always the canonical form)."""
    return datetime.fromisoformat(text)
