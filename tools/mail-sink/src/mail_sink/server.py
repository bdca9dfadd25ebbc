"""SMTP in, JSON out (``GET /messages``), both on loopback threads, standard library only.

Nothing is relayed: it is where invitation emails go on a developer machine and in tests,
so they can be read back (``GET /messages?to=ann@example.com``) instead of sent.
"""
from __future__ import annotations

import json
import socketserver
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MAX_MESSAGES = 1000
MAX_LINE = 65536


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


class _SmtpSession(socketserver.StreamRequestHandler):
    """Just enough RFC 5321 for smtplib and ordinary mailers: EHLO/HELO, MAIL, RCPT, DATA
    (with dot-unstuffing), RSET, NOOP, QUIT. No relaying, no authentication, no TLS."""

    mailbox: Mailbox

    def handle(self) -> None:
        self._reply("220 mail-sink ESMTP ready")
        sender, recipients = "", list[str]()
        while line := self.rfile.readline(MAX_LINE):
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250-mail-sink" if verb == "EHLO" else "250 mail-sink")
                if verb == "EHLO":
                    self._reply("250 8BITMIME")
            elif verb == "MAIL":
                sender, recipients = _address(command), []
                self._reply("250 OK")
            elif verb == "RCPT":
                recipients.append(_address(command))
                self._reply("250 OK")
            elif verb == "DATA":
                self._receive(sender, recipients)
                sender, recipients = "", []
            elif verb in ("RSET", "NOOP"):
                sender, recipients = ("", []) if verb == "RSET" else (sender, recipients)
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")

    def _receive(self, sender: str, recipients: list[str]) -> None:
        if not recipients:
            self._reply("503 RCPT first")
            return
        self._reply("354 End data with <CR><LF>.<CR><LF>")
        lines = []
        while (line := self.rfile.readline(MAX_LINE)) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        self.mailbox.add(sender, recipients, b"".join(lines))
        self._reply("250 Message accepted")

    def _reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")


def _address(command: str) -> str:
    """``MAIL FROM:<a@b> SIZE=12`` -> ``a@b``."""
    _, _, rest = command.partition(":")
    return rest.strip().split(" ", 1)[0].strip("<>")


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


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
        session = type("Session", (_SmtpSession,), {"mailbox": self.mailbox})
        self._smtp = _SmtpServer((host, smtp_port), session)
        self._http = ThreadingHTTPServer((host, http_port), _http_handler(self.mailbox))
        self._threads = [threading.Thread(target=server.serve_forever, daemon=True,
                                          name=f"mail-sink-{name}")
                         for name, server in (("smtp", self._smtp), ("http", self._http))]

    @property
    def smtp_port(self) -> int:
        return int(self._smtp.server_address[1])

    @property
    def http_url(self) -> str:
        return f"http://{self._host}:{self._http.server_address[1]}"

    def start(self) -> MailSink:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        for server in (self._smtp, self._http):
            server.shutdown()
            server.server_close()
