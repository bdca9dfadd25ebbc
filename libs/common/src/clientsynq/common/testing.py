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


# An item, a description line, a subtotal and a 10 % discount (v2 typed lines, wire form).
V2_LINES = (
    {"line_num": 1, "description": "Rock Fountain", "amount": "275.00", "quantity": "1",
     "unit_price": "275", "item_name": "Rock Fountain", "detail_type": "sales_item"},
    {"line_num": 2, "description": "Fitted on site", "amount": "0.00",
     "detail_type": "description_only"},
    {"line_num": None, "amount": "275.00", "detail_type": "subtotal"},
    {"line_num": None, "amount": "27.50", "detail_type": "discount", "discount_percent": "10"},
)


def an_invoice_event(tenant_id: str = "tenant-1", realm_id: str = "9130350000000001",
                     **fields: Any) -> dict[str, Any]:
    """A v2 invoice: an item, a description line, a subtotal, a 10% discount and tax that
    reconcile with the total (275.00 - 27.50 + 22.28 = 269.78), unpaid."""
    invoice = {"id": fields.pop("id", uuid.uuid4().hex[:8]), "status": "open",
               "doc_number": "1037", "customer_id": "3", "customer_name": "Cool Cars",
               "txn_date": "2025-06-01", "due_date": "2099-07-01", "terms": "Net 30",
               "currency": "USD", "total": "269.78", "balance": "269.78",
               "email": "cool_cars@example.com", "lines": [dict(line) for line in V2_LINES],
               "subtotal": "275.00",
               "discount_total": "27.50", "tax_total": "22.28", "paid_date": None,
               "applied_payments": [], "command_id": None, "sync_token": "0",
               "created_at": now(), "updated_at": now(), **fields}
    return new_event("invoice.updated", tenant_id=tenant_id, realm_id=realm_id, source=SOURCE,
                     subject=invoice["id"], data={"invoice": invoice})


def a_payment_event(tenant_id: str = "tenant-1", realm_id: str = "9130350000000001",
                    **fields: Any) -> dict[str, Any]:
    """A v2 payment: the method by name (and its QBO id), the reference, one invoice."""
    payment = {"id": fields.pop("id", uuid.uuid4().hex[:8]), "status": "recorded",
               "customer_id": "3", "customer_name": "Cool Cars", "txn_date": "2025-06-15",
               "total": "100.00", "unapplied": "0.00", "currency": "USD", "method": "Check",
               "method_id": "2", "reference": "1234", "source": "qbo",
               "applied_to": [{"invoice_id": "130", "amount": "100.00"}],
               "command_id": None, "sync_token": "0", "created_at": now(),
               "updated_at": now(), **fields}
    return new_event("payment.recorded", tenant_id=tenant_id, realm_id=realm_id, source=SOURCE,
                     subject=payment["id"], data={"payment": payment})


def a_command_succeeded_event(command_id: str, tenant_id: str = "tenant-1",
                              realm_id: str = "9130350000000001",
                              **fields: Any) -> dict[str, Any]:
    data = {"command_id": command_id, "command_type": "invoice.create.requested",
            "entity": "Invoice", "qbo_id": "130", "doc_number": "1037",
            "resolved_by": "response", "succeeded_at": now(), **fields}
    return new_event("command.succeeded", tenant_id=tenant_id, realm_id=realm_id,
                     source=SOURCE, subject=command_id, data=data)


def a_sync_progress_event(run_id: str = "run-1", tenant_id: str = "tenant-1",
                          realm_id: str = "9130350000000001", **fields: Any) -> dict[str, Any]:
    data = {"run_id": run_id, "request_id": None, "entity": "Invoice", "rows_done": 1000,
            "rows_expected": 2500, "reported_at": now(), **fields}
    return new_event("sync.progress", tenant_id=tenant_id, realm_id=realm_id, source=SOURCE,
                     subject=run_id, data=data)


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
