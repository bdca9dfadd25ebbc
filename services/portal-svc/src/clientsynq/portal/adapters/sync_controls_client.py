"""sync-svc's Enterprise sync controls (`/internal/v1/tenants/<id>/sync/...`), called
server-side with portal-svc's service credential for sync-svc (Settings → Sync controls):
`SERVICE_SECRET_PORTAL_SYNC`, never the secret auth-svc checks, which sync-svc must not hold.

sync-svc checks the plan again itself and answers problem+json; its refusal is passed on
with its status and detail, as `AuthClient` does for auth-svc. The page checks the role:
sync-svc trusts its caller on who the user is, never on the plan.
"""
from __future__ import annotations

from typing import Any

import requests
from clientsynq.common.problems import ServiceUnavailable
from clientsynq.portal.adapters.auth_client import AuthRefused

PATH = "/internal/v1/tenants/{tenant_id}/sync"


class SyncControlsClient:
    def __init__(self, base_url: str, service_secret: str, timeout_seconds: float = 15,
                 session: requests.Session | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._secret = service_secret
        self._timeout = timeout_seconds
        self._http = session or requests.Session()

    def settings(self, tenant_id: str) -> dict[str, Any] | None:
        """None while sync-svc has no QuickBooks connection on record for the tenant."""
        try:
            return self._call("GET", tenant_id, "/settings")
        except AuthRefused as refusal:
            if refusal.status == 404:
                return None
            raise

    def update(self, tenant_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """`changes`: any of `paused`, `entities`, `intervals` (seconds per entity)."""
        return self._call("PATCH", tenant_id, "/settings", changes)

    def full_resync(self, tenant_id: str, requested_by: str | None) -> str:
        body = self._call("POST", tenant_id, "/full-resync", {"requested_by": requested_by})
        return str(body["run_id"])

    def _call(self, method: str, tenant_id: str, path: str,
              payload: dict[str, Any] | None = None) -> dict[str, Any]:
        if not self._secret:
            raise ServiceUnavailable("Sync controls cannot be reached: "
                                     "SERVICE_SECRET_PORTAL_SYNC unset.")
        url = self._base + PATH.format(tenant_id=tenant_id) + path
        try:
            answer = self._http.request(
                method, url, json=payload, timeout=self._timeout,
                headers={"Authorization": f"Service portal-svc:{self._secret}"})
        except requests.RequestException:
            raise ServiceUnavailable("The sync service did not answer; try again.") from None
        if answer.status_code >= 500:
            raise ServiceUnavailable("The sync service failed; try again.")
        body = answer.json() if answer.content else {}
        if answer.status_code >= 400:
            raise AuthRefused(answer.status_code, body if isinstance(body, dict) else {})
        return dict(body)
