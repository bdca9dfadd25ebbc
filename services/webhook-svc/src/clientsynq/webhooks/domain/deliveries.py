"""A delivery: one message to one endpoint, with every attempt it took.

The retry schedule is Standard Webhooks' (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
10 h: about 28 hours), each wait stretched or shrunk by a random jitter so that thousands of
deliveries failing together (an endpoint outage) do not all come back in the same second.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

PENDING, DELIVERED, FAILED, CANCELLED = "pending", "delivered", "failed", "cancelled"
FINISHED = (DELIVERED, FAILED, CANCELLED)  # nothing follows: retention may remove these
EXCERPT_CHARS = 500
MAX_RETRY_AFTER_SECONDS = 36000.0  # a Retry-After beyond the longest step is not honoured


@dataclass(frozen=True)
class Attempt:
    number: int
    at: datetime
    status: int | None  # None: no HTTP answer (refused, timed out, unsafe address)
    latency_ms: float
    outcome: str  # delivered | failed
    excerpt: str = ""
    error: str | None = None


@dataclass(frozen=True)
class Delivery:
    id: str
    tenant_id: str
    endpoint_id: str
    message_id: str
    event_type: str
    payload: str = field(repr=False)  # the exact JSON text that is signed and sent
    created_at: datetime
    next_attempt_at: datetime | None
    status: str = PENDING
    attempts: tuple[Attempt, ...] = ()

    @property
    def attempt_count(self) -> int:
        return len(self.attempts)


@dataclass(frozen=True)
class Response:
    """What one HTTP attempt gave back."""

    status: int | None
    latency_ms: float
    excerpt: str = ""
    retry_after_seconds: float | None = None
    error: str | None = None


def is_success(response: Response, timeout_seconds: float) -> bool:
    """Only a 2xx within the timeout counts; a 3xx is a failure (redirects are not followed)."""
    return (response.status is not None and 200 <= response.status < 300
            and response.latency_ms <= timeout_seconds * 1000)


def next_delay(attempts_made: int, schedule: Sequence[float], jitter_ratio: float,
               response: Response, random: Callable[[], float]) -> float | None:
    """Seconds until the next attempt, or None when the schedule is used up.

    `random()` returns [0, 1): injected so tests choose the jitter. A 429/503 with
    Retry-After waits as the receiver asked (bounded), instead of the schedule's step.
    """
    if attempts_made >= len(schedule):
        return None
    if response.status in (429, 503) and response.retry_after_seconds is not None:
        return min(max(response.retry_after_seconds, 0.0), MAX_RETRY_AFTER_SECONDS)
    step = schedule[attempts_made]
    return step * (1 + jitter_ratio * (2 * random() - 1))


def after_attempt(delivery: Delivery, response: Response, now: datetime, timeout_seconds: float,
                  schedule: Sequence[float], jitter_ratio: float,
                  random: Callable[[], float]) -> Delivery:
    """The delivery once this attempt is recorded: delivered, rescheduled, or given up."""
    ok = is_success(response, timeout_seconds)
    attempt = Attempt(number=delivery.attempt_count + 1, at=now, status=response.status,
                      latency_ms=round(response.latency_ms, 1),
                      outcome=DELIVERED if ok else FAILED,
                      excerpt=response.excerpt[:EXCERPT_CHARS], error=response.error)
    attempts = (*delivery.attempts, attempt)
    if ok:
        return dataclasses.replace(delivery, attempts=attempts, status=DELIVERED,
                                   next_attempt_at=None)
    delay = next_delay(len(attempts), schedule, jitter_ratio, response, random)
    if delay is None:
        return dataclasses.replace(delivery, attempts=attempts, status=FAILED,
                                   next_attempt_at=None)
    return dataclasses.replace(delivery, attempts=attempts,
                               next_attempt_at=now + timedelta(seconds=delay))
