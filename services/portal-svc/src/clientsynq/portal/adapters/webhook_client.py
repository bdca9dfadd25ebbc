"""webhook-svc's endpoints API, called server-side with the signed-in user's own access token
(Settings → Webhooks reads its lists this way; changes are the page's own same-origin calls).

webhook-svc decides whether that user may see them (role, plan, tenant); its refusal is passed
on with its status and detail, as `AuthClient` does for auth-svc.
"""
from __future__ import annotations

from typing import Any

import requests
from clientsynq.common.problems import ServiceUnavailable
from clientsynq.portal.adapters.auth_client import AuthRefused


class WebhookClient:
    def __init__(self, base_url: str, timeout_seconds: float = 15,
                 session: requests.Session | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._timeout = timeout_seconds
        self._http = session or requests.Session()

    def endpoints(self, access_token: str, tenant_id: str) -> list[dict[str, Any]]:
        return list(self._get(access_token, f"/tenants/{tenant_id}/endpoints")["endpoints"])

    def endpoint(self, access_token: str, tenant_id: str, endpoint_id: str) -> dict[str, Any]:
        return self._get(access_token, f"/tenants/{tenant_id}/endpoints/{endpoint_id}")

    def deliveries(self, access_token: str, tenant_id: str,
                   endpoint_id: str) -> list[dict[str, Any]]:
        path = f"/tenants/{tenant_id}/endpoints/{endpoint_id}/deliveries"
        return list(self._get(access_token, path)["deliveries"])

    def _get(self, access_token: str, path: str) -> dict[str, Any]:
        try:
            answer = self._http.get(f"{self._base}/webhooks/v1{path}", timeout=self._timeout,
                                    headers={"Authorization": f"Bearer {access_token}"})
        except requests.RequestException:
            raise ServiceUnavailable("The webhook service did not answer; try again.") from None
        if answer.status_code >= 500:
            raise ServiceUnavailable("The webhook service failed; try again.")
        body = answer.json() if answer.content else {}
        if answer.status_code >= 400:
            raise AuthRefused(answer.status_code, body if isinstance(body, dict) else {})
        return dict(body)
