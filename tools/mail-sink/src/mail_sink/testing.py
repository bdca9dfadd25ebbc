"""For tests: ``with running_mail_sink() as sink:`` then read ``messages(sink, to=...)``."""
from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

from mail_sink.server import MailSink


@contextmanager
def running_mail_sink() -> Iterator[MailSink]:
    sink = MailSink().start()
    try:
        yield sink
    finally:
        sink.stop()


def messages(sink: MailSink, to: str | None = None) -> list[dict[str, Any]]:
    """Over the HTTP API, as any other process would read them."""
    query = f"?{urlencode({'to': to})}" if to else ""
    with urllib.request.urlopen(f"{sink.http_url}/messages{query}", timeout=5) as response:  # noqa: S310 - loopback
        return list(json.load(response))


def wait_for_message(sink: MailSink, to: str, timeout: float = 5) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = messages(sink, to)
        if found:
            return found[-1]
        time.sleep(0.05)
    raise TimeoutError(f"no message to {to} within {timeout}s")
