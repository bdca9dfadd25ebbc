"""SMTP in (aiosmtpd), a web page and a JSON API out, both on loopback threads.

Nothing is relayed: it is where invitation, sign-up and reset emails go on a developer
machine and in tests, so they can be read back (``GET /messages?to=ann@example.com``, or the
page at ``/``) instead of sent.
"""
from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer

from mail_sink.mailbox import Mailbox, Message
from mail_sink.smtp import SmtpServer
from mail_sink.web import handler_for

__all__ = ["MailSink", "Mailbox", "Message"]


class MailSink:
    """Start with ``start()``, stop with ``stop()``; ports 0 pick free ones."""

    def __init__(self, host: str = "127.0.0.1", smtp_port: int = 0, http_port: int = 0) -> None:
        self.mailbox = Mailbox()
        self._host = host
        self._smtp = SmtpServer(self.mailbox, host, smtp_port)
        self._http = ThreadingHTTPServer((host, http_port), handler_for(self.mailbox))
        self._http_thread = threading.Thread(target=self._http.serve_forever, daemon=True,
                                             name="mail-sink-http")

    @property
    def smtp_port(self) -> int:
        return self._smtp.port

    @property
    def http_url(self) -> str:
        return f"http://{self._host}:{self._http.server_address[1]}"

    def start(self) -> MailSink:
        self._smtp.start()
        self._http_thread.start()
        return self

    def stop(self) -> None:
        self._smtp.stop()
        self._http.shutdown()
        self._http.server_close()
