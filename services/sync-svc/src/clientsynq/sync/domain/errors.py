"""Typed errors of sync-svc: each says what went wrong in terms a caller can act on.

HTTP-facing ones derive from the common problem types (their slug and status become the
problem+json answer); the rest classify why a sync or a command stopped, which is what
`sync.failed.error_class` and `command.failed.code` report.
"""
from __future__ import annotations

from clientsynq.common.problems import ClientSynqError, Conflict, NotFound, PlanDoesNotAllow


class TenantNotKnown(NotFound):
    slug, title = "tenant-not-known", "sync-svc has no record of this tenant"


class EnterpriseOnly(PlanDoesNotAllow):
    slug, title = "plan-does-not-allow", "Advanced sync controls are an Enterprise feature"


class NotConnectedForSync(Conflict):
    slug, title = "not-connected", "The tenant has no working QuickBooks connection"


class SyncFailure(Exception):
    """Ends a sync run; `error_class` is one of sync.failed's classes."""

    error_class = "internal"


class NotConnected(SyncFailure):
    """auth-svc says there is no connection (never connected, or disconnected)."""

    error_class = "disconnected"


class AuthorizationExpired(SyncFailure):
    """The refresh token is dead (invalid_grant): only the owner reconnecting repairs it."""

    error_class = "authorization_expired"


class QboUnavailable(SyncFailure):
    """QBO kept answering 5xx (or not at all) through every retry."""

    error_class = "qbo_unavailable"


class QboThrottled(SyncFailure):
    """QBO kept answering 429 through every retry."""

    error_class = "throttled"


class AuthServiceUnavailable(SyncFailure):
    """auth-svc could not be reached to hand out a token: our side, so 'internal'."""

    error_class = "internal"


class QboRefused(Exception):
    """QBO answered a Fault (validation, business rule, stale object): not retryable.

    `message` and `code` are Intuit's, passed on to the user in command.failed.
    """

    def __init__(self, message: str, code: str | None, status: int, detail: str = "") -> None:
        super().__init__(f"{code}: {message}")
        self.message = message
        self.code = code
        self.status = status
        self.detail = detail


class QboNotFound(QboRefused):
    """A read of an entity that does not exist (deleted after Intuit told us it changed)."""


class RunInterrupted(Exception):
    """The worker is shutting down or lost the realm's lease: stop, keep the checkpoint."""


def is_client_error(err: Exception) -> bool:
    """Errors a caller caused (bad id, plan), as opposed to failures on our side."""
    return isinstance(err, ClientSynqError) and 400 <= err.status < 500
