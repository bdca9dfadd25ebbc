"""Builders of valid events for tests of every service (one place, so schemas change once).

Arrange with `a_customer_event(tenant_id="t1", balance="10.00")`; every argument has a sensible
default and any snapshot field can be overridden by keyword.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from clientsynq.common.events import new_event

SOURCE = "/clientsynq/tests"


def now() -> datetime:
    return datetime.now(UTC)


def a_customer_event(tenant_id: str = "tenant-1", realm_id: str = "9130350000000001",
                     **fields: Any) -> dict[str, Any]:
    customer = {"id": fields.pop("id", uuid.uuid4().hex[:8]), "display_name": "Cool Cars",
                "company_name": None, "given_name": None, "family_name": None,
                "email": "cool_cars@example.com", "phone": None, "balance": "0.00",
                "currency": "USD", "active": True, "sync_token": "0",
                "created_at": now(), "updated_at": now(), "deleted": False, **fields}
    return new_event("customer.updated", tenant_id=tenant_id, realm_id=realm_id, source=SOURCE,
                     subject=customer["id"], data={"customer": customer})


def a_connection_event(tenant_id: str = "tenant-1", status: str = "connected",
                       realm_id: str = "9130350000000001") -> dict[str, Any]:
    return new_event("connection.changed", tenant_id=tenant_id, realm_id=realm_id, source=SOURCE,
                     data={"status": status, "realm_id": realm_id, "company_name": "Acme Ltd",
                           "changed_at": now(), "reason": None})


UNREACHABLE_MONGO = "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=300"


def assert_probes_ready(app: Any) -> None:
    """Every service's probes against live infrastructure: alive, ready, metrics exposed."""
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json["checks"] == {"kafka": "ok", "mongodb": "ok"}
    assert b"clientsynq_http_request_seconds" in client.get("/metrics").data


def assert_probes_not_ready_without_mongo(app: Any) -> None:
    """An app built with `UNREACHABLE_MONGO` is alive but says it is not ready, and why."""
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["mongodb"].startswith("unavailable")
