"""The messages received so far, in memory: what the web page and the JSON API read."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

MAX_MESSAGES = 1000


@dataclass(frozen=True)
class Message:
    id: int
    mail_from: str
    to: list[str]
    subject: str
    body: str
    html: str
    received_at: str


class Mailbox:
    """Thread-safe: SMTP writes from the aiosmtpd loop, HTTP reads from its own threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[Message] = []
        self._next_id = 1

    def add(self, mail_from: str, to: list[str], raw: bytes) -> None:
        parsed = message_from_bytes(raw, policy=policy.default)
        text = _part(parsed, "plain") if isinstance(parsed, EmailMessage) else ""
        html = _part(parsed, "html") if isinstance(parsed, EmailMessage) else ""
        with self._lock:
            self._messages.append(Message(self._next_id, mail_from, to,
                                          str(parsed.get("Subject", "")), text or html, html,
                                          datetime.now(UTC).isoformat()))
            self._next_id += 1
            del self._messages[:-MAX_MESSAGES]

    def list(self, to: str | None = None) -> list[Message]:
        with self._lock:
            found = list(self._messages)
        if to is None:
            return found
        return [m for m in found if to.lower() in (r.lower() for r in m.to)]

    def get(self, message_id: int) -> Message | None:
        with self._lock:
            return next((m for m in self._messages if m.id == message_id), None)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()


def _part(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    return "" if part is None else str(part.get_content())
