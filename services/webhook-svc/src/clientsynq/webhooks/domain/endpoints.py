"""Enterprise webhook endpoints: where a business wants its events, and the secrets that
sign them.

What the owner edits (the endpoint) and what the delivery worker learns (its health: failing
since when, disabled when) are separate documents with one writer each: FerretDB applies a
filtered update as read-then-write, so two writers of one document can lose an update.
"""
from __future__ import annotations

import base64
import dataclasses
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

EVENT_TYPES = ("invoice.updated", "payment.recorded", "customer.updated", "connection.changed",
               "sync.completed", "sync.failed")
TEST_EVENT = "webhook.test"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def new_signing_secret() -> str:
    """Standard Webhooks: `whsec_` + base64 of 24 to 64 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True)
class EndpointSecret:
    value: str = field(repr=False)
    created_at: datetime
    expires_at: datetime | None = None  # set when rotated away: signs until then

    def is_valid_at(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


@dataclass(frozen=True)
class EndpointHealth:
    """Written only by the delivery worker holding the endpoint's lease."""

    endpoint_id: str
    tenant_id: str
    failing_since: datetime | None = None
    disabled_at: datetime | None = None
    last_success_at: datetime | None = None


@dataclass(frozen=True)
class Endpoint:
    id: str
    tenant_id: str
    url: str
    description: str
    event_types: tuple[str, ...]
    secrets: tuple[EndpointSecret, ...]
    created_at: datetime
    updated_at: datetime
    paused: bool = False
    resumed_at: datetime | None = None
    alert_email: str | None = None
    health: EndpointHealth | None = None

    def wants(self, event_type: str) -> bool:
        return event_type == TEST_EVENT or event_type in self.event_types

    @property
    def is_disabled(self) -> bool:
        """Disabled by the worker after days of failure, until the owner resumes it."""
        disabled = self.health.disabled_at if self.health else None
        return disabled is not None and (self.resumed_at is None or disabled > self.resumed_at)

    @property
    def state(self) -> str:
        return "disabled" if self.is_disabled else "paused" if self.paused else "active"

    @property
    def accepts_deliveries(self) -> bool:
        return self.state == "active"

    def failing_since(self) -> datetime | None:
        """A resume starts the five-day count afresh."""
        since = self.health.failing_since if self.health else None
        if since is None or self.resumed_at is None:
            return since
        return max(since, self.resumed_at)

    def signing_secrets(self, now: datetime) -> list[str]:
        return [s.value for s in self.secrets if s.is_valid_at(now)]

    def rotated(self, now: datetime, grace: timedelta) -> tuple[Endpoint, str]:
        """A new secret signs from now on; the current ones keep signing for `grace`."""
        secret = new_signing_secret()
        kept = tuple(dataclasses.replace(s, expires_at=min(s.expires_at or now + grace,
                                                           now + grace))
                     for s in self.secrets if s.is_valid_at(now))
        updated = dataclasses.replace(self, secrets=(EndpointSecret(secret, now), *kept),
                                      updated_at=now)
        return updated, secret
