"""The worker's sweep: nothing webhook-svc stores grows forever, and nothing pending is lost.

- Intuit side: raw notifications after `WEBHOOK_INBOX_RETENTION`; dedupe keys as long (the
  dedupe window: a repeat of a change later than that is announced again, harmlessly, as
  sync-svc reads the current state), never one whose event is still unpublished.
- Delivery side: a finished delivery (delivered, given up, cancelled) with its claims and
  outcomes, `WEBHOOK_DELIVERY_RETENTION` after its final outcome; a pending or retrying
  one is never touched, however old.
- Deliveries of the format before the insert-only queue are taken over into the queue.

Every step deletes in batches of `BATCH`, at most `MAX_BATCHES` per sweep, so one sweep
after a long outage never holds the database for long; the next sweep goes on.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from clientsynq.common.metrics import counter
from clientsynq.webhooks.domain.ports import LegacyDeliveries
from clientsynq.webhooks.services.intuit import IntuitInbound, reprocess_pending
from clientsynq.webhooks.services.outbound import Outbound

log = logging.getLogger(__name__)
BATCH = 500
MAX_BATCHES = 20
SWEPT = counter("clientsynq_webhook_swept_total", "Documents the sweep removed or migrated",
                ["kind"])


@dataclass(frozen=True)
class Sweep:
    intuit: IntuitInbound
    outbound: Outbound
    legacy: LegacyDeliveries
    delivery_retention_seconds: float
    reprocess_after_seconds: float

    def once(self) -> dict[str, int]:
        """Returns what each step removed (or, for old-format deliveries, took over)."""
        intuit, outbound = self.intuit, self.outbound
        reprocess_pending(intuit, older_than=timedelta(seconds=self.reprocess_after_seconds))
        now = intuit.clock()
        done = {"notifications": _in_batches(lambda: intuit.inbox.purge(now, BATCH)),
                "dedupe_keys": _in_batches(lambda: intuit.changes.purge(now, BATCH))}
        now = outbound.clock()
        cutoff = now - timedelta(seconds=self.delivery_retention_seconds)
        done["deliveries"] = _in_batches(lambda: outbound.deliveries.purge(cutoff, BATCH))
        settings = outbound.settings
        settle = settings.timeout_seconds + settings.claim_grace_seconds
        done["legacy_migrated"] = _in_batches(lambda: self.legacy.migrate(now, settle, BATCH))
        for kind, count in done.items():
            if count:
                SWEPT.labels(kind=kind).inc(count)
                log.info("webhook.swept", extra={"kind": kind, "count": count})
        return done


def _in_batches(step: Callable[[], int]) -> int:
    total = 0
    for _ in range(MAX_BATCHES):
        done = step()
        total += done
        if done < BATCH:
            break
    return total
