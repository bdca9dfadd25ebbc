"""Typed errors of portal's use cases; the app turns each into RFC 9457 problem+json."""
from __future__ import annotations

from clientsynq.common.problems import (
    BadRequest,
    ClientSynqError,
    Conflict,
    NotFound,
    PlanDoesNotAllow,
)


class ResourceNotFound(NotFound):
    """Also what another business's id gets: a 403 would confirm that the id exists."""


class InvoiceNotFound(ResourceNotFound):
    slug, title = "invoice-not-found", "Invoice not found"


class CustomerNotFound(ResourceNotFound):
    slug, title = "customer-not-found", "Customer not found"


class PaymentNotFound(ResourceNotFound):
    slug, title = "payment-not-found", "Payment not found"


class CommandNotFound(ResourceNotFound):
    slug, title = "command-not-found", "Command not found"


class InvalidCursor(BadRequest):
    slug, title = "invalid-cursor", "Invalid cursor"


class InvalidQuery(BadRequest):
    slug, title = "invalid-query", "Invalid query parameter"


class SyncAlreadyRequested(Conflict):
    slug, title = "sync-already-requested", "A sync is already running or requested"


class NotConnected(Conflict):
    slug, title = "not-connected", "QuickBooks is not connected"


class WriteRefused(BadRequest):
    slug, title = "write-refused", "The request cannot be carried out"


__all__ = [
    "ClientSynqError",
    "CommandNotFound",
    "CustomerNotFound",
    "InvalidCursor",
    "InvalidQuery",
    "InvoiceNotFound",
    "NotConnected",
    "PaymentNotFound",
    "PlanDoesNotAllow",
    "ResourceNotFound",
    "SyncAlreadyRequested",
    "WriteRefused",
]
