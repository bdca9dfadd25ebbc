"""Enterprise API keys, checked by auth-svc (it alone holds their digests), over its
internal API with webhook-svc's service credential."""
from __future__ import annotations

from typing import Any

import requests
from clientsynq.common.auth import Principal
from clientsynq.common.problems import (
    Forbidden,
    PlanDoesNotAllow,
    ServiceUnavailable,
    Unauthorized,
)

WEBHOOKS_SCOPE = "webhooks:manage"  # an API key made to read invoices cannot add receivers


class AuthApiKeyVerifier:
    def __init__(self, auth_url: str, service_secret: str, timeout_seconds: float = 5) -> None:
        self._url = f"{auth_url.rstrip('/')}/internal/v1/api-keys/verify"
        self._headers = {"Authorization": f"Service webhook-svc:{service_secret}"}
        self._timeout = timeout_seconds

    def verify(self, key: str) -> Principal:
        """An API key acts as an admin of its business (only owners and admins make keys)."""
        try:
            answer = requests.post(self._url, json={"key": key}, headers=self._headers,
                                   timeout=self._timeout)
        except requests.RequestException:
            raise ServiceUnavailable("API keys cannot be checked right now.") from None
        if answer.status_code == 401:
            raise Unauthorized("The API key is not valid.")
        if answer.status_code == 403 and _slug(answer).endswith("plan-does-not-allow"):
            raise PlanDoesNotAllow("Webhooks are part of the Enterprise plan.",
                                   required_plans=["enterprise"])
        if answer.status_code != 200:
            raise ServiceUnavailable("API keys cannot be checked right now.")
        found = answer.json()
        if WEBHOOKS_SCOPE not in found.get("scopes", []):
            raise Forbidden(f"This API key lacks the {WEBHOOKS_SCOPE} scope; an owner or admin "
                            "can create one that has it.")
        return Principal(subject=f"api-key:{found['key_id']}", tenant_id=found["tenant_id"],
                         role="admin", plan=found["plan"], kind="user", customer_id=None,
                         token_id=found["key_id"])


def _slug(answer: requests.Response) -> str:
    try:
        body: Any = answer.json()
    except ValueError:
        return ""
    return str(body.get("type", "")) if isinstance(body, dict) else ""
