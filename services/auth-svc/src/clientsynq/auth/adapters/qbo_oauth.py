"""Intuit's OAuth 2.0 endpoints and the one API call auth-svc makes (CompanyInfo).

Endpoints come from the discovery document, fetched on first use and cached, so the same
code talks to the sandbox and to production. Every failure becomes one of two typed
errors: ``QboUnavailable`` (network, 5xx, 429: try again later) or ``QboRefused`` (Intuit
said no: ``invalid_grant``, ``access_denied``...). Token values never enter a message.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode

import requests
from clientsynq.auth.config import QboSettings
from clientsynq.auth.domain.errors import QboRefused, QboUnavailable
from clientsynq.common import retry
from oauthlib.oauth2 import OAuth2Error
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session
from tenacity import RetryError

log = logging.getLogger(__name__)
T = TypeVar("T")
DISCOVERY_TTL_SECONDS = 86400
MINOR_VERSION = "75"


class _Transient(Exception):
    """Safe to send again: the request never arrived, or Intuit said it was busy."""


class QboOAuthClient:
    def __init__(self, settings: QboSettings, redirect_uri: str,
                 session_factory: Callable[[], requests.Session] = requests.Session) -> None:
        self._settings = settings
        self._redirect_uri = redirect_uri
        self._http = session_factory()
        self._discovery: dict[str, Any] | None = None
        self._discovered_at = 0.0
        self._lock = threading.Lock()

    def authorize_url(self, state: str) -> str:
        """Intuit's consent page for our app, carrying ``state`` back to the callback."""
        query = {"client_id": self._settings.client_id, "response_type": "code",
                 "scope": " ".join(self._settings.scopes), "redirect_uri": self._redirect_uri,
                 "state": state}
        return f"{self._endpoint('authorization_endpoint')}?{urlencode(query)}"

    def exchange_code(self, code: str) -> dict[str, Any]:
        def call() -> dict[str, Any]:
            session = self._oauth_session()
            return dict(session.fetch_token(
                self._endpoint("token_endpoint"), code=code, include_client_id=False,
                client_secret=self._settings.client_secret,
                timeout=self._settings.http_timeout_seconds))
        return self._token_call("code_exchange", call)

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        def call() -> dict[str, Any]:
            session = self._oauth_session()
            return dict(session.refresh_token(
                self._endpoint("token_endpoint"), refresh_token=refresh_token,
                auth=self._basic_auth(), timeout=self._settings.http_timeout_seconds))
        return self._token_call("refresh", call)

    def revoke(self, token: str) -> None:
        """Disconnects the app from the company at Intuit (every token of the grant dies)."""
        def call() -> None:
            response = self._send("POST", self._endpoint("revocation_endpoint"),
                                  json={"token": token}, auth=self._basic_auth(),
                                  headers={"Accept": "application/json"})
            if response.status_code >= 400:  # 400: already revoked or unknown, nothing to do
                log.info("qbo.revoke_refused", extra={"status": response.status_code})
        self._with_retries(call)

    def company_name(self, realm_id: str, access_token: str) -> str | None:
        url = (f"{self._settings.api_base_url}/v3/company/{realm_id}/companyinfo/{realm_id}"
               f"?minorversion={MINOR_VERSION}")

        def call() -> str | None:
            response = self._send("GET", url, headers={
                "Authorization": f"Bearer {access_token}", "Accept": "application/json"})
            if response.status_code == 401:  # the token (or the whole grant) is dead
                raise QboRefused("unauthorized", "QuickBooks did not accept the token.")
            if response.status_code == 403:  # e.g. a subscription lapsed: the grant may live
                raise QboRefused("forbidden", "QuickBooks refused access to this company.")
            if response.status_code >= 400:
                raise QboUnavailable(f"CompanyInfo answered HTTP {response.status_code}.")
            body = response.json()
            if "Fault" in body:  # QuickBooks can answer a failure inside a 200
                raise QboUnavailable("CompanyInfo answered with a Fault.")
            info = body.get("CompanyInfo") or {}
            name = info.get("CompanyName") or info.get("LegalName")
            return str(name) if name else None
        return self._with_retries(call)

    def _oauth_session(self) -> OAuth2Session:
        session = OAuth2Session(self._settings.client_id, redirect_uri=self._redirect_uri)
        for hook in ("access_token_response", "refresh_token_response"):
            session.register_compliance_hook(hook, _raise_if_busy)
        return session

    def _basic_auth(self) -> HTTPBasicAuth:
        return HTTPBasicAuth(self._settings.client_id, self._settings.client_secret)

    def _token_call(self, what: str, call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        def guarded() -> dict[str, Any]:
            try:
                return call()
            except OAuth2Error as err:
                error = err.error or "invalid_request"
                log.info("qbo.token_refused", extra={"call": what, "error": error})
                raise QboRefused(error, f"QuickBooks answered {error}.") from None
            except requests.ConnectionError as err:
                raise _Transient("connection failed") from err
            except requests.RequestException as err:  # a read timeout: it may have arrived
                raise QboUnavailable("QuickBooks did not answer in time.") from err
        return self._with_retries(guarded)

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            response = self._http.request(method, url, timeout=self._settings.http_timeout_seconds,
                                          **kwargs)
        except requests.ConnectionError as err:
            raise _Transient("connection failed") from err
        except requests.RequestException as err:  # e.g. a read timeout: it may have arrived
            raise QboUnavailable("QuickBooks did not answer in time.") from err
        _raise_if_busy(response)
        return response

    def _with_retries(self, call: Callable[[], T]) -> T:
        try:
            return retry.http_policy(_Transient, attempts=3, initial=0.2, maximum=2)(call)
        except RetryError:
            raise QboUnavailable("QuickBooks could not be reached; try again in a few "
                                 "minutes.") from None

    def _endpoint(self, name: str) -> str:
        document = self._discover()
        value = document.get(name)
        if not isinstance(value, str) or not value:
            raise QboUnavailable(f"The discovery document has no {name}.")
        return value

    def _discover(self) -> Mapping[str, Any]:
        with self._lock:
            fresh = time.monotonic() - self._discovered_at < DISCOVERY_TTL_SECONDS
            if self._discovery is not None and fresh:
                return self._discovery

            def fetch() -> dict[str, Any]:
                response = self._send("GET", self._settings.discovery_url,
                                      headers={"Accept": "application/json"})
                if response.status_code != 200:
                    raise QboUnavailable("The discovery document could not be read.")
                return dict(response.json())
            self._discovery = self._with_retries(fetch)
            self._discovered_at = time.monotonic()
            return self._discovery


def _raise_if_busy(response: requests.Response) -> requests.Response:
    """429 and 5xx mean "not now": retried, then reported as unavailable, never as refused."""
    if response.status_code == 429 or response.status_code >= 500:
        raise _Transient(f"HTTP {response.status_code}")
    return response
