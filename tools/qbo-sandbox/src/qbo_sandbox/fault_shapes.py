"""The error bodies a client meets in the wild, injectable by name (`shape` of a fault).

| shape          | status (default)  | body                                                   |
|----------------|-------------------|--------------------------------------------------------|
| default        | the fault's       | what the sandbox answers for that status today          |
| xml_auth       | 401               | XML AuthenticationFault code 100 (reference section 7)  |
| html           | 502 (or 503/504)  | the gateway's HTML error page, text/html                |
| auth_120       | 403               | JSON AuthorizationFault code 120 (user lost access)     |
| company_6190   | 403 (200/400 too) | JSON ValidationFault 6190 Invalid Company Status        |
| fault_200      | 200               | a SystemFault 10000 inside a 200 (batch: in every item) |

6190's status is not settled: the issue names 403, a PHP SDK report (#211) saw 200, and
Intuit's engineer said it should be 400; each can be asked for with `status`.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request

from . import timefmt
from .errors import QboFault

SHAPES = ("default", "xml_auth", "html", "auth_120", "company_6190", "fault_200")
DEFAULT_STATUS = {"xml_auth": 401, "html": 502, "auth_120": 403, "company_6190": 403,
                  "fault_200": 200}
ALLOWED_STATUS = {"xml_auth": (401,), "html": (502, 503, 504), "auth_120": (403,),
                  "company_6190": (200, 400, 403), "fault_200": (200,)}
SUBSCRIPTION_DETAIL = (
    "Subscription period has ended or canceled or there was a billing problem : You can't "
    "add data to QuickBooks Online Plus because your trial or subscription period ended, you "
    "canceled your subscription, or there was a billing problem. To update your subscription, "
    "click the gear icon and view your account information.")
HTML_TITLES = {502: "502 Bad Gateway", 503: "503 Service Temporarily Unavailable",
               504: "504 Gateway Time-out"}


def check_shape(shape: str, status: int | None) -> int | None:
    """The status a shape answers with; ValueError for an unknown shape or a wrong status."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {SHAPES}")
    if shape == "default":
        return status
    if status is None:
        return DEFAULT_STATUS[shape]
    if status not in ALLOWED_STATUS[shape]:
        raise ValueError(f"shape {shape} answers one of {ALLOWED_STATUS[shape]}")
    return status


def xml_authentication_fault() -> bytes:
    """The XML 401 QBO sends for a bad token or a request without Accept: application/json."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" '
        f'time="{timefmt.response_time()}"><Fault type="AuthenticationFault">'
        '<Error code="100"><Message>General Authentication Error</Message>'
        "<Detail>AuthenticationErrorGeneral: SRV-110-Authentication Failure , statusCode: 401"
        "</Detail></Error></Fault></IntuitResponse>").encode()


def gateway_html(status: int) -> bytes:
    """An nginx-style page, as a load balancer in front of the API answers."""
    title = HTML_TITLES[status]
    return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}"
            "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n").encode()


def shaped_response(shape: str, status: int) -> Response:
    """The response for a non-default shape."""
    if shape == "xml_auth":
        response = Response(xml_authentication_fault(), status, content_type="application/xml")
        response.headers["WWW-Authenticate"] = 'Bearer realm="Intuit", error="invalid_token"'
        return response
    if shape == "html":
        return Response(gateway_html(status), status, content_type="text/html")
    fault = _fault_for(shape)
    if shape == "fault_200" and request.path.endswith("/batch"):
        return _batch_items_fault(fault)
    body = {"Fault": fault.fault_dict(), "time": timefmt.response_time()}
    return Response(json.dumps(body), status, content_type="application/json;charset=UTF-8")


def _fault_for(shape: str) -> QboFault:
    if shape == "auth_120":
        return QboFault("120", "Authorization Failure", "AuthorizationFailure: Unknown Error "
                        "during Authentication, statusCode: 403", "AuthorizationFault", 403)
    if shape == "company_6190":
        return QboFault("6190", "Invalid Company Status", SUBSCRIPTION_DETAIL)
    return QboFault("10000", "An application error has occurred while processing your "
                    "request", "System Failure Error: injected by qbo-sandbox", "SystemFault")


def _batch_items_fault(fault: QboFault) -> Response:
    """HTTP 200, every item of the batch answered with the Fault and nothing run."""
    body: Any = request.get_json(force=True, silent=True) or {}
    items = body.get("BatchItemRequest") if isinstance(body, dict) else None
    answers = [{"bId": item.get("bId"), "Fault": fault.fault_dict()}
               for item in (items if isinstance(items, list) else []) if isinstance(item, dict)]
    payload = {"BatchItemResponse": answers, "time": timefmt.response_time()}
    return Response(json.dumps(payload), 200, content_type="application/json;charset=UTF-8")
