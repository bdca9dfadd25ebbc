"""Refusing access tokens of sessions that have ended (logout, removal, a stolen refresh
token replayed), within seconds instead of at the token's expiry.

Access JWTs carry their sign-in's id (claim ``sid``). auth-svc lists the sessions that
ended recently on an internal endpoint; every verifier keeps a copy, refreshed at most every
``poll_seconds`` when a token is checked. A session can only matter while an access token of
it may still be valid, so entries older than ``retention_seconds`` are forgotten.

If auth-svc cannot be asked, the last list keeps being used (a blip must not log everybody
out), but only for ``max_stale_seconds``: after that the verifier refuses to guess and
answers 503, because accepting every token of every ended session would be worse.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import requests
from clientsynq.common.auth.service import check_credential_urls
from clientsynq.common.problems import ServiceUnavailable

log = logging.getLogger(__name__)
ENDED_SESSIONS_PATH = "/internal/v1/sessions/ended"
OVERLAP = timedelta(seconds=5)  # re-ask a little of the past: writes racing the last poll


class RevocationsUnavailable(ServiceUnavailable):
    slug, title = "session-list-unavailable", "Ended sessions cannot be checked right now"


class SessionCheck(Protocol):
    """What ``TokenVerifier`` asks: has this sign-in ended?"""

    def is_ended(self, tenant_id: str, session_id: str) -> bool: ...


@dataclass(frozen=True)
class EndedSessions:
    """Sessions ended after the ``since`` asked for, and the source's time of answering."""

    ended: Mapping[str, datetime]
    as_of: datetime


class EndedSessionsSource(Protocol):
    def ended_since(self, since: datetime | None) -> EndedSessions:
        """Raise ``OSError``/``requests.RequestException``/``ValueError`` when unreachable."""


class SessionRevocations:
    """A ``SessionCheck`` backed by a periodically refreshed copy of the ended sessions."""

    def __init__(self, source: EndedSessionsSource, poll_seconds: float = 2.0,
                 max_stale_seconds: float = 300.0, retention_seconds: float = 2 * 3600,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._source, self._poll, self._max_stale = source, poll_seconds, max_stale_seconds
        self._retention = timedelta(seconds=retention_seconds)
        self._clock = clock
        self._ended: dict[str, datetime] = {}
        self._as_of: datetime | None = None
        self._checked_at: float | None = None
        self._fresh_at: float | None = None
        self._lock = threading.Lock()

    def is_ended(self, tenant_id: str, session_id: str) -> bool:
        with self._lock:
            now = self._clock()
            if self._checked_at is None or now - self._checked_at >= self._poll:
                self._refresh(now)
            if self._fresh_at is None or now - self._fresh_at > self._max_stale:
                raise RevocationsUnavailable("Sign-in state cannot be checked; try again soon.")
            return session_id in self._ended

    def _refresh(self, now: float) -> None:
        self._checked_at = now
        since = None if self._as_of is None else self._as_of - OVERLAP
        try:
            answer = self._source.ended_since(since)
        except (requests.RequestException, OSError, ValueError, KeyError) as exc:
            log.warning("auth.ended_sessions_fetch_failed", extra={"error": type(exc).__name__})
            return
        self._ended.update(answer.ended)
        self._as_of, self._fresh_at = answer.as_of, now
        horizon = answer.as_of - self._retention
        self._ended = {sid: at for sid, at in self._ended.items() if at >= horizon}


class HttpEndedSessions:
    """auth-svc's internal endpoint, called with this service's own credential."""

    def __init__(self, auth_url: str, service: str, secret: str, timeout_seconds: float = 3,
                 http_get: Callable[..., Any] = requests.get) -> None:
        check_credential_urls(auth_url)
        self._url = auth_url.rstrip("/") + ENDED_SESSIONS_PATH
        self._headers = {"Authorization": f"Service {service}:{secret}"}
        self._timeout, self._get = timeout_seconds, http_get

    def ended_since(self, since: datetime | None) -> EndedSessions:
        params = {} if since is None else {"since": since.isoformat()}
        response = self._get(self._url, params=params, headers=self._headers,
                             timeout=self._timeout)
        response.raise_for_status()
        return parse_ended_sessions(response.json())


def ended_sessions_check(auth_url: str, service: str, secret: str) -> SessionCheck | None:
    """What a service's ``TokenVerifier`` gets as ``sessions=``: auth-svc's list of ended
    sessions, polled with the service's own credential. Without a credential there is no
    list to ask for; the service then accepts tokens until they expire, and says so once at
    start (every deployment we ship sets the secret)."""
    if not secret:
        log.warning("auth.ended_sessions_unchecked", extra={"service": service})
        return None
    return SessionRevocations(HttpEndedSessions(auth_url, service, secret))


def parse_ended_sessions(document: Any) -> EndedSessions:
    """The endpoint's JSON: ``{"ended_sessions": [{"session_id", "ended_at"}], "as_of"}``."""
    entries = document["ended_sessions"]
    ended = {str(e["session_id"]): datetime.fromisoformat(str(e["ended_at"]))
             for e in entries}
    return EndedSessions(ended=ended, as_of=datetime.fromisoformat(str(document["as_of"])))
