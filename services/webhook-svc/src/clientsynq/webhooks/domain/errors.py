"""Typed errors of webhook-svc; each becomes one problem+json answer."""
from __future__ import annotations

from clientsynq.common.problems import (
    BadRequest,
    ClientSynqError,
    Conflict,
    NotFound,
    Unauthorized,
    ValidationFailed,
)


class MalformedNotification(BadRequest):
    slug, title = "malformed-notification", "The notification is not one Intuit sends"


class InvalidSignature(Unauthorized):
    slug, title = "invalid-signature", "The intuit-signature does not match the body"


class EndpointNotFound(NotFound):
    slug, title = "endpoint-not-found", "No such webhook endpoint"


class DeliveryNotFound(NotFound):
    slug, title = "delivery-not-found", "No such delivery"


class UnsafeUrl(ValidationFailed):
    """The URL points into a private network (or is not https): refused, nothing stored."""

    def __init__(self, reason: str) -> None:
        super().__init__({"url": [reason]}, detail=f"The endpoint URL is refused: {reason}.")


class EndpointDisabled(Conflict):
    slug, title = "endpoint-disabled", "The endpoint is disabled"


__all__ = ["ClientSynqError", "DeliveryNotFound", "EndpointDisabled", "EndpointNotFound",
           "InvalidSignature", "MalformedNotification", "UnsafeUrl"]
