"""The wall clock as a value: services take a `Clock` and tests pass their own (a fixed or
a manual clock), so no test waits for time to pass (issue 9)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Aware and in UTC: what MongoDB keeps, and never compared with a naive time."""
    return datetime.now(UTC)
