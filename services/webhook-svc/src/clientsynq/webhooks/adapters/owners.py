"""The owners of a business, asked of auth-svc (it alone holds the people) over its internal
API with webhook-svc's service credential: used to tell them an endpoint was disabled."""
from __future__ import annotations

import requests
from clientsynq.webhooks.services.outbound import OwnerLookupFailed


class AuthOwnerDirectory:
    def __init__(self, auth_url: str, service_secret: str, timeout_seconds: float = 5) -> None:
        self._base = f"{auth_url.rstrip('/')}/internal/v1/tenants/"
        self._headers = {"Authorization": f"Service webhook-svc:{service_secret}"}
        self._timeout = timeout_seconds

    def owner_emails(self, tenant_id: str) -> list[str]:
        try:
            answer = requests.get(self._base + tenant_id, headers=self._headers,
                                  timeout=self._timeout)
        except requests.RequestException as err:
            raise OwnerLookupFailed(str(err)) from None
        if answer.status_code != 200:
            raise OwnerLookupFailed(f"auth-svc answered {answer.status_code}")
        return [str(email) for email in answer.json().get("owner_emails", [])]
