"""Contract v2: what the portal and webhooks build read models from, and the version rule.

The rule (docs/events.md): fields are only ever added, optional, loading as None when
absent; so every event written by a v1 producer still loads, unchanged in meaning.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from clientsynq.common import testing
from clientsynq.common.events import (
    COMMAND_SUCCEEDED,
    SYNC_PROGRESS,
    EventValidationError,
    all_topic_names,
    decode_event,
    encode_event,
    new_event,
)
from event_builders import SOURCE, TENANT, VALID_DATA, customer, invoice, invoice_v2, payment


def _load(topic: str, data: dict[str, Any]) -> dict[str, Any]:
    return decode_event(encode_event(new_event(topic, tenant_id=TENANT, source=SOURCE,
                                               data=data)), topic=topic).data


def test_a_v1_invoice_still_loads_and_its_new_fields_read_as_unknown() -> None:
    loaded = _load("invoice.updated", {"invoice": invoice()})["invoice"]

    assert loaded["lines"][0]["detail_type"] is None
    assert loaded["lines"][0]["components"] is None
    for name in ("subtotal", "discount_total", "tax_total", "paid_date", "applied_payments",
                 "command_id"):
        assert loaded[name] is None


def test_a_v1_payment_customer_and_sync_completed_still_load() -> None:
    assert _load("payment.recorded", {"payment": payment()})["payment"]["method_id"] is None
    assert _load("customer.updated", {"customer": customer()})["customer"]["merged_into"] is None
    assert _load("sync.completed", VALID_DATA["sync.completed"])["totals"] is None


def test_a_v2_invoice_reconciles_lines_discount_and_tax_with_its_total() -> None:
    loaded = _load("invoice.updated", {"invoice": invoice_v2()})["invoice"]

    items = sum(line["amount"] for line in loaded["lines"]
                if line["detail_type"] in ("sales_item", "group"))
    assert items == loaded["subtotal"]
    assert loaded["subtotal"] - loaded["discount_total"] + loaded["tax_total"] == loaded["total"]
    assert loaded["applied_payments"][0]["amount"] == Decimal("301.82")
    assert loaded["paid_date"].isoformat() == "2025-06-15"


def test_a_group_line_carries_its_components() -> None:
    group = {"line_num": 1, "amount": "30.00", "detail_type": "group", "item_name": "Kit",
             "quantity": "2", "components": [
                 {"description": "Bolt", "amount": "10.00", "quantity": "2",
                  "unit_price": "5", "item_name": "Bolt"},
                 {"description": "Nut", "amount": "20.00", "item_name": "Nut"}]}

    loaded = _load("invoice.updated", {"invoice": invoice(lines=[group])})["invoice"]

    assert [c["item_name"] for c in loaded["lines"][0]["components"]] == ["Bolt", "Nut"]


def test_the_merged_away_customer_names_its_survivor() -> None:
    stub = {"id": "7", "deleted": True, "active": False, "merged_into": "4",
            "updated_at": "2025-09-08T20:52:40Z"}

    assert _load("customer.updated", {"customer": stub})["customer"]["merged_into"] == "4"


def test_a_deleted_payment_stub_may_keep_its_customer_and_invoices() -> None:
    stub = {"id": "131", "status": "deleted", "updated_at": "2025-06-03T16:00:00Z",
            "customer_id": "3", "customer_name": "Cool Cars",
            "applied_to": [{"invoice_id": "130", "amount": "301.82"}]}

    loaded = _load("payment.recorded", {"payment": stub})["payment"]

    assert loaded["applied_to"][0]["invoice_id"] == "130" and loaded["customer_id"] == "3"


def test_the_new_topics_and_their_dead_letters_are_registered() -> None:
    names = all_topic_names()
    for topic in (COMMAND_SUCCEEDED, SYNC_PROGRESS):
        assert topic in names and f"{topic}.dlq" in names


def test_progress_without_a_count_up_front_is_valid() -> None:
    data = {**VALID_DATA["sync.progress"], "rows_expected": None}

    assert _load("sync.progress", data)["rows_expected"] is None


@pytest.mark.parametrize(("topic", "change"), [
    ("sync.progress", {"rows_done": -1}),
    ("sync.progress", {"rows_done": "10"}),
    ("sync.progress", {"entity": "Vendor"}),
    ("command.succeeded", {"command_id": "not-a-uuid"}),
    ("command.succeeded", {"resolved_by": "guess"}),
    ("command.succeeded", {"entity": "Customer"}),
    ("command.succeeded", {"qbo_id": ""}),
])
def test_the_new_events_refuse_bad_values(topic: str, change: dict[str, Any]) -> None:
    with pytest.raises(EventValidationError):
        new_event(topic, tenant_id=TENANT, source=SOURCE, data={**VALID_DATA[topic], **change})


@pytest.mark.parametrize("line_change", [
    {"detail_type": "SalesItemLineDetail"},
    {"discount_percent": 10},
    {"components": [{"amount": 1.5}]},
])
def test_typed_lines_refuse_bad_values(line_change: dict[str, Any]) -> None:
    line = {**invoice_v2()["lines"][0], **line_change}
    with pytest.raises(EventValidationError):
        new_event("invoice.updated", tenant_id=TENANT, source=SOURCE,
                  data={"invoice": invoice_v2(lines=[line])})


def test_the_shared_builders_make_valid_v2_events() -> None:
    invoice_event = testing.an_invoice_event()["data"]["invoice"]
    built = [testing.an_invoice_event(), testing.a_payment_event(),
             testing.a_command_succeeded_event(VALID_DATA["command.succeeded"]["command_id"]),
             testing.a_sync_progress_event()]

    assert [decode_event(encode_event(event)).type for event in built] == [
        "invoice.updated", "payment.recorded", "command.succeeded", "sync.progress"]
    assert (Decimal(invoice_event["subtotal"]) - Decimal(invoice_event["discount_total"])
            + Decimal(invoice_event["tax_total"])) == Decimal(invoice_event["total"])
