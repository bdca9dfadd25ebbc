"""Enterprise API keys, checked with auth-svc (which alone holds their digests) and cached
briefly, so a busy integrator costs auth-svc one call per key per `ttl_seconds`.

A revoked key therefore works for at most `ttl_seconds` more; failures are cached too, so a
stream of bad keys cannot turn into a stream of calls.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from clientsynq.common.problems import PlanDoesNotAllow, ServiceUnavailable
from clientsynq.portal.api.ports import VerifiedApiKey

log = logging.getLogger(__name__)
VERIFY_PATH = "/internal/v1/api-keys/verify"
MAX_CACHED = 10_000


class AuthServiceApiKeys:
    def __init__(self, auth_url: str, service_secret: str, ttl_seconds: float = 30,
                 clock: Callable[[], float] = time.monotonic,
                 session: requests.Session | None = None, timeout_seconds: float = 5) -> None:
        self._url = auth_url.rstrip("/") + VERIFY_PATH
        self._secret = service_secret
        self._ttl, self._clock, self._timeout = ttl_seconds, clock, timeout_seconds
        self._session = session or requests.Session()
        self._cache: dict[str, tuple[float, VerifiedApiKey | PlanDoesNotAllow | None]] = {}
        self._lock = threading.Lock()

    def verify(self, key: str) -> VerifiedApiKey | None:
        digest = hashlib.sha256(key.encode()).hexdigest()  # never keep the key itself
        now = self._clock()
        with self._lock:
            cached = self._cache.get(digest)
        if cached is None or now - cached[0] >= self._ttl:
            cached = (now, self._ask(key))
            with self._lock:
                if len(self._cache) >= MAX_CACHED:
                    self._cache.clear()
                self._cache[digest] = cached
        if isinstance(cached[1], PlanDoesNotAllow):
            raise cached[1]
        return cached[1]

    def _ask(self, key: str) -> VerifiedApiKey | PlanDoesNotAllow | None:
        if not self._secret:
            raise ServiceUnavailable("API keys cannot be checked: SERVICE_SECRET_PORTAL unset.")
        try:
            response = self._session.post(
                self._url, json={"key": key}, timeout=self._timeout,
                headers={"Authorization": f"Service portal-svc:{self._secret}"})
        except requests.RequestException as exc:
            log.warning("portal.api_key_check_failed", extra={"error": type(exc).__name__})
            raise ServiceUnavailable("API keys cannot be checked right now.") from None
        if response.status_code == 200:
            return _verified(response.json())
        if response.status_code == 403:
            return PlanDoesNotAllow("API access is part of the Enterprise plan.",
                                    required_plans=["enterprise"])
        if response.status_code in (400, 401, 404):
            return None
        log.warning("portal.api_key_check_refused", extra={"status": response.status_code})
        raise ServiceUnavailable("API keys cannot be checked right now.")


def _verified(body: Any) -> VerifiedApiKey:
    return VerifiedApiKey(tenant_id=str(body["tenant_id"]), key_id=str(body["key_id"]),
                          plan=str(body["plan"]), scopes=frozenset(body.get("scopes") or ()))
