"""SandboxControl: a small client for the /_sandbox control API, for other teams' tests."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

ACCOUNTING = "com.intuit.quickbooks.accounting"


class ControlError(RuntimeError):
    """The control API refused a call; carries the status and body."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


class SandboxControl:
    """Thin wrapper: one method per control endpoint, JSON in and out."""

    def __init__(self, base_url: str, timeout: float = 30) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()

    def _call(self, method: str, path: str, json: Any = None,
              params: dict[str, Any] | None = None) -> Any:
        response = self.http.request(method, f"{self.base_url}/_sandbox{path}", json=json,
                                     params=params, timeout=self.timeout)
        if response.status_code >= 400:
            raise ControlError(response.status_code, response.text)
        return response.json()

    def _obj(self, method: str, path: str, json: Any = None,
             params: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self._call(method, path, json, params)
        if not isinstance(answer, dict):
            raise ControlError(200, f"expected a JSON object from {path}")
        return answer

    def _list(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        answer = self._call("GET", path, params=params)
        if not isinstance(answer, list):
            raise ControlError(200, f"expected a JSON array from {path}")
        return answer

    def health(self) -> dict[str, Any]:
        """{"status": "ok", ...}."""
        return self._obj("GET", "/health")

    def register_app(self, **fields: Any) -> dict[str, Any]:
        """client_id, client_secret, redirect_uris, webhook_url, webhook_verifier_token,
        webhook_format ("cloudevents" | "classic"), name; missing ones are generated."""
        return self._obj("POST", "/apps", fields)

    def update_app(self, client_id: str, **changes: Any) -> dict[str, Any]:
        """Change webhook_url, webhook_format, webhook_verifier_token, redirect_uris..."""
        return self._obj("PATCH", f"/apps/{client_id}", changes)

    def create_company(self, customers: int = 0, invoices: int = 0, payments: int = 0,
                       seed: int = 1, name: str | None = None, realm_id: str | None = None,
                       as_of: str | None = None, tie_fraction: float | None = None,
                       shuffle_ties: bool | None = None, void_shape: str | None = None,
                       cdc_cut_order: str | None = None,
                       tie_batch: int | None = None) -> dict[str, Any]:
        """A new seeded company: {"realm_id", "name", "counts"}. `tie_fraction`,
        `shuffle_ties`, `void_shape` and `cdc_cut_order` set this company's mess whatever
        the sandbox's options; `tie_batch`: rows per bulk-imported second (200)."""
        body = {"customers": customers, "invoices": invoices, "payments": payments,
                "seed": seed, "name": name, "realm_id": realm_id, "as_of": as_of,
                "tie_fraction": tie_fraction, "shuffle_ties": shuffle_ties,
                "void_shape": void_shape, "cdc_cut_order": cdc_cut_order,
                "tie_batch": tie_batch}
        return self._obj("POST", "/companies",
                         {k: v for k, v in body.items() if v is not None})

    def companies(self) -> list[dict[str, Any]]:
        """Every company with its counts."""
        return self._list("/companies")

    def connect(self, client_id: str, realm_id: str,
                scopes: tuple[str, ...] = (ACCOUNTING,)) -> dict[str, Any]:
        """Tokens without the browser dance (a token response plus realmId)."""
        return self._obj("POST", "/connections", {"client_id": client_id,
                                                   "realm_id": realm_id,
                                                   "scopes": list(scopes)})

    def authorize(self, authorize_url: str, approve: bool = True,
                  realm_id: str | None = None) -> dict[str, str]:
        """Play the user on the consent page; returns the callback's query parameters.

        `authorize_url` is what the app would send the browser to. The callback itself is
        not requested: the returned dict holds code/state/realmId or error/state.
        """
        page = self.http.get(authorize_url, timeout=self.timeout, allow_redirects=False)
        if page.status_code != 200:
            raise ControlError(page.status_code, page.text)
        form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                               page.text))
        form = {k: unescape(v) for k, v in form.items()}
        form["decision"] = "approve" if approve else "deny"
        selected = re.search(r'<option value="([^"]+)"\s+selected', page.text)
        form["realm_id"] = realm_id or (selected.group(1) if selected else "")
        action = urljoin(authorize_url, urlsplit(authorize_url).path)
        answer = self.http.post(action, data=form, timeout=self.timeout, allow_redirects=False)
        if answer.status_code != 302:
            raise ControlError(answer.status_code, answer.text)
        query = parse_qs(urlsplit(answer.headers["Location"]).query)
        return {k: v[0] for k, v in query.items()}

    def change(self, realm_id: str, entity: str, entity_id: str | None = None,
               operation: str = "update", **fields: Any) -> dict[str, Any]:
        """Change data as a QuickBooks user would (fires webhooks).

        operation: create | update (sparse, no SyncToken needed) | delete | void | send |
        merge (fields: into=<target id>).
        """
        base = f"/companies/{realm_id}/{entity.lower()}"
        if operation == "create":
            return self._obj("POST", base, fields)
        routes = {"update": ("PATCH", ""), "delete": ("DELETE", ""), "void": ("POST", "/void"),
                  "send": ("POST", "/send"), "merge": ("POST", "/merge")}
        method, suffix = routes[operation]
        return self._obj(method, f"{base}/{entity_id}{suffix}", fields)

    def merge(self, realm_id: str, entity: str, entity_id: str, into: str) -> dict[str, Any]:
        """Merge a customer into another as a QuickBooks user would; returns the survivor.

        Its invoices and payments move to `into`, it disappears (CDC: a deleted stub), and
        webhooks fire: Merge for `into` with the old id, Update for each moved transaction.
        """
        return self.change(realm_id, entity, entity_id, operation="merge", into=into)

    def entity(self, realm_id: str, entity: str, entity_id: str) -> dict[str, Any]:
        """Read an entity without a token."""
        return self._obj("GET", f"/companies/{realm_id}/{entity.lower()}/{entity_id}")

    def inject_fault(self, status: int | None = None, delay_ms: int = 0, count: int = 1,
                     realm_id: str | None = None, kind: str = "any", when: str = "before",
                     drop: bool = False, **extra: Any) -> dict[str, Any]:
        """The next `count` matching requests answer `status` and/or wait `delay_ms`.

        kind: any | api | query | read | write | cdc | batch | companyinfo | send | token |
        revoke | userinfo | authorize | discovery. `when="after"` runs the request (a write
        is applied) and then answers `status` instead, or with `drop=True` closes the
        connection without an answer. `extra`: further fault fields (see the README).
        """
        body = {"status": status, "delay_ms": delay_ms, "count": count,
                "realm_id": realm_id, "kind": kind, "when": when, "drop": drop, **extra}
        return self._obj("POST", "/faults", body)

    def clear_faults(self) -> None:
        """Drop every pending fault."""
        self._call("DELETE", "/faults")

    def expire_tokens(self, token: str | None = None, realm_id: str | None = None,
                      which: str = "access") -> int:
        """which: access | refresh | all. Returns how many tokens were expired."""
        body = {"token": token, "realm_id": realm_id, "which": which}
        return int(self._call("POST", "/tokens/expire", body)["expired"])

    def revoke_tokens(self, token: str | None = None, realm_id: str | None = None) -> int:
        """Disconnect like a user would in QBO; returns the number of grants revoked."""
        body = {"token": token, "realm_id": realm_id}
        return int(self._call("POST", "/tokens/revoke", body)["revoked_grants"])

    def set_limits(self, requests_per_minute: int | None = None,
                   concurrent_requests: int | None = None,
                   realm_id: str | None = None,
                   requests_per_second: int | None = None,
                   **more: int) -> dict[str, Any]:
        """Change throttling, for every realm or one; limits not given keep their value.
        `more`: batch_requests_per_minute, batch_requests_per_minute_app."""
        body = {"requests_per_minute": requests_per_minute,
                "concurrent_requests": concurrent_requests, "realm_id": realm_id,
                "requests_per_second": requests_per_second, **more}
        return self._obj("PUT", "/limits", {k: v for k, v in body.items() if v is not None})

    def request_log(self, realm_id: str | None = None, kind: str | None = None,
                    after: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
        """Logged requests (method, path, realm_id, status, requestid, time, kind...)."""
        params = {"realm_id": realm_id, "kind": kind, "after": after, "limit": limit}
        return self._list("/requests", params={k: v for k, v in params.items()
                                                       if v is not None})

    def counts(self, realm_id: str | None = None) -> dict[str, Any]:
        """token_refreshes, code_exchanges, requests, requests_by_kind, webhook_attempts..."""
        return self._obj("GET", "/counts", params={"realm_id": realm_id} if realm_id else None)

    def webhook_deliveries(self, realm_id: str | None = None) -> list[dict[str, Any]]:
        """Every delivery attempt (status, ok, error, body, signature, attempt)."""
        return self._list("/webhooks/deliveries",
                          params={"realm_id": realm_id} if realm_id else None)

    def flush_webhooks(self, wait: float | None = None) -> dict[str, Any]:
        """Send batched changes now; with `wait`, block until delivered (or timeout)."""
        return self._obj("POST", "/webhooks/flush", {"wait": wait} if wait else {})

    def reset(self, keep_apps: bool = False) -> None:
        """Forget everything (apps too unless keep_apps)."""
        self._call("POST", "/reset", {"keep_apps": keep_apps})
