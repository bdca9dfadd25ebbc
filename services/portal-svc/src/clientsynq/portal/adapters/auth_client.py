"""auth-svc's public routes, called server-side with the signed-in user's own access token.

auth-svc decides whether that user may do it (role, plan, tenant); its problem+json answer
is passed on unchanged so the page can say what auth-svc said.
"""
from __future__ import annotations

from typing import Any

import requests
from clientsynq.common.problems import ClientSynqError, ServiceUnavailable
from clientsynq.portal.services.invitations import SentInvitation


class AuthRefused(ClientSynqError):
    """auth-svc's own refusal (403, 404, 422 ...), with its status and detail."""

    slug, title, status = "auth-refused", "The request was refused", 400

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(str(body.get("detail") or body.get("title") or "Refused."))
        self.status = status
        self.slug = str(body.get("type", "")).rsplit("/", 1)[-1] or self.slug
        self.title = str(body.get("title") or self.title)


class AuthClient:
    def __init__(self, base_url: str, timeout_seconds: float = 15,
                 session: requests.Session | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._timeout = timeout_seconds
        self._http = session or requests.Session()

    def invite_client(self, access_token: str, tenant_id: str, customer_id: str,
                      email: str, branding: dict[str, Any] | None = None) -> SentInvitation:
        """`branding` ({color, logo as base64}): the email in the business's Pro branding."""
        payload: dict[str, Any] = {"customer_id": customer_id, "email": email}
        if branding is not None:
            payload["branding"] = branding
        body = self._post(access_token, f"/auth/v1/tenants/{tenant_id}/client-invitations",
                          payload)
        return SentInvitation(str(body["invitation_id"]), str(body.get("email", email)),
                              body.get("expires_at"))

    def members(self, access_token: str, tenant_id: str) -> list[dict[str, Any]]:
        body = self._call("GET", access_token, f"/auth/v1/tenants/{tenant_id}/members")
        return list(body.get("members", []))

    def api_keys(self, access_token: str, tenant_id: str) -> list[dict[str, Any]]:
        body = self._call("GET", access_token, f"/auth/v1/tenants/{tenant_id}/api-keys")
        return list(body.get("api_keys", []))

    def _post(self, access_token: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", access_token, path, payload)

    def _call(self, method: str, access_token: str, path: str,
              payload: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            answer = self._http.request(method, f"{self._base}{path}", json=payload,
                                        timeout=self._timeout,
                                        headers={"Authorization": f"Bearer {access_token}"})
        except requests.RequestException:
            raise ServiceUnavailable("The account service did not answer; try again.") from None
        body = answer.json() if answer.content else {}
        if answer.status_code >= 500:
            raise ServiceUnavailable("The account service failed; try again.")
        if answer.status_code >= 400:
            raise AuthRefused(answer.status_code, body if isinstance(body, dict) else {})
        return dict(body)
