"""Typed errors of auth-svc; each becomes an RFC 9457 problem with a stable ``type`` slug.

Messages never include tokens, passwords or key material: they reach clients and logs.
"""
from __future__ import annotations

from clientsynq.common.problems import (
    BadRequest,
    ClientSynqError,
    Conflict,
    Forbidden,
    NotFound,
    PlanDoesNotAllow,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
)


class InvalidCredentials(Unauthorized):
    """One message for unknown email and wrong password: no user enumeration."""

    slug, title = "invalid-credentials", "Invalid email or password"


class LoginLocked(TooManyRequests):
    slug, title = "login-locked", "Too many failed attempts"


class LoginRateLimited(TooManyRequests):
    slug, title = "login-rate-limited", "Too many login attempts"


class EmailAlreadyRegistered(Conflict):
    slug, title = "email-already-registered", "This email is already registered"


class InvalidRefreshToken(Unauthorized):
    slug, title = "invalid-refresh-token", "The refresh token is invalid, expired or revoked"


class TenantNotFound(NotFound):
    slug, title = "tenant-not-found", "No such business"


class RoleNotAllowed(Forbidden):
    slug, title = "role-not-allowed", "Your role does not allow this action"


class PlanRequired(PlanDoesNotAllow):
    """Raised by services (the decorators in common cover the views)."""


class NotConnected(Conflict):
    """sync-svc's contract: ``type`` ends in ``/not-connected``."""

    slug, title = "not-connected", "QuickBooks is not connected"


class AuthorizationExpired(Conflict):
    """sync-svc's contract: ``type`` ends in ``/authorization-expired``."""

    slug, title = "authorization-expired", "QuickBooks authorization expired"


class QboUnavailable(ServiceUnavailable):
    """Intuit could not be reached or answered 5xx/429: retry later, nothing was lost."""

    slug, title = "qbo-unavailable", "QuickBooks is not reachable right now"


class QboRefused(ClientSynqError):
    """Intuit refused a grant (invalid_grant, access_denied, bad code)."""

    slug, title, status = "qbo-refused", "QuickBooks refused the authorization", 400

    def __init__(self, error: str, detail: str | None = None) -> None:
        super().__init__(detail or f"QuickBooks answered {error}.", error=error)
        self.error = error


class InvalidOAuthState(BadRequest):
    """The state is unknown, used, expired, or belongs to another user or business."""

    slug, title = "invalid-oauth-state", "This connection attempt is not valid any more"


class InvitationInvalid(NotFound):
    slug, title = "invitation-invalid", "This invitation link is invalid, used or expired"


class ClientNotFound(NotFound):
    slug, title = "client-not-found", "No such portal client"


class ClientAccessRevoked(Forbidden):
    slug, title = "client-access-revoked", "Your access to this client portal was withdrawn"


class InvitationNotFound(NotFound):
    slug, title = "invitation-not-found", "No such invitation"


class MailUnavailable(ServiceUnavailable):
    slug, title = "mail-unavailable", "The email could not be sent"


class ApiKeyNotFound(NotFound):
    slug, title = "api-key-not-found", "No such API key"


class InvalidApiKey(Unauthorized):
    slug, title = "invalid-api-key", "The API key is invalid or revoked"


class MemberNotFound(NotFound):
    slug, title = "member-not-found", "No such team member"


class OwnMembership(Forbidden):
    """Nobody changes their own role or removes themselves: another owner or admin must."""

    slug, title = "own-membership", "You cannot change your own membership"


class LastOwner(Conflict):
    slug, title = "last-owner", "A business must keep at least one owner"


class TeamChangeInProgress(Conflict):
    slug, title = "team-change-in-progress", "Another change to this team is in progress"
