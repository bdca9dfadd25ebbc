"""Intuit's date and time formats, in the company's time zone.

Two zones: PACIFIC (America/Los_Angeles: -08:00 in winter, -07:00 in summer, as QuickBooks
writes times for a US company; the default) and FIXED (-07:00 all year, the sandbox's
original choice, an option). The zone in force is a context variable: the guard sets it per
request from the sandbox's options, so two sandboxes in one process do not share it.

Stored times keep second precision and their offset. Under PACIFIC their strings no longer
sort chronologically (the repeated hour in November), so comparisons go through
`sort_key`, the UTC text of a time, cached because queries and CDC compare 100k rows.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

FIXED = timezone(timedelta(hours=-7))
PACIFIC = ZoneInfo("America/Los_Angeles")
ZONES: dict[str, tzinfo] = {"fixed": FIXED, "pacific": PACIFIC}
OFFSET_TEXT = "-07:00"
_ZONE: ContextVar[tzinfo] = ContextVar("qbo_sandbox_zone", default=PACIFIC)


def zone() -> tzinfo:
    """The company time zone in force for this request or thread."""
    return _ZONE.get()


def set_zone(name: str) -> None:
    """Use a zone for the rest of this context (one request thread)."""
    _ZONE.set(ZONES[name])


@contextmanager
def zone_context(name: str) -> Iterator[None]:
    """Use a zone inside the block only (generating a company outside a request)."""
    token = _ZONE.set(ZONES[name])
    try:
        yield
    finally:
        _ZONE.reset(token)


def now() -> datetime:
    """The current time in the company's zone (real QBO answers in Pacific time)."""
    return datetime.now(zone())


def format_time(moment: datetime) -> str:
    """MetaData style: 2025-06-01T10:00:00-07:00 (or -08:00 in a Pacific winter)."""
    return moment.astimezone(zone()).replace(microsecond=0).isoformat()


def offset_text(day: date, hour: int) -> str:
    """The zone's UTC offset at that local hour, as -07:00 (for generated timestamps)."""
    local = datetime(day.year, day.month, day.day, hour, tzinfo=zone())
    return local.isoformat()[-6:]


def now_text() -> str:
    """The MetaData timestamp for a change happening now."""
    return format_time(now())


def response_time() -> str:
    """The `time` member of every response: milliseconds and offset."""
    return now().isoformat(timespec="milliseconds")


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

    A time without offset (or a bare date) is read in the company's zone, as QBO does.
    """
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone())
    return moment


def canonical_time(text: str) -> str:
    """Any accepted time as a comparable key (UTC text, second precision)."""
    return _utc_text(parse_time(text).replace(microsecond=0))


@lru_cache(maxsize=1 << 18)
def sort_key(stored: str) -> str:
    """A stored MetaData time as UTC text: compares chronologically across offsets."""
    return _utc_text(datetime.fromisoformat(stored))


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stored_to_datetime(text: str) -> datetime:
    """Parse a stored MetaData time (always with its offset)."""
    return datetime.fromisoformat(text)
