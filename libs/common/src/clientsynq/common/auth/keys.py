"""Where verifiers find public keys: a fixed map, or auth-svc's JWKS with caching.

auth-svc rotates its signing key by publishing the new key in the JWKS before using it. A
token with a ``kid`` we have not seen therefore means "refetch", but only once per
interval: otherwise anyone could make every service hammer the JWKS with made-up kids.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import jwt
import requests
from clientsynq.common.problems import ServiceUnavailable

log = logging.getLogger(__name__)


class KeysUnavailable(ServiceUnavailable):
    """The key set cannot be fetched: a 503 (our fault), not a 401 (the caller's)."""

    slug, title = "signing-keys-unavailable", "Signing keys are unavailable"


class StaticKeySource:
    """Keys known up front: tests, and auth-svc verifying the tokens it issued itself."""

    def __init__(self, keys: Mapping[str, Any]) -> None:
        self._keys = dict(keys)

    def get_key(self, kid: str) -> Any | None:
        return self._keys.get(kid)


class JwksCache:
    def __init__(
        self,
        jwks_url: str,
        ttl_seconds: float = 300,
        http_get: Callable[..., Any] = requests.get,
        min_refetch_seconds: float = 30,
        timeout_seconds: float = 5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url, self._ttl, self._get = jwks_url, ttl_seconds, http_get
        self._min_refetch, self._timeout, self._clock = min_refetch_seconds, timeout_seconds, clock
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._failed = False
        self._lock = threading.Lock()

    def get_key(self, kid: str) -> Any | None:
        with self._lock:
            if self._is_stale() and self._may_fetch():
                self._fetch()
            if kid not in self._keys and self._may_fetch():
                self._fetch()  # a new kid: the issuer may have rotated since our last fetch
            key = self._keys.get(kid)
            if key is None and self._failed:
                raise KeysUnavailable("The signing keys could not be fetched; try again soon.")
            return key

    def _is_stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._ttl

    def _may_fetch(self) -> bool:
        return self._attempted_at is None or self._clock() - self._attempted_at >= self._min_refetch

    def _fetch(self) -> None:
        """Replace the key set; on failure keep the old one (a JWKS blip must not log out all)."""
        self._attempted_at = self._clock()
        try:
            response = self._get(self._url, timeout=self._timeout)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, OSError, ValueError) as exc:
            self._failed = True
            log.warning("auth.jwks_fetch_failed", extra={"url": self._url, "error": repr(exc)})
            return
        self._keys = parse_jwks(document)
        self._fetched_at, self._failed = self._attempted_at, False
        log.info("auth.jwks_fetched", extra={"url": self._url, "kids": sorted(self._keys)})


def parse_jwks(document: Any) -> dict[str, Any]:
    """kid → public key; keys we cannot use are skipped with a warning, not fatal."""
    entries = document.get("keys") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        log.warning("auth.jwks_malformed")
        return {}
    keys: dict[str, Any] = {}
    for entry in entries:
        kid = entry.get("kid") if isinstance(entry, Mapping) else None
        if not isinstance(kid, str) or entry.get("use", "sig") != "sig":
            continue
        try:
            keys[kid] = jwt.PyJWK(dict(entry)).key
        except jwt.PyJWTError as exc:
            log.warning("auth.jwks_key_skipped", extra={"kid": kid, "error": str(exc)})
    return keys
