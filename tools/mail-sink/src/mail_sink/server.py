"""SMTP in (aiosmtpd), JSON out (``GET /messages``), both on loopback threads.

Nothing is relayed: it is where invitation emails go on a developer machine and in tests,
so they can be read back (``GET /messages?to=ann@example.com``) instead of sent.
"""
from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

MAX_MESSAGES = 1000


@dataclass(frozen=True)
class Message:
    id: int
    mail_from: str
    to: list[str]
    subject: str
    body: str
    received_at: str


class Mailbox:
    """Thread-safe: SMTP writes from the aiosmtpd loop, HTTP reads from its own threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[Message] = []
        self._next_id = 1

    def add(self, mail_from: str, to: list[str], raw: bytes) -> None:
        parsed = message_from_bytes(raw, policy=policy.default)
        body = _text_of(parsed) if isinstance(parsed, EmailMessage) else ""
        with self._lock:
            self._messages.append(Message(self._next_id, mail_from, to,
                                          str(parsed.get("Subject", "")), body,
                                          datetime.now(UTC).isoformat()))
            self._next_id += 1
            del self._messages[:-MAX_MESSAGES]

    def list(self, to: str | None = None) -> list[Message]:
        with self._lock:
            found = list(self._messages)
        if to is None:
            return found
        return [m for m in found if to.lower() in (r.lower() for r in m.to)]

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()


def _text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return "" if part is None else str(part.get_content())


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self._mailbox = mailbox

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else \
            str(envelope.content or "").encode()
        self._mailbox.add(envelope.mail_from or "", list(envelope.rcpt_tos), content)
        return "250 Message accepted"


def _http_handler(mailbox: Mailbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/health":
                return self._json({"status": "ok"})
            if url.path != "/messages":
                return self._json({"error": "not found"}, 404)
            to = parse_qs(url.query).get("to", [None])[0]
            return self._json([asdict(m) for m in mailbox.list(to)])

        def do_DELETE(self) -> None:
            if urlsplit(self.path).path != "/messages":
                return self._json({"error": "not found"}, 404)
            mailbox.clear()
            return self._json({"status": "cleared"})

        def _json(self, payload: Any, status: int = 200) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests and `make run` do not want a line per poll."""

    return Handler


class MailSink:
    """Start with ``start()``, stop with ``stop()``; ports 0 pick free ones."""

    def __init__(self, host: str = "127.0.0.1", smtp_port: int = 0, http_port: int = 0) -> None:
        self.mailbox = Mailbox()
        self._host = host
        self._smtp = Controller(_Handler(self.mailbox), hostname=host, port=smtp_port or
                                _free_port(host))
        self._http = ThreadingHTTPServer((host, http_port), _http_handler(self.mailbox))
        self._http_thread = threading.Thread(target=self._http.serve_forever, daemon=True,
                                             name="mail-sink-http")

    @property
    def smtp_port(self) -> int:
        return int(self._smtp.port)

    @property
    def http_url(self) -> str:
        return f"http://{self._host}:{self._http.server_address[1]}"

    def start(self) -> MailSink:
        self._smtp.start()
        self._http_thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._smtp.stop()


def _free_port(host: str) -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
