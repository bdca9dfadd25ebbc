"""A webhook receiver for tests: a real HTTP server on a loopback port that checks every
request with its own, independent Standard Webhooks implementation (`standardwebhooks`)."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool
    at: float = 0.0  # time.time() when it arrived (benchmarks)

    @property
    def message_id(self) -> str:
        return self.headers.get("webhook-id", "")

    @property
    def payload(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """`status`, `redirect_to` and `hang` change how it answers; `secrets` verify."""

    secrets: list[str] = field(default_factory=list)
    status: int = 200
    redirect_to: str | None = None
    hang: threading.Event | None = None
    port: int = 0
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers answer

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.record(dict(self.headers.items()), body)
                if receiver.hang is not None:
                    receiver.hang.wait(60)
                self.send_response(receiver.status if not receiver.redirect_to else 302)
                if receiver.redirect_to:
                    self.send_header("Location", receiver.redirect_to)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.hang is not None:
            self.hang.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks"

    def record(self, headers: dict[str, str], body: bytes) -> None:
        lowered = {k.lower(): v for k, v in headers.items()}
        with self._lock:
            self.received.append(Received(lowered, body, self.verifies(lowered, body),
                                          time.time()))

    def verifies(self, headers: dict[str, str], body: bytes) -> bool:
        for secret in self.secrets:
            try:
                Webhook(secret).verify(body, headers)
                return True
            except WebhookVerificationError:
                continue
        return False

    def messages(self) -> list[Received]:
        with self._lock:
            return list(self.received)
