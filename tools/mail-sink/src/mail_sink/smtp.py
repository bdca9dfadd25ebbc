"""SMTP in, by aiosmtpd (a maintained, RFC 5321-complete server) rather than by hand.

aiosmtpd's own ``Controller`` needs a fixed port (it connects to it to check readiness);
tests want port 0, so the server runs on a socket we bind ourselves, in a loop of its own
thread, and the port the kernel picked is known before anyone sends.
"""
from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from mail_sink.mailbox import Mailbox

MAX_MESSAGE_BYTES = 10 * 1024 * 1024


class _Keeper:
    """aiosmtpd handler: every DATA is kept in the mailbox, nothing is relayed."""

    def __init__(self, mailbox: Mailbox) -> None:
        self._mailbox = mailbox

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        self._mailbox.add(str(envelope.mail_from or ""), [str(r) for r in envelope.rcpt_tos],
                          raw)
        return "250 Message accepted"


class SmtpServer:
    def __init__(self, mailbox: Mailbox, host: str, port: int) -> None:
        self._sock = socket.create_server((host, port))
        self._handler = _Keeper(mailbox)
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="mail-sink-smtp")

    @property
    def port(self) -> int:
        return int(self._sock.getsockname()[1])

    def start(self) -> None:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._serve(), self._loop)
        self._server = future.result(timeout=10)

    async def _serve(self) -> Any:
        def protocol() -> SMTP:
            return SMTP(self._handler, data_size_limit=MAX_MESSAGE_BYTES, hostname="mail-sink",
                        ident="mail-sink (aiosmtpd)")
        return await self._loop.create_server(protocol, sock=self._sock)

    def stop(self) -> None:
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._sock.close()
