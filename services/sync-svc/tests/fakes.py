"""In-memory stand-ins for sync-svc's own ports in unit tests: a clock that moves only
when told, and an emitter that records what would have gone to Kafka."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


class FakeClock:
    """Both faces of time: `monotonic()` for intervals and `now()` for timestamps."""

    def __init__(self, start: datetime = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)) -> None:
        self._start = start
        self.seconds = 0.0

    def advance(self, seconds: float) -> None:
        self.seconds += seconds

    def monotonic(self) -> float:
        return self.seconds

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self.seconds)


class RecordingEmitter:
    """What `EventProducer.publish` would have sent, validated the same way."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def __call__(self, envelope: dict[str, Any]) -> None:
        from clientsynq.common.events import encode_event

        encode_event(envelope)
        self.sent.append(envelope)
