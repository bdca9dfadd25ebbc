"""An injectable clock for tests: real time plus an offset the test moves forward.

Leases, link expiry and schedules take a `clock` callable; a test advances this one instead
of sleeping to let time pass (issue 9). Real time underneath keeps the values plausible to
the database (TTL indexes, sort order) and to other processes reading them.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta


class OffsetClock:
    """`clock()` is now plus whatever `advance` added so far."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)
