"""The insert-only delivery queue: what is pending, who claimed an attempt, what came of it.

Why inserts: FerretDB 1.x applies a filtered update as read-then-write (two replicas can
both "win" it) and pushes down only `{_id: <string>}` filters, so an update per attempt is
both unsafe across replicas and slow (0.1-0.3 s a document there). Every step of an attempt
is therefore the insert of a document whose `_id` is `<delivery>#<number>`:

- the queue entry (deleted once its attempt's outcome is recorded; a retry inserts
  `#<number + 1>`), so the "what is due" read scans only what is pending;
- the claim: of two replicas inserting the same claim exactly one succeeds, and only that
  one may send the attempt: no attempt can go out twice, whatever the leases or timings;
- the outcome: recorded once; the delivery log is rebuilt from these.

A claim carries two deadlines. Its holder sends only before `send_by` (claim time + the
delivery timeout, by its own clock, checked just before the request); the request is
bounded by the delivery timeout. Only after `abandon_at` (`send_by` + timeout + grace,
`WEBHOOK_CLAIM_GRACE`, which also covers clock skew) may another replica decide the holder died
and record the attempt as lost: the message then goes out again as the *next* attempt
(at least once; receivers dedupe on `webhook-id`).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from clientsynq.webhooks.domain.deliveries import (
    CANCELLED,
    DELIVERED,
    EXCERPT_CHARS,
    FAILED,
    PENDING,
    Attempt,
    Delivery,
    Response,
    is_success,
    next_delay,
)

LOST = "no result recorded: the replica sending this attempt stopped"
TOO_LATE = "not sent: the claim was made too late to send safely"


def queue_key(delivery_id: str, number: int) -> str:
    return f"{delivery_id}#{number}"


@dataclass(frozen=True)
class Due:
    """One queue entry: attempt `number` of `delivery` (which carries no attempts here)."""

    delivery: Delivery
    number: int
    sent_before: int  # attempts that may have reached the receiver: the schedule's step
    due_at: datetime

    @property
    def key(self) -> str:
        return queue_key(self.delivery.id, self.number)


def first_attempt(delivery: Delivery) -> Due:
    """The queue entry `#1` a new delivery is stored as."""
    return Due(delivery, 1, 0, delivery.next_attempt_at or delivery.created_at)


@dataclass(frozen=True)
class Claim:
    holder: str
    claimed_at: datetime
    send_by: datetime
    abandon_at: datetime


def new_claim(holder: str, now: datetime, timeout: float, grace: float) -> Claim:
    """The send window is one delivery timeout: a claim insert slower than that (a very
    loaded database) sends nothing and the attempt comes again at once."""
    send_by = now + timedelta(seconds=timeout)
    return Claim(holder, now, send_by, send_by + timedelta(seconds=timeout + grace))


@dataclass(frozen=True)
class Outcome:
    """What became of one queued attempt; `attempt` None: nothing was sent."""

    due: Due
    attempt: Attempt | None
    status: str  # the delivery's status after it
    next_attempt_at: datetime | None
    at: datetime  # when it was decided: a finished delivery's retention counts from here

    @property
    def next(self) -> Due | None:
        if self.status != PENDING or self.next_attempt_at is None:
            return None
        sent = self.due.sent_before + (1 if self.attempt is not None else 0)
        return Due(self.due.delivery, self.due.number + 1, sent, self.next_attempt_at)


Random = Callable[[], float]


def after_response(due: Due, response: Response, now: datetime, timeout: float,
                   schedule: Sequence[float], jitter: float, random: Random) -> Outcome:
    """Delivered, rescheduled, or given up after this answer (or lack of one)."""
    ok = is_success(response, timeout)
    attempt = Attempt(number=due.number, at=now, status=response.status,
                      latency_ms=round(response.latency_ms, 1),
                      outcome=DELIVERED if ok else FAILED,
                      excerpt=response.excerpt[:EXCERPT_CHARS], error=response.error)
    if ok:
        return Outcome(due, attempt, DELIVERED, None, now)
    delay = next_delay(due.sent_before + 1, schedule, jitter, response, random)
    if delay is None:
        return Outcome(due, attempt, FAILED, None, now)
    return Outcome(due, attempt, PENDING, now + timedelta(seconds=delay), now)


def not_sent(due: Due, now: datetime) -> Outcome:
    """The claim came back after its send window: nothing went out; try again at once."""
    return Outcome(due, None, PENDING, now, now)


def lost(due: Due, now: datetime, schedule: Sequence[float], jitter: float,
         random: Random) -> Outcome:
    """The claim's holder went silent past `abandon_at`: it may have sent, so this counts
    as a failed attempt and the schedule goes on."""
    return after_response(due, Response(status=None, latency_ms=0.0, error=LOST), now,
                          0.0, schedule, jitter, random)


def cancelled(due: Due, now: datetime) -> Outcome:
    return Outcome(due, None, CANCELLED, None, now)


def with_outcomes(delivery: Delivery, outcomes: Sequence[Outcome]) -> Delivery:
    """The delivery as the API shows it: its attempts, status and next time."""
    ordered = sorted(outcomes, key=lambda o: o.due.number)
    if not ordered:
        return delivery
    last = ordered[-1]
    return replace(delivery, attempts=tuple(o.attempt for o in ordered if o.attempt),
                   status=last.status, next_attempt_at=last.next_attempt_at)
