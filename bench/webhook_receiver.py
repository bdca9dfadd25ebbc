"""A lean webhook receiver for `bench/webhooks.py`, in its own process.

The test receiver (`services/webhook-svc/tests/receiver.py`, `http.server` with a thread per
connection) ran inside the benchmark's process, so it shared one interpreter lock with the
worker it measured and with the bare POST loop that set the ceiling: about 300 requests/s
on this machine, below the 800/s aim. This one is a single asyncio protocol in a process of
its own (keep-alive HTTP/1.1, Content-Length bodies only). It still does what a receiver
must: every POST is checked with `standardwebhooks` (an implementation independent of ours)
against its path's secret, before it is answered, and its receipt time is taken when
the whole body has arrived. It answers `200 ok` whether or not the signature verified and
reports how many did not, so a bad signature shows in the figures rather than as retries.

`GET /_received` answers every receipt so far as JSON lines (`webhook-id`, the payload's
`data.id`, receipt time, verified); `GET /_count` the number; `POST /_secrets` (a JSON
object, path → `whsec_` secret) sets the secret each path verifies with.
Run: `python webhook_receiver.py` prints its port and serves until stdin closes.
"""
from __future__ import annotations

import asyncio
import json
import socket
import sys
import time
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


class State:
    def __init__(self) -> None:
        self.verifiers: dict[str, Webhook] = {}
        self.received: list[tuple[str, str, float, bool]] = []

    def verify(self, path: str, headers: dict[str, str], body: bytes) -> bool:
        verifier = self.verifiers.get(path)
        if verifier is None:
            return False
        try:
            verifier.verify(body, headers, json_parse=False)
        except WebhookVerificationError:
            return False
        return True

    def record(self, path: str, headers: dict[str, str], body: bytes, at: float) -> None:
        try:
            data_id = str(json.loads(body)["data"]["id"])
        except (ValueError, KeyError, TypeError):
            data_id = ""
        self.received.append((headers.get("webhook-id", ""), data_id, at,
                              self.verify(path, headers, body)))


class Http(asyncio.Protocol):
    def __init__(self, state: State) -> None:
        self.state = state
        self.buffer = b""
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4:end + 4 + length]
            self.buffer = self.buffer[end + 4 + length:]
            self.transport.write(self.answer(head[0].split(" "), headers, body))

    def answer(self, request: list[str], headers: dict[str, str], body: bytes) -> bytes:
        method, path = request[0], request[1] if len(request) > 1 else "/"
        if method == "GET" and path == "/_received":
            lines = "\n".join(json.dumps(r) for r in self.state.received).encode()
            return _response(lines)
        if method == "GET" and path == "/_count":
            return _response(str(len(self.state.received)).encode())
        if method == "POST" and path == "/_secrets":
            self.state.verifiers = {p: Webhook(s) for p, s in json.loads(body).items()}
            return OK
        self.state.record(path, headers, body, time.time())
        return OK


def _response(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


async def serve() -> None:
    state = State()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Http(state), "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes stdin


if __name__ == "__main__":
    asyncio.run(serve())
