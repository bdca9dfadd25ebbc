"""Enterprise webhooks out: fan an event out to deliveries, attempt one delivery, and keep
each endpoint's health (five days of failure disables it and tells its owner)."""
from __future__ import annotations

import dataclasses
import logging
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from smtplib import SMTPException

from clientsynq.common.events import Event
from clientsynq.common.metrics import counter, histogram
from clientsynq.webhooks.config import DeliverySettings
from clientsynq.webhooks.domain.deliveries import DELIVERED, FAILED, Attempt, Delivery
from clientsynq.webhooks.domain.endpoints import Endpoint, EndpointHealth
from clientsynq.webhooks.domain.ports import (
    Clock,
    DeliveryStore,
    EndpointStore,
    Mailer,
    OwnerDirectory,
    Sender,
)
from clientsynq.webhooks.domain.public import PUBLIC_SPECS, public_payload
from clientsynq.webhooks.domain.queue import (
    Claim,
    Due,
    Outcome,
    after_response,
    cancelled,
    new_claim,
    not_sent,
)
from clientsynq.webhooks.domain.signing import signature_headers

log = logging.getLogger(__name__)
OUTCOMES = counter("clientsynq_webhook_deliveries_total", "Delivery attempts by outcome",
                   ["outcome"])
LATENCY = histogram("clientsynq_webhook_attempt_seconds", "Time from request to answer",
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15))
DISABLED = counter("clientsynq_webhook_endpoints_disabled_total",
                   "Endpoints disabled after days of failure")
ALERTS = counter("clientsynq_webhook_disable_alerts_total", "Owner emails on disable",
                 ["result"])


@dataclass(frozen=True)
class Outbound:
    endpoints: EndpointStore
    deliveries: DeliveryStore
    sender: Sender
    mailer: Mailer
    clock: Clock
    settings: DeliverySettings
    owners: OwnerDirectory
    random: Callable[[], float] = field(default=random.random)


def message_id_for(event_id: str) -> str:
    """Standard Webhooks' `webhook-id`: one per message, the same on every retry and
    endpoint, so a receiver can drop what it already processed."""
    return "msg_" + uuid.uuid5(uuid.NAMESPACE_URL, f"clientsynq-event/{event_id}").hex


def fan_out(deps: Outbound, event: Event) -> int:
    """Persist one delivery per subscribed endpoint before any attempt; ids derive from
    event and endpoint, so consuming the event again after a crash adds nothing."""
    return deps.deliveries.add_many(deliveries_for(deps, event))


def deliveries_for(deps: Outbound, event: Event,
                   subscribed: Callable[[str, str], Sequence[str]] | None = None
                   ) -> list[Delivery]:
    """The deliveries an event makes, not yet stored (the worker stores a whole Kafka poll
    batch of them in one write; `subscribed` may answer from that batch's cache)."""
    if event.type not in PUBLIC_SPECS:
        return []
    endpoint_ids = (subscribed or deps.endpoints.subscribed_ids)(event.tenant_id, event.type)
    if not endpoint_ids:
        return []
    payload = public_payload(event.type, event.data, event.time)
    now = deps.clock()
    return [Delivery(id=uuid.uuid5(uuid.NAMESPACE_URL, f"{event.id}/{endpoint_id}").hex,
                     tenant_id=event.tenant_id, endpoint_id=endpoint_id,
                     message_id=message_id_for(event.id), event_type=event.type,
                     payload=payload, created_at=now, next_attempt_at=now)
            for endpoint_id in endpoint_ids]


def attempt_delivery(deps: Outbound, endpoint: Endpoint, due: Due, claim: Claim) -> Outcome:
    """Sign with every valid secret and POST once, if the claim's send window is still
    open by our clock (a claim that took too long to land sends nothing: another replica
    may judge it abandoned once its window, the timeout and the grace have passed).
    Recording the outcome is the caller's: the dispatcher batches it per round."""
    now = deps.clock()
    if now >= claim.send_by:
        OUTCOMES.labels(outcome="not_sent").inc()
        return not_sent(due, now)
    body = due.delivery.payload.encode()
    headers = signature_headers(endpoint.signing_secrets(now), due.delivery.message_id,
                                int(now.timestamp()), body)
    settings = deps.settings
    response = deps.sender.send(endpoint.url, headers, body, settings.timeout_seconds)
    outcome = after_response(due, response, deps.clock(), settings.timeout_seconds,
                             settings.retry_schedule, settings.jitter_ratio, deps.random)
    attempt = outcome.attempt
    OUTCOMES.labels(outcome="gave_up" if outcome.status == FAILED
                    else attempt.outcome if attempt else "not_sent").inc()
    LATENCY.observe(response.latency_ms / 1000)
    return outcome


