"""Turning QBO's error answers (JSON Fault, gateway fault, or XML) into our exceptions."""
from __future__ import annotations

import json
import re
from typing import Any

import requests
from clientsynq.sync.domain.errors import QboNotFound, QboRefused

_XML_CODE = re.compile(r'<Error[^>]*code="(?P<code>[^"]+)"')
_XML_MESSAGE = re.compile(r"<Message>(?P<m>.*?)</Message>", re.S)
_XML_DETAIL = re.compile(r"<Detail>(?P<d>.*?)</Detail>", re.S)


class QboTransient(Exception):
    """Worth retrying: 429, 5xx, a timeout or a dropped connection."""

    def __init__(self, message: str, status: int | None, intuit_tid: str | None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.intuit_tid = intuit_tid
        self.retry_after = retry_after

    @property
    def is_throttle(self) -> bool:
        return self.status == 429


def fault_in(body: bytes) -> dict[str, Any] | None:
    """A Fault inside a 200 (QBO does that); only small bodies are parsed, as a Fault is
    small and parsing every 1.5 MB page twice would cost real CPU."""
    if len(body) > 65536 or b"ault" not in body[:4096]:
        return None
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    fault = parsed.get("Fault") or parsed.get("fault")
    return fault if isinstance(fault, dict) else None


def refusal(response: requests.Response) -> QboRefused:
    """Intuit's Message (and code) from a 4xx, whatever format it came in."""
    message, code, detail = _parse_fault(response)
    kind = QboNotFound if response.status_code == 404 or code == "610" else QboRefused
    return kind(message, code, response.status_code, detail)


def refusal_from_fault(fault: dict[str, Any], status: int) -> QboRefused:
    errors = fault.get("Error") or fault.get("error") or [{}]
    first = errors[0] if isinstance(errors, list) and errors else {}
    message = str(first.get("Message") or first.get("message") or "QuickBooks refused")
    detail = str(first.get("Detail") or first.get("detail") or "")
    code = first.get("code")
    kind = QboNotFound if str(code) == "610" else QboRefused
    return kind(message, str(code) if code is not None else None, status, detail)


def _parse_fault(response: requests.Response) -> tuple[str, str | None, str]:
    text = response.text
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("Fault") or parsed.get("fault"),
                                                dict):
        err = refusal_from_fault(parsed.get("Fault") or parsed["fault"], response.status_code)
        return err.message, err.code, err.detail
    code = _XML_CODE.search(text)
    message = _XML_MESSAGE.search(text)
    detail = _XML_DETAIL.search(text)
    return (message["m"] if message else f"QuickBooks answered {response.status_code}",
            code["code"] if code else None, detail["d"] if detail else "")


def throttle_pause(retry_after_seconds: float | None, advised: float) -> float:
    """How long the whole realm waits after a 429: Retry-After when QBO sends one, else
    what Intuit advises (60 s) — retrying after a second only earns another 429."""
    return retry_after_seconds if retry_after_seconds is not None else advised


def retry_after(response: requests.Response) -> float | None:
    """Intuit may or may not send Retry-After with a 429; honour it when it does."""
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
