"""Valid ``data`` for every topic, in wire form, for the event tests."""

from __future__ import annotations

from typing import Any

from clientsynq.common.testing import V2_LINES

TENANT = "tenant-1"
REALM = "9130350000000001"
SOURCE = "/clientsynq/tests"
COMMAND_ID = "6f1c2a52-7d1e-4a3b-9a55-0f0e1f2d3c4b"


def invoice(**overrides: Any) -> dict[str, Any]:
    return {
        "id": "130", "doc_number": "1037", "customer_id": "3", "customer_name": "Cool Cars",
        "txn_date": "2025-06-01", "due_date": "2025-07-01", "terms": "Net 30",
        "currency": "USD", "total": "301.82", "balance": "0.00", "status": "paid",
        "email": "cool_cars@intuit.com",
        "lines": [{"line_num": 1, "description": "Rock Fountain", "amount": "275.00",
                   "quantity": "1", "unit_price": "275.125", "item_name": "Rock Fountain"}],
        "sync_token": "1", "created_at": "2025-06-01T17:00:00Z",
        "updated_at": "2025-06-02T18:00:00.123456Z", **overrides,
    }


def invoice_v2(**overrides: Any) -> dict[str, Any]:
    """What a v2 producer sends: typed lines, a discount and tax that reconcile, payments."""
    fields: dict[str, Any] = {
        "lines": [dict(line) for line in V2_LINES], "subtotal": "275.00",
        "discount_total": "27.50", "tax_total": "54.32",
        "paid_date": "2025-06-15", "command_id": COMMAND_ID,
        "applied_payments": [{"payment_id": "131", "amount": "301.82",
                              "txn_date": "2025-06-15"}]}
    return invoice(**{**fields, **overrides})


def payment(**overrides: Any) -> dict[str, Any]:
    return {
        "id": "131", "customer_id": "3", "customer_name": "Cool Cars",
        "txn_date": "2025-06-15", "total": "301.82", "unapplied": "0.00", "currency": "USD",
        "method": "Check", "reference": "1234", "source": "qbo", "status": "recorded",
        "applied_to": [{"invoice_id": "130", "amount": "301.82"}], "sync_token": "0",
        "created_at": "2025-06-15T16:00:00Z", "updated_at": "2025-06-15T16:00:00Z",
        **overrides,
    }


def customer(**overrides: Any) -> dict[str, Any]:
    return {
        "id": "3", "display_name": "Cool Cars", "company_name": "Cool Cars Ltd",
        "given_name": "Grace", "family_name": "Pariente", "email": "cool_cars@intuit.com",
        "phone": "(415) 555-9933", "balance": "1675.52", "currency": "USD", "active": True,
        "sync_token": "0", "created_at": "2025-05-01T10:00:00Z",
        "updated_at": "2025-06-01T10:00:00Z", "deleted": False, **overrides,
    }


VALID_DATA: dict[str, dict[str, Any]] = {
    "connection.changed": {"status": "connected", "realm_id": REALM, "company_name": "Acme",
                           "changed_at": "2025-06-01T17:00:00Z", "reason": None},
    "sync.requested": {"request_id": "req-1", "entities": ["Customer", "Invoice"],
                       "reason": "manual", "mode": "incremental", "requested_by": "user-1"},
    "sync.completed": {"run_id": "run-1", "request_id": "req-1",
                       "entities": ["Invoice", "Payment"], "mode": "incremental",
                       "counts": {"Invoice": 12, "Payment": 0},
                       "started_at": "2025-06-01T17:00:00Z",
                       "finished_at": "2025-06-01T17:00:05Z",
                       "cursors": {"Invoice": "2025-06-01T16:59:00Z"}},
    "sync.failed": {"run_id": "run-2", "request_id": None, "entities": ["Customer"],
                    "error_class": "throttled", "message": "QBO answered 429",
                    "started_at": "2025-06-01T17:00:00Z", "failed_at": "2025-06-01T17:01:00Z"},
    "qbo.entity.changed": {"entity": "Customer", "entity_id": "4", "operation": "merge",
                           "occurred_at": "2025-09-08T20:52:40Z", "notification_id": "n-1",
                           "deleted_id": "7"},
    "customer.updated": {"customer": customer()},
    "invoice.updated": {"invoice": invoice()},
    "payment.recorded": {"payment": payment()},
    "invoice.create.requested": {
        "command_id": COMMAND_ID, "customer_id": "3", "txn_date": "2025-06-01",
        "due_date": "2025-07-01", "terms_id": "3", "email": "a@example.com",
        "lines": [{"description": "Consulting", "amount": "150.00", "item_id": "5",
                   "quantity": "1.5", "unit_price": "100.00"}],
        "requested_by": "user-1",
    },
    "payment.record.requested": {
        "command_id": COMMAND_ID, "customer_id": "3", "amount": "100.00",
        "applied_to": [{"invoice_id": "130", "amount": "60.00"},
                       {"invoice_id": "131", "amount": "40.00"}],
        "method": "card", "reference": "r-9", "txn_date": "2025-06-15", "source": "portal",
        "requested_by": "client-1",
    },
    "command.failed": {"command_id": COMMAND_ID, "command_type": "invoice.create.requested",
                       "reason": "Duplicate Document Number", "code": "6140",
                       "failed_at": "2025-06-01T17:00:00Z"},
    "command.succeeded": {"command_id": COMMAND_ID, "command_type": "invoice.create.requested",
                          "entity": "Invoice", "qbo_id": "130", "doc_number": "1037",
                          "resolved_by": "replay", "succeeded_at": "2025-06-01T17:00:00Z"},
    "sync.progress": {"run_id": "run-1", "request_id": "req-1", "entity": "Invoice",
                      "rows_done": 2000, "rows_expected": 5300,
                      "reported_at": "2025-06-01T17:00:02Z"},
}


def envelope(type_: str = "invoice.updated", **overrides: Any) -> dict[str, Any]:
    """A wire-form envelope, as a consumer would receive it."""
    return {
        "specversion": "1.0", "id": "evt-1", "source": SOURCE, "type": type_,
        "time": "2025-06-01T17:00:00Z", "datacontenttype": "application/json",
        "tenantid": TENANT, "realmid": REALM, "data": VALID_DATA[type_], **overrides,
    }
