"""Why an event was refused, in words a human reading the DLQ understands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_MAX_REASONS = 3


class EventValidationError(ValueError):
    """An event that must not be produced or consumed.

    ``reason`` is short and safe to put in a DLQ header or a log line; ``errors`` maps each
    offending path (``data.invoice.total``) to its messages for tools that want them all.
    Neither includes the offending values, which may be customer data.
    """

    def __init__(self, reason: str, errors: Mapping[str, list[str]] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.errors: dict[str, list[str]] = dict(errors or {})


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested error dict into ``{"a.b.0.c": [messages]}``."""
    if isinstance(messages, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            path = prefix if key == "_schema" else _join(prefix, str(key))
            for inner_path, inner in flatten_messages(value, path).items():
                flat.setdefault(inner_path, []).extend(inner)
        return flat
    if isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        return {prefix or "event": [str(item) for item in messages]}
    if isinstance(messages, list):
        flat = {}
        for item in messages:
            flat.update(flatten_messages(item, prefix))
        return flat
    return {prefix or "event": [str(messages)]}


def from_messages(messages: Any, prefix: str = "") -> EventValidationError:
    """Build the error with a one-line reason listing the first few problems."""
    errors = flatten_messages(messages, prefix)
    parts = [f"{path}: {_clean(msgs[0])}" for path, msgs in sorted(errors.items())]
    reason = "; ".join(parts[:_MAX_REASONS])
    if len(parts) > _MAX_REASONS:
        reason += f" (and {len(parts) - _MAX_REASONS} more)"
    return EventValidationError(reason or "invalid event", errors)


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _clean(message: str) -> str:
    """Marshmallow says "Unknown field."; a reason reads better without the full stop."""
    return message[:1].lower() + message[1:].rstrip(".") if message else message
