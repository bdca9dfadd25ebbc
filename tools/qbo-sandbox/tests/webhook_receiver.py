"""A tiny webhook endpoint on loopback, shared by the webhook and merge tests."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from waiting import wait_until

HOLD_BOUND_SECONDS = 30  # a held answer is released by the test; this only bounds a failure


class Receiver:
    """A tiny webhook endpoint on loopback that records raw bodies and can fail on purpose.

    `hold_next()` makes the next request wait for `release()` before answering: an endpoint
    slower than the sender's timeout, without the test sleeping past the timeout.
    """

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.failures_left = 0
        self._hold = False
        self._released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver._hold:
                    receiver._hold = False
                    receiver._released.wait(HOLD_BOUND_SECONDS)
                if receiver.failures_left > 0:
                    receiver.failures_left -= 1
                    self.send_response(500)
                else:
                    receiver.received.append(({k.lower(): v for k, v in self.headers.items()},
                                              body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhooks/intuit"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def hold_next(self) -> None:
        """The next request gets no answer until `release()`."""
        self._released.clear()
        self._hold = True

    def release(self) -> None:
        """Let a held request answer (its sender may have given up on it by now)."""
        self._released.set()

    def wait_for(self, count: int, timeout: float = 10) -> list[tuple[dict[str, str], bytes]]:
        """Every request received, once there are at least `count` (fails after `timeout`)."""
        wait_until(lambda: len(self.received) >= count, timeout, f"{count} webhook requests")
        return self.received

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()
