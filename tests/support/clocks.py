"""Injectable clocks for tests: real time plus an offset the test moves forward
(`OffsetClock`, datetimes), and monotonic seconds the test moves (`ManualClock`).

Leases, link expiry and schedules take a `clock` callable; a test advances this one instead
of sleeping to let time pass (issue 9). Real time underneath keeps the values plausible to
the database (TTL indexes, sort order) and to other processes reading them.
"""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class OffsetClock:
    """`clock()` is now plus whatever `advance` added so far."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


class ManualClock:
    """Monotonic seconds (a `time.monotonic` stand-in) that move only when the test says.

    Starts at the real monotonic time, so it can replace the clock of a component that has
    already stamped a few times with the real one.
    """

    def __init__(self, start: float | None = None) -> None:
        self.now = time.monotonic() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
