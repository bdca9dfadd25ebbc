"""auth-svc's internal token API, the only way sync-svc gets a QBO access token.

auth-svc owns the refresh token and refreshes one at a time per realm (QBO rotates refresh
tokens; two parallel refreshes lose the connection), so we never refresh ourselves: after a
401 from QBO we tell auth-svc which token was rejected, and it refreshes only if that token
is still its current one.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
from clientsynq.common import retry
from clientsynq.sync.domain.errors import (
    AuthorizationExpired,
    AuthServiceUnavailable,
    NotConnected,
    TenantNotKnown,
)
from clientsynq.sync.domain.qbo_values import parse_time
from tenacity import RetryError

log = logging.getLogger(__name__)
EARLY_SECONDS = 60.0  # stop using a cached token this long before auth-svc says it expires


@dataclass(frozen=True)
class AccessToken:
    access_token: str = field(repr=False)
    realm_id: str
    expires_at: datetime
    plan: str


@dataclass(frozen=True)
class TenantInfo:
    tenant_id: str
    plan: str
    name: str | None


class _Transient(Exception):
    """auth-svc answered 5xx or not at all: worth another try."""


class TokenClient:
    def __init__(self, base_url: str, service_secret: str, *, timeout: float = 10.0,
                 attempts: int = 4, session: requests.Session | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Service sync-svc:{service_secret}",
                         "Accept": "application/json"}
        self._timeout = timeout
        self._attempts = attempts
        self._http = session or requests.Session()
        self._cache: dict[str, tuple[AccessToken, float]] = {}
        self._lock = threading.Lock()

    def access_token(self, tenant_id: str) -> AccessToken:
        """A cached token while it has more than a minute left; auth-svc otherwise."""
        with self._lock:
            cached = self._cache.get(tenant_id)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        return self._remember(tenant_id, self._call(
            "GET", f"/internal/v1/tenants/{tenant_id}/qbo/access-token"))

    def refresh(self, tenant_id: str, rejected: AccessToken) -> AccessToken:
        """Ask for a new token because QBO answered 401 to `rejected`."""
        body = self._call("POST", f"/internal/v1/tenants/{tenant_id}/qbo/access-token/refresh",
                          {"rejected_access_token": rejected.access_token})
        return self._remember(tenant_id, body)

    def forget(self, tenant_id: str) -> None:
        with self._lock:
            self._cache.pop(tenant_id, None)

    def tenant(self, tenant_id: str) -> TenantInfo:
        body = self._call("GET", f"/internal/v1/tenants/{tenant_id}")
        return TenantInfo(tenant_id=str(body.get("tenant_id", tenant_id)),
                          plan=str(body["plan"]), name=body.get("name"))

    def _remember(self, tenant_id: str, body: dict[str, Any]) -> AccessToken:
        token = AccessToken(access_token=body["access_token"], realm_id=str(body["realm_id"]),
                            expires_at=parse_time(body["expires_at"]), plan=body["plan"])
        usable_until = token.expires_at.timestamp() - EARLY_SECONDS
        with self._lock:
            self._cache[tenant_id] = (token, usable_until)
        return token

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None
              ) -> dict[str, Any]:
        policy = retry.http_policy((_Transient,), attempts=self._attempts, initial=0.2,
                                   maximum=5)
        try:
            return policy(self._once, method, path, body)
        except RetryError as err:
            cause = err.last_attempt.exception()
            raise AuthServiceUnavailable(f"auth-svc did not answer: {cause}") from cause

    def _once(self, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        try:
            response = self._http.request(method, self._base + path, json=body,
                                          headers=self._headers, timeout=self._timeout)
        except (requests.ConnectionError, requests.Timeout) as err:
            raise _Transient(str(err)) from err
        if response.status_code >= 500:
            raise _Transient(f"auth-svc answered {response.status_code}")
        if response.status_code == 200:
            return response.json()  # type: ignore[no-any-return]
        raise _refusal(path, response)


def _refusal(path: str, response: requests.Response) -> Exception:
    """409 says why there is no token; anything else is a contract or credential bug."""
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    kind = str(problem.get("type", ""))
    detail = str(problem.get("detail") or problem.get("title") or response.status_code)
    if response.status_code == 409 and kind.endswith("/authorization-expired"):
        return AuthorizationExpired(detail)
    if response.status_code == 409:
        return NotConnected(detail)
    if response.status_code == 404:
        return TenantNotKnown(f"auth-svc does not know this tenant ({detail})")
    log.error("sync.auth_refused", extra={"path": path, "status": response.status_code,
                                          "problem_type": kind})
    return AuthServiceUnavailable(f"auth-svc refused {path}: {response.status_code} {detail}")
