"""Intuit's error shapes: the Fault envelope, gateway faults and the XML throttle fault.

Each exception knows its HTTP status and how to render itself, so views raise and one
error handler in app.py answers; clients see exactly the bodies real QBO sends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from xml.sax.saxutils import escape

from . import timefmt


class SandboxError(Exception):
    """Base of every error the emulator renders as an HTTP answer."""

    status = 500

    def render(self) -> tuple[bytes, str]:
        """(body, content type) for this error."""
        raise NotImplementedError


@dataclass
class QboFault(SandboxError):
    """A Fault in the v3 envelope: {"Fault":{"Error":[...],"type":..},"time":..}."""

    code: str
    message: str
    detail: str = ""
    fault_type: str = "ValidationFault"
    status: int = 400
    element: str = ""

    def __str__(self) -> str:
        return f"{self.code} {self.message}: {self.detail}"

    def fault_dict(self) -> dict[str, object]:
        """The inner Fault object, reused by batch item responses."""
        error = {"Message": self.message, "Detail": self.detail, "code": self.code}
        if self.element:
            error["element"] = self.element
        return {"Error": [error], "type": self.fault_type}

    def render(self) -> tuple[bytes, str]:
        body = {"Fault": self.fault_dict(), "time": timefmt.response_time()}
        return json.dumps(body).encode(), "application/json;charset=UTF-8"


def stale_object(entity_name: str) -> QboFault:
    """5010: the client's SyncToken is older than the stored one."""
    return QboFault(
        "5010", "Stale Object Error",
        "Stale Object Error : You and Sandbox User were working on this at the same time. "
        f"Sandbox User finished before you did, so your work was not saved. ({entity_name})",
    )


def not_found(entity_name: str, entity_id: str) -> QboFault:
    """610: a missing or inactive object, by id or by reference."""
    return QboFault(
        "610", "Object Not Found",
        f"Object Not Found : Something you're trying to use has been made inactive or "
        f"deleted. Check the fields with {entity_name} Id {entity_id}.",
    )


def required_missing(field: str) -> QboFault:
    """2020: a required field (CustomerRef, Line, SyncToken...) was not sent."""
    return QboFault(
        "2020", "Required param missing, need to supply the required value for the API",
        f"Required parameter {field} is missing in the request",
    )


def business_rule(detail: str) -> QboFault:
    """6000: a business validation error; the Detail says which rule."""
    return QboFault("6000", "A business validation error has occurred while processing "
                    "your request", f"Business Validation Error: {detail}")


def unsupported(detail: str) -> QboFault:
    """500 (code, not status): malformed URI, unknown operation or resource."""
    return QboFault("500", "Unsupported Operation", detail)


def query_parse_error(detail: str) -> QboFault:
    """4000: what QBO answers to any statement its parser rejects."""
    return QboFault("4000", "Error parsing query", f"QueryParserError: {detail}")


def query_validation_error(detail: str) -> QboFault:
    """4001: a statement that parses but names a property that cannot be queried."""
    return QboFault("4001", "Invalid query", f"QueryValidationError: {detail}")


@dataclass
class GatewayFault(SandboxError):
    """Faults raised by Intuit's gateway before the API runs: lowercase keys, epoch time."""

    code: str
    message: str
    detail: str
    fault_type: str
    status: int = 401

    def render(self) -> tuple[bytes, str]:
        error = {"message": self.message, "detail": self.detail, "code": self.code,
                 "element": None}
        body = {"fault": {"error": [error], "type": self.fault_type},
                "time": timefmt.epoch_millis()}
        return json.dumps(body).encode(), "application/json;charset=UTF-8"


def authentication_failed(detail: str) -> GatewayFault:
    """401 / 3200: token missing, malformed, expired or revoked."""
    return GatewayFault("3200", "message=AuthenticationFailed; errorCode=003200; "
                        "statusCode=401", detail, "AUTHENTICATION", 401)


def authorization_failed(detail: str) -> GatewayFault:
    """403 / 3100: a valid token for another realm, or without the accounting scope."""
    return GatewayFault("3100", "message=AuthorizationFailed; errorCode=003100; "
                        "statusCode=403", detail, "AUTHORIZATION", 403)


class ThrottleExceeded(SandboxError):
    """429 / 3001, rendered as XML even to JSON clients, like QBO (python-quickbooks #43)."""

    status = 429

    def render(self) -> tuple[bytes, str]:
        return throttle_xml(), "application/xml"


def throttle_xml() -> bytes:
    """The body QBO sends when a realm goes over its request limits."""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" '
        f'time="{escape(timefmt.response_time())}"><Fault type="SERVICE">'
        f'<Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; '
        f"statusCode=429</Message><Detail>The request limit was reached.  Try again later"
        f"</Detail></Error></Fault></IntuitResponse>"
    ).encode()


@dataclass
class OAuthError(SandboxError):
    """RFC 6749 token-endpoint errors: {"error": .., "error_description": ..}."""

    error: str
    description: str = ""
    status: int = 400

    def render(self) -> tuple[bytes, str]:
        body: dict[str, str] = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return json.dumps(body).encode(), "application/json;charset=UTF-8"


def invalid_grant(description: str = "Incorrect or invalid refresh token") -> OAuthError:
    """Reused, expired or revoked code or refresh token."""
    return OAuthError("invalid_grant", description)


def invalid_client() -> OAuthError:
    """Unknown client id or wrong secret; 401 as RFC 6749 section 5.2 asks."""
    return OAuthError("invalid_client", "", 401)
