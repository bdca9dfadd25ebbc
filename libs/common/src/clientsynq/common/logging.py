"""JSON-lines logging with request/event ids and a redaction safety net.

One JSON object per line on stdout is what Kubernetes log collectors index without
parsing rules. Redaction is a last line of defence: code must not log secrets in the first
place, but an OAuth token passed by mistake in ``extra`` or an exception message must not
end up in a log store that far more people can read than the token vault.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TextIO

REDACTED = "[REDACTED]"
_SENSITIVE_KEYS = frozenset({
    "token", "access_token", "refresh_token", "id_token", "password", "secret",
    "client_secret", "authorization", "cookie", "set_cookie", "api_key",
    "authorization_code", "oauth_code", "verifier_token", "private_key", "session",
})
_SENSITIVE_SUFFIXES = ("_token", "_secret", "_password", "_api_key", "_private_key")
# ``code`` is an OAuth authorization code in a callback, but far more often a harmless
# error code ("invalid_grant", "6000"): only long opaque values are treated as secrets.
_OPAQUE_CODE = re.compile(r"[A-Za-z0-9._~+/=-]{20,}")
_TOKEN_NAMES = "access_token|refresh_token|id_token|client_secret|password|token"  # noqa: S105
_JSON_TOKEN_KEYS = f"(?:{_TOKEN_NAMES})"  # not "code": JSON error bodies carry harmless ones
_URL_TOKEN_KEYS = f"(?:{_TOKEN_NAMES}|code)"
_SECRET_PATTERNS = (
    # JWTs (ours), JWEs (Intuit's access tokens: five segments, the second often empty)
    # and any other base64url blob starting with a JSON header.
    (re.compile(r"\beyJ[A-Za-z0-9_-]{10,}(?:\.[A-Za-z0-9_-]*){0,4}"), REDACTED),
    # Intuit refresh tokens ("AB11" + 40-odd base64url characters).
    (re.compile(r"\bAB\d{2}[A-Za-z0-9_-]{24,}"), REDACTED),
    (re.compile(r"\b(Bearer|bearer|BEARER|Basic)\s+[A-Za-z0-9._~+/=-]{8,}"), rf"\1 {REDACTED}"),
    (re.compile(r"\b(Service)\s+[A-Za-z0-9._-]+:\S+"), rf"\1 {REDACTED}"),
    # Token values in JSON or Python-repr text, e.g. a logged token response body:
    # {"access_token": "..."} or {'refresh_token': '...'}.
    (re.compile(rf"""(["']{_JSON_TOKEN_KEYS}["']\s*:\s*)(["'])(?:(?!\2).)*\2"""),
     rf"\1\2{REDACTED}\2"),
    # OAuth values in logged URLs and form bodies, e.g. ?code=...&state=..., or
    # grant_type=refresh_token&refresh_token=...
    (re.compile(rf"((?:^|[?&\s]){_URL_TOKEN_KEYS}=)[^&#\s'\"]+"), rf"\1{REDACTED}"),
)
# Attributes every LogRecord has; anything else on a record came from ``extra``.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "taskName",
}
_MAX_DEPTH = 6

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "clientsynq_request_id", default=None
)
_event_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "clientsynq_event_id", default=None
)


def is_sensitive_key(key: str) -> bool:
    normalized = key.lower().replace("-", "_")
    return normalized in _SENSITIVE_KEYS or normalized.endswith(_SENSITIVE_SUFFIXES)


def _hides(key: str, value: Any) -> bool:
    """Whether the value under ``key`` must not be shown (see ``_OPAQUE_CODE``)."""
    if key.lower() == "code":
        return isinstance(value, str) and _OPAQUE_CODE.fullmatch(value) is not None
    return is_sensitive_key(key)


def redact_text(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact(value: Any, depth: int = 0) -> Any:
    """A JSON-safe copy of ``value`` with secret-looking keys and values replaced."""
    if isinstance(value, Mapping) and depth < _MAX_DEPTH:
        return {
            str(key): REDACTED if _hides(str(key), item) else redact(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple, set, frozenset)) and depth < _MAX_DEPTH:
        return [redact(item, depth + 1) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (date, Decimal)):
        return str(value)
    return redact_text(value if isinstance(value, str) else repr(value))


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _rfc3339(record.created),
            "level": record.levelname,
            "logger": record.name,
            "event": redact_text(record.getMessage()),
            "service": self.service,
        }
        for name, var in (("request_id", _request_id), ("event_id", _event_id)):
            if var.get() is not None:
                entry[name] = var.get()
        extra = {k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS}
        entry.update({k: v for k, v in redact(extra).items() if k not in entry or
                      k in ("request_id", "event_id")})
        if record.exc_info:
            entry["exc_info"] = redact_text(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack_info"] = redact_text(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _rfc3339(created: float) -> str:
    moment = datetime.fromtimestamp(created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _ServiceHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler we installed, so configuring twice replaces it instead of adding."""


NOISY_LIBRARIES = ("kafka",)
# These log whole token requests and responses (bodies, headers, the token dict) at DEBUG:
# kept at WARNING whatever LOG_LEVEL says, so turning DEBUG on never writes a QBO token.
TOKEN_LOGGING_LIBRARIES = ("requests_oauthlib", "oauthlib", "urllib3")
KAFKA_IO_LOOP = "kafka.net.selector"


def configure_logging(service: str, level: str = "INFO", stream: TextIO | None = None) -> None:
    """Called once by each entrypoint; replaces any handlers on the root logger."""
    handler = _ServiceHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # kafka-python narrates every connection and rebalance at INFO; its warnings suffice.
    for chatty in NOISY_LIBRARIES:
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))
    for leaky in TOKEN_LOGGING_LIBRARIES:
        logging.getLogger(leaky).setLevel(logging.WARNING)
    # kafka-python 3's IO loop warns whenever one of its steps took over 100 ms, which on a
    # busy 2-core machine is every few seconds per client and says nothing about us.
    logging.getLogger(KAFKA_IO_LOOP).setLevel(max(logging.ERROR, root.level))
    logging.captureWarnings(True)


class _Binding:
    """Binds a context variable for a ``with`` block.

    A class rather than ``@contextmanager`` because Flask enters it in ``before_request``
    and exits it in ``teardown_request``; restoring the previous value must work even if
    the token cannot be reset there.
    """

    def __init__(self, var: contextvars.ContextVar[str | None], value: str) -> None:
        self._var, self._value = var, value
        self._previous: str | None = None
        self._token: contextvars.Token[str | None] | None = None

    def __enter__(self) -> str:
        self._previous = self._var.get()
        self._token = self._var.set(self._value)
        return self._value

    def __exit__(self, *exc: object) -> None:
        if self._token is None:
            return
        try:
            self._var.reset(self._token)
        except ValueError:  # entered in another context: restore by value instead
            self._var.set(self._previous)
        self._token = None


def bind_request_id(request_id: str) -> _Binding:
    return _Binding(_request_id, request_id)


def bind_event_id(event_id: str) -> _Binding:
    return _Binding(_event_id, event_id)


def current_request_id() -> str | None:
    return _request_id.get()


def current_event_id() -> str | None:
    return _event_id.get()
