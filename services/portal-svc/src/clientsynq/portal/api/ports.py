"""What the API layer needs from outside, as small protocols (adapters implement them)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from clientsynq.portal.api.page_cache import PageCache
from clientsynq.portal.services.commands import CommandDeps


@dataclass(frozen=True)
class VerifiedApiKey:
    tenant_id: str
    key_id: str
    plan: str
    scopes: frozenset[str]


class ApiKeyVerifier(Protocol):
    def verify(self, key: str) -> VerifiedApiKey | None:
        """None for an unknown, revoked or malformed key; PlanDoesNotAllow when the business
        is not (or no longer) Enterprise; ServiceUnavailable when auth-svc cannot answer."""


@dataclass(frozen=True)
class StoredResponse:
    """The first answer to an Idempotency-Key, replayed for a retry with the same body."""

    fingerprint: str
    status: int | None = None  # None while the first request is still running
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    started_at: datetime | None = None


class IdempotencyStore(Protocol):
    def begin(self, key: str, fingerprint: str, now: datetime) -> StoredResponse | None:
        """None: this request is the first with `key` (now reserved). Otherwise what the
        first one stored (maybe still running)."""

    def finish(self, key: str, response: StoredResponse) -> None: ...

    def abandon(self, key: str) -> None:
        """The first request failed on our side (5xx): a retry may run again."""


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int


class RateLimiter(Protocol):
    def hit(self, key: str) -> RateDecision: ...


@dataclass(frozen=True)
class ApiDeps:
    commands: CommandDeps
    api_keys: ApiKeyVerifier
    idempotency: IdempotencyStore
    limiter: RateLimiter
    window_seconds: int = 60
    pages: PageCache = field(default_factory=PageCache)  # invoice list pages, per process
