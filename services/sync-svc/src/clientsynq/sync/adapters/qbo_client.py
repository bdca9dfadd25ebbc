"""The QuickBooks Online Accounting API client: the one place sync-svc talks to Intuit.

Every request: a slot from the per-realm limiter, `Accept: application/json`,
`minorversion`, a bounded retry with jitter on 429/5xx, one token refresh (through auth-svc)
on a 401, and `intuit_tid` in the logs. Tokens never reach a log line.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

import requests
from clientsynq.common import retry
from clientsynq.common.metrics import counter, histogram
from clientsynq.sync.adapters.qbo_errors import (
    QboTransient,
    fault_in,
    refusal,
    refusal_from_fault,
    retry_after,
)
from clientsynq.sync.adapters.rate_limiter import RealmLimiter
from clientsynq.sync.adapters.token_client import AccessToken, TokenClient
from clientsynq.sync.config import QboSettings
from clientsynq.sync.domain.errors import AuthorizationExpired, QboThrottled, QboUnavailable
from clientsynq.sync.domain.qbo_values import loads
from requests.adapters import HTTPAdapter
from tenacity import RetryError

# A request's JSON body, or its text body (a query statement sent by POST).
_Body = tuple[Mapping[str, Any] | None, str | None]
log = logging.getLogger(__name__)
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
REQUESTS = counter("clientsynq_sync_qbo_requests_total", "QBO API requests by answer",
                   ["kind", "status"])
LATENCY = histogram("clientsynq_sync_qbo_request_seconds", "QBO API request latency", ["kind"])
REFRESHES = counter("clientsynq_sync_token_refreshes_total", "401s that made us ask auth-svc")


class QboClient:
    """Shared by every thread; `for_tenant` gives the per-tenant view that holds a token."""

    def __init__(self, settings: QboSettings, tokens: TokenClient, limiter: RealmLimiter,
                 session: requests.Session | None = None) -> None:
        self.settings = settings
        self.tokens = tokens
        self.limiter = limiter
        self.http = session or _pooled_session(settings.concurrent_requests)

    def for_tenant(self, tenant_id: str) -> RealmConnection:
        return RealmConnection(self, tenant_id, self.tokens.access_token(tenant_id))


class RealmConnection:
    """One tenant's company. Threads share it, so a 401 seen by ten page fetches at once
    leads to one refresh: the others find the token already replaced."""

    def __init__(self, client: QboClient, tenant_id: str, token: AccessToken) -> None:
        self._client = client
        self.tenant_id = tenant_id
        self._token = token
        self._lock = threading.Lock()

    @property
    def realm_id(self) -> str:
        return self._token.realm_id

    @property
    def plan(self) -> str:
        return self._token.plan

    def query_raw(self, statement: str) -> bytes:
        """The response body undecoded: a page is parsed where it is mapped (maybe another
        process), not twice."""
        return self.request("GET", "query", {"query": statement}, kind="query")

    def query(self, statement: str) -> dict[str, Any]:
        return loads(self.query_raw(statement))  # type: ignore[no-any-return]

    def cdc(self, entities: list[str], changed_since: str) -> dict[str, Any]:
        params = {"entities": ",".join(entities), "changedSince": changed_since}
        return loads(self.request("GET", "cdc", params, kind="cdc"))  # type: ignore[no-any-return]

    def read(self, entity: str, entity_id: str) -> dict[str, Any]:
        body = loads(self.request("GET", f"{entity.lower()}/{entity_id}", {}, kind="read"))
        return body[entity]  # type: ignore[no-any-return]

    def create(self, entity: str, payload: Mapping[str, Any], request_id: str,
               attempts: int | None = None) -> dict[str, Any]:
        """`requestid` makes a retried or redelivered create return the first result.

        `attempts=1` lets the caller see that the outcome is unknown (a timeout, a 5xx)
        before it repeats the request, so it can say how the command was settled."""
        raw = self.request("POST", entity.lower(), {"requestid": request_id}, kind="write",
                           body=payload, attempts=attempts)
        return loads(raw)[entity]  # type: ignore[no-any-return]

    def query_ids(self, entity: str, ids: list[str]) -> list[dict[str, Any]]:
        """`WHERE Id IN (...)`: ids are QBO's own (digits), quoted as its language wants.

        Sent as a POST with the statement as an `application/text` body (QBO's query
        endpoint takes both, as python-quickbooks does): a thousand ids do not fit a URL,
        and each request of a hundred cost one of the realm's ten a second."""
        quoted = ",".join(f"'{i}'" for i in ids if i.isdigit())
        if not quoted:
            return []
        statement = (f"SELECT * FROM {entity} WHERE Id IN ({quoted}) "  # noqa: S608
                     f"MAXRESULTS {len(ids)}")
        body = loads(self.request("POST", "query", {}, kind="query", text=statement))
        return list((body.get("QueryResponse") or {}).get(entity) or [])

    def request(self, method: str, resource: str, params: Mapping[str, str], *, kind: str,
                body: Mapping[str, Any] | None = None, attempts: int | None = None,
                text: str | None = None) -> bytes:
        """`body` goes as JSON; `text` (a query statement) as `application/text`."""
        settings = self._client.settings
        policy = retry.http_policy((QboTransient,), attempts=attempts or settings.retry_attempts,
                                   initial=settings.retry_initial_seconds,
                                   maximum=settings.retry_max_seconds)
        try:
            return policy(self._attempt, method, resource, params, kind, (body, text))
        except RetryError as err:
            cause = err.last_attempt.exception()
            if isinstance(cause, QboTransient) and cause.is_throttle:
                raise QboThrottled(f"QuickBooks kept throttling {kind} requests") from cause
            raise QboUnavailable(f"QuickBooks did not answer {kind} requests: {cause}") from cause

    def _attempt(self, method: str, resource: str, params: Mapping[str, str], kind: str,
                 body: _Body) -> bytes:
        token = self._current_token()
        response, sent_at = self._send(token, method, resource, params, kind, body)
        # Twice at most: the token refused first may be a stale one (auth-svc then hands
        # out its current token without refreshing, e.g. after a reconnect); only when
        # auth-svc's current token is refused too does it refresh, and so learn from Intuit
        # whether the grant is dead (it then records Authorization Expired, answers 409,
        # and the business sees it; a refusal we kept to ourselves left it "Connected").
        for _ in range(2):
            if response.status_code != 401:
                break
            REFRESHES.inc()
            token = self._replace(token)
            response, sent_at = self._send(token, method, resource, params, kind, body)
        if response.status_code == 401:
            raise AuthorizationExpired("QuickBooks refused a freshly refreshed token")
        return self._checked(response, kind, sent_at)

    def _send(self, token: AccessToken, method: str, resource: str,
              params: Mapping[str, str], kind: str, body: _Body
              ) -> tuple[requests.Response, float]:
        """The answer, and when the limiter logged the request as sent."""
        settings = self._client.settings
        url = f"{settings.base_url}/v3/company/{token.realm_id}/{resource}"
        headers = {"Authorization": f"Bearer {token.access_token}",
                   "Accept": "application/json"}
        json_body, text = body
        if text is not None:
            headers["Content-Type"] = "application/text"
        started = time.perf_counter()
        limiter = self._client.limiter
        with limiter.slot(token.realm_id) as ticket:
            try:
                response = self._client.http.request(
                    method, url, params={**params, "minorversion": str(settings.minor_version)},
                    json=json_body, data=None if text is None else text.encode(),
                    headers=headers, timeout=settings.timeout_seconds,
                    hooks={"response": lambda answer, *_, **__: ticket.answered()})
            except (requests.ConnectionError, requests.Timeout) as err:
                REQUESTS.labels(kind=kind, status="network").inc()
                raise QboTransient(f"{type(err).__name__}", None, None) from err
        LATENCY.labels(kind=kind).observe(time.perf_counter() - started)
        REQUESTS.labels(kind=kind, status=str(response.status_code)).inc()
        log.debug("qbo.response", extra={"kind": kind, "status": response.status_code,
                                         "intuit_tid": response.headers.get("intuit_tid"),
                                         "tenant_id": self.tenant_id})
        return response, ticket.sent_at

    def _checked(self, response: requests.Response, kind: str, sent_at: float) -> bytes:
        status, tid = response.status_code, response.headers.get("intuit_tid")
        if status in TRANSIENT_STATUSES:
            wait = retry_after(response)
            if status == 429:
                # every thread of the realm backs off, not only this one
                self._client.limiter.throttled(
                    self.realm_id, wait, self._client.settings.throttle_pause_seconds, sent_at)
            log.warning("qbo.transient", extra={"kind": kind, "status": status,
                                                "intuit_tid": tid, "tenant_id": self.tenant_id})
            raise QboTransient(f"QuickBooks answered {status}", status, tid, wait)
        if status == 403:
            raise AuthorizationExpired("QuickBooks refused access to the company (403)")
        if status >= 400:
            err = refusal(response)
            log.info("qbo.refused", extra={"kind": kind, "status": status, "code": err.code,
                                           "intuit_tid": tid, "tenant_id": self.tenant_id})
            raise err
        fault = fault_in(response.content)
        if fault is not None:
            raise refusal_from_fault(fault, status)
        return response.content

    def _current_token(self) -> AccessToken:
        with self._lock:
            if self._token.expires_at.timestamp() - 60 < time.time():
                self._token = self._client.tokens.access_token(self.tenant_id)
            return self._token

    def _replace(self, rejected: AccessToken) -> AccessToken:
        """Refresh once per rejected token, however many threads saw the 401."""
        with self._lock:
            if self._token.access_token == rejected.access_token:
                self._token = self._client.tokens.refresh(self.tenant_id, rejected)
                log.info("qbo.token_refreshed", extra={"tenant_id": self.tenant_id})
            return self._token


def _pooled_session(concurrent: int) -> requests.Session:
    """Keep-alive connections for every concurrent page fetch (plus webhook fetches)."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(10, concurrent * 2))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
