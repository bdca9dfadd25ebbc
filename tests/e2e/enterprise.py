"""An Enterprise business's webhook endpoint: a real receiver (webhook-svc's test receiver,
verifying with the independent `standardwebhooks` package) registered through the
endpoints API. That API is called on webhook-svc directly: the gateway answers 404 under
`/webhooks/` except `/webhooks/intuit` (webhook-svc's README, known gaps)."""
from __future__ import annotations

from typing import Any

import requests
from receiver import Receiver  # webhook-svc's test receiver, reused (on pyproject's pythonpath)

EVENT_TYPES = ["invoice.updated", "payment.recorded", "customer.updated", "sync.completed"]


def register_endpoint(business: Any, receiver: Receiver,
                      event_types: list[str] | None = None) -> dict[str, Any]:
    url = (f"{business.stack.urls['webhook']}/webhooks/v1/tenants/{business.tenant_id}"
           "/endpoints")
    body = {"url": receiver.url, "event_types": event_types or EVENT_TYPES}
    answer = requests.post(url, json=body,
                           headers={"Authorization": f"Bearer {business.token()}"}, timeout=30)
    assert answer.status_code == 201, answer.text
    receiver.secrets.append(answer.json()["secret"])
    return dict(answer.json())


def messages_about(receiver: Receiver, event_type: str, entity_id: str) -> list[Any]:
    return [m for m in receiver.messages() if m.payload.get("type") == event_type
            and m.payload.get("data", {}).get("id") == entity_id]


__all__ = ["Receiver", "messages_about", "register_endpoint"]
