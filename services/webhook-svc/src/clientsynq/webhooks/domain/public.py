"""The public, versioned payloads integrators receive — not our internal envelope.

Each event type maps to an explicit list of public fields. Internal events gain fields as
the product grows (sync-svc adds them freely); a field reaches integrators only when it is
added here *and* to the JSON Schema in `schemas/v1/`, so no internal change can break or
surprise an integrator. A field the internal event lacks is left out (deleted stubs carry
only an id and a time), never invented.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from clientsynq.common.events import format_time

VERSION = "v1"
Spec = Mapping[str, Any]  # field -> None (copy as is) or a nested Spec (object or list of)

_LINE: Spec = dict.fromkeys(("line_num", "detail_type", "description", "amount", "quantity",
                             "unit_price", "item_name", "discount_percent"))
_APPLIED: Spec = dict.fromkeys(("invoice_id", "amount"))
_INVOICE: Spec = {**dict.fromkeys((
    "id", "status", "doc_number", "customer_id", "customer_name", "txn_date", "due_date",
    "terms", "currency", "subtotal", "discount_total", "tax_total", "total", "balance",
    "paid_date", "email", "created_at", "updated_at")),
    "lines": _LINE}
_PAYMENT: Spec = {**dict.fromkeys((
    "id", "status", "customer_id", "customer_name", "txn_date", "total", "unapplied",
    "currency", "method", "reference", "created_at", "updated_at")), "applied_to": _APPLIED}
_CUSTOMER: Spec = dict.fromkeys((
    "id", "deleted", "display_name", "company_name", "given_name", "family_name", "email",
    "phone", "balance", "currency", "active", "created_at", "updated_at"))
_CONNECTION: Spec = dict.fromkeys(("status", "realm_id", "company_name", "changed_at"))
_SYNC_COMPLETED: Spec = dict.fromkeys(("run_id", "entities", "mode", "counts", "started_at",
                                       "finished_at"))
_SYNC_FAILED: Spec = dict.fromkeys(("run_id", "entities", "error_class", "started_at",
                                    "failed_at"))

# event type -> (key of the nested snapshot or None for flat data, its spec)
PUBLIC_SPECS: Mapping[str, tuple[str | None, Spec]] = {
    "invoice.updated": ("invoice", _INVOICE),
    "payment.recorded": ("payment", _PAYMENT),
    "customer.updated": ("customer", _CUSTOMER),
    "connection.changed": (None, _CONNECTION),
    "sync.completed": (None, _SYNC_COMPLETED),
    "sync.failed": (None, _SYNC_FAILED),
}


def public_payload(event_type: str, data: Mapping[str, Any], timestamp: datetime) -> str:
    """The JSON text sent (and signed) for one internal event's loaded `data`."""
    key, spec = PUBLIC_SPECS[event_type]
    source = data.get(key, {}) if key is not None else data
    body = {"type": event_type, "version": VERSION, "timestamp": format_time(timestamp),
            "data": _pick(source, spec)}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def ping_payload(endpoint_id: str, timestamp: datetime) -> str:
    body = {"type": "webhook.test", "version": VERSION, "timestamp": format_time(timestamp),
            "data": {"endpoint_id": endpoint_id,
                     "message": "A test event from ClientSynq: your endpoint is reachable."}}
    return json.dumps(body, separators=(",", ":"))


def _pick(source: Mapping[str, Any], spec: Spec) -> dict[str, Any]:
    picked: dict[str, Any] = {}
    for name, nested in spec.items():
        if name not in source:
            continue
        value = source[name]
        if nested is not None and isinstance(value, list):
            picked[name] = [_pick(item, nested) for item in value]
        elif nested is not None and isinstance(value, Mapping):
            picked[name] = _pick(value, nested)
        else:
            picked[name] = _plain(value)
    return picked


def _plain(value: Any) -> Any:
    """Money stays an exact decimal string; times RFC 3339 UTC; dates ISO."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
