"""Webhooks out over HTTP: one POST, no redirects, a hard timeout, the address re-checked.

The URL is checked again before every attempt (DNS can change between registration and
delivery), and the connection goes to an address that check vetted (`pinned`): the name is
not resolved a second time, so a DNS answer that flips between check and connect (DNS
rebinding) changes nothing. Host header, TLS SNI and certificate checks stay on the name.
"""
from __future__ import annotations

import socket
import time
from collections.abc import Mapping, Sequence
from email.utils import parsedate_to_datetime

from clientsynq.webhooks.adapters.pinned import PinnedAdapters
from clientsynq.webhooks.domain.addresses import Resolver, check_url
from clientsynq.webhooks.domain.deliveries import EXCERPT_CHARS, Response
from clientsynq.webhooks.domain.errors import UnsafeUrl
from urllib3 import Timeout
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)


def resolve_host(host: str) -> Sequence[str]:
    """Every address the name has (IPv4 and IPv6); an unknown name resolves to none."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


class HttpSender:
    def __init__(self, allowed_hosts: Sequence[str], resolve: Resolver = resolve_host,
                 pool_maxsize: int = 32) -> None:
        self._allowed = tuple(allowed_hosts)
        self._resolve = resolve
        self._adapters = PinnedAdapters(pool_maxsize)

    def check(self, url: str) -> None:
        check_url(url, self._resolve, self._allowed)

    def close(self) -> None:
        self._adapters.close()

    def send(self, url: str, headers: Mapping[str, str], body: bytes,
             timeout_seconds: float) -> Response:
        try:
            addresses = check_url(url, self._resolve, self._allowed)
        except UnsafeUrl as err:
            return Response(status=None, latency_ms=0.0, error=f"refused: {err.detail}")
        started = time.monotonic()
        try:
            manager = self._adapters.for_address(addresses[0])
            answer = manager.urlopen("POST", url, body=body, headers=dict(headers),
                                     redirect=False, retries=False, preload_content=False,
                                     timeout=Timeout(connect=timeout_seconds,
                                                     read=timeout_seconds))
            try:
                excerpt = answer.read(EXCERPT_CHARS * 4, decode_content=True)
            finally:  # a body read to its end already went back to the pool, kept alive;
                answer.close()  # one left unread closes its connection, never reused
                answer.release_conn()
            latency = (time.monotonic() - started) * 1000
            return Response(status=answer.status, latency_ms=latency,
                            excerpt=excerpt.decode("utf-8", "replace")[:EXCERPT_CHARS],
                            retry_after_seconds=_retry_after(answer.headers.get("Retry-After")))
        except (HTTPError, OSError) as err:
            latency = (time.monotonic() - started) * 1000
            return Response(status=None, latency_ms=latency, error=error_name(err))


def error_name(err: Exception) -> str:
    """What the delivery log says went wrong: the names it said when requests sent."""
    if isinstance(err, NewConnectionError):
        return "ConnectionError"
    if isinstance(err, ConnectTimeoutError):
        return "ConnectTimeout"
    if isinstance(err, ReadTimeoutError):
        return "ReadTimeout"
    if isinstance(err, SSLError):
        return "SSLError"
    return "ConnectionError"


def _retry_after(value: str | None) -> float | None:
    """Seconds, or an HTTP date (RFC 9110)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
