"""Webhooks out over HTTP: one POST, no redirects, a hard timeout, the address re-checked.

The URL is checked again before every attempt (DNS can change between registration and
delivery). Known gap: requests resolves the name once more when it connects, so a DNS
answer that flips within those milliseconds is not caught; pinning the checked address
needs a custom connection pool (TLS SNI and certificate checks must keep the host name).
"""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Mapping, Sequence
from email.utils import parsedate_to_datetime

import requests
from clientsynq.webhooks.domain.addresses import Resolver, check_url
from clientsynq.webhooks.domain.deliveries import EXCERPT_CHARS, Response
from clientsynq.webhooks.domain.errors import UnsafeUrl


def resolve_host(host: str) -> Sequence[str]:
    """Every address the name has (IPv4 and IPv6); an unknown name resolves to none."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


class HttpSender:
    def __init__(self, allowed_hosts: Sequence[str], resolve: Resolver = resolve_host) -> None:
        self._allowed = tuple(allowed_hosts)
        self._resolve = resolve
        self._local = threading.local()

    def check(self, url: str) -> None:
        check_url(url, self._resolve, self._allowed)

    def send(self, url: str, headers: Mapping[str, str], body: bytes,
             timeout_seconds: float) -> Response:
        try:
            self.check(url)
        except UnsafeUrl as err:
            return Response(status=None, latency_ms=0.0, error=f"refused: {err.detail}")
        started = time.monotonic()
        try:
            with self._session().post(url, data=body, headers=dict(headers), stream=True,
                                      allow_redirects=False,
                                      timeout=(timeout_seconds, timeout_seconds)) as answer:
                excerpt = answer.raw.read(EXCERPT_CHARS * 4, decode_content=True)
                latency = (time.monotonic() - started) * 1000
                return Response(status=answer.status_code, latency_ms=latency,
                                excerpt=excerpt.decode("utf-8", "replace")[:EXCERPT_CHARS],
                                retry_after_seconds=_retry_after(answer.headers.get("Retry-After")))
        except requests.RequestException as err:
            latency = (time.monotonic() - started) * 1000
            return Response(status=None, latency_ms=latency, error=type(err).__name__)

    def _session(self) -> requests.Session:
        """One keep-alive session per delivery thread (a Session is not thread-safe)."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.trust_env = False  # no proxy from the environment may reroute webhooks
        return session


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