CANCEL_BATCH = 500
PENDING_HORIZON = timedelta(days=3650)  # later than any retry the schedule can set


def cancel_pending(deps: Outbound, endpoint_id: str, holder: str,
                   limit: int = CANCEL_BATCH) -> int:
    """A deleted endpoint's queued attempts, due now or later, claimed and recorded
    cancelled (one read, one claim insert, one `finish`). An attempt another holder has
    claimed (in flight) is left to it: its holder finds the endpoint gone and the next
    attempt is cancelled by the dispatcher when it comes due, as are any beyond `limit`."""
    store, now, settings = deps.deliveries, deps.clock(), deps.settings
    entries = store.due(endpoint_id, now + PENDING_HORIZON, limit)
    if not entries:
        return 0
    claim = new_claim(holder, now, settings.timeout_seconds, settings.claim_grace_seconds)
    won = store.claim(entries, claim)
    return len(store.finish([cancelled(entry, now) for entry in entries if entry.key in won]))


def track_health(deps: Outbound, endpoint: Endpoint, attempt: Attempt) -> Endpoint:
    """After an attempt: a success clears the failure streak; a failure starts it or, five
    days in, disables the endpoint and emails its owner once. Writes only on a change."""
    now = deps.clock()
    health = endpoint.health or EndpointHealth(endpoint.id, endpoint.tenant_id)
    if attempt.outcome == DELIVERED:
        if endpoint.failing_since() is None and health.last_success_at is not None:
            return endpoint
        changed = dataclasses.replace(health, failing_since=None, last_success_at=now)
    else:
        since = endpoint.failing_since()
        if since is None:
            changed = dataclasses.replace(health, failing_since=now)
        elif endpoint.is_disabled or now - since < timedelta(
                seconds=deps.settings.disable_after_seconds):
            return endpoint
        else:
            changed = dataclasses.replace(health, disabled_at=now)
    deps.endpoints.save_health(changed)
    updated = dataclasses.replace(endpoint, health=changed)
    if changed.disabled_at is not None and not endpoint.is_disabled:
        _tell_owner(deps, updated)
    return updated


def _tell_owner(deps: Outbound, endpoint: Endpoint) -> None:
    DISABLED.inc()
    log.warning("webhook.endpoint_disabled", extra={"tenant_id": endpoint.tenant_id,
                                                    "endpoint_id": endpoint.id})
    addresses = _alert_addresses(deps, endpoint)
    if not addresses:
        ALERTS.labels(result="no_address").inc()
        return
    body = (f"Your ClientSynq webhook endpoint {endpoint.url} has failed every delivery for "
            f"five days, so we disabled it. Deliveries are kept: fix the endpoint, then "
            f"resume it in ClientSynq to receive them.\n\nEndpoint id: {endpoint.id}\n")
    for address in addresses:
        try:
            deps.mailer.send(address, "Your webhook endpoint was disabled", body)
            ALERTS.labels(result="sent").inc()
        except (OSError, SMTPException):
            ALERTS.labels(result="failed").inc()
            log.warning("webhook.disable_alert_failed", exc_info=True,
                        extra={"endpoint_id": endpoint.id})


def _alert_addresses(deps: Outbound, endpoint: Endpoint) -> list[str]:
    """The endpoint's own alert address when it has one, else the business's owners."""
    if endpoint.alert_email:
        return [endpoint.alert_email]
    try:
        return list(deps.owners.owner_emails(endpoint.tenant_id))
    except OwnerLookupFailed:
        log.warning("webhook.owner_lookup_failed", exc_info=True,
                    extra={"tenant_id": endpoint.tenant_id, "endpoint_id": endpoint.id})
        return []


class OwnerLookupFailed(Exception):
    """auth-svc could not say who owns the business (it is down or refused us)."""
