from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from clientsynq.common.events import (
    EventValidationError,
    decode_event,
    encode_event,
    load_event,
    new_event,
)
from event_builders import SOURCE, TENANT, VALID_DATA, envelope, invoice


def raw(value: dict[str, Any]) -> bytes:
    return json.dumps(value).encode()


def reason_for(value: dict[str, Any], topic: str | None = None) -> str:
    with pytest.raises(EventValidationError) as caught:
        decode_event(raw(value), topic=topic)
    return caught.value.reason


def test_the_wire_example_is_valid() -> None:
    assert decode_event(raw(envelope())).type == "invoice.updated"


def test_float_money_is_refused_with_its_path() -> None:
    value = envelope(data={"invoice": invoice(total=12.5)})

    assert reason_for(value) == "data.invoice.total: float money is not allowed"


def test_integer_money_is_refused_because_money_is_a_decimal_string() -> None:
    assert "data.invoice.balance: money must be a decimal string" in reason_for(
        envelope(data={"invoice": invoice(balance=12)}))


@pytest.mark.parametrize("amount", ["12.505", "1e3", "12.", ".5", "NaN", "", " 1.00"])
def test_malformed_or_over_precise_money_is_refused(amount: str) -> None:
    assert reason_for(envelope(data={"invoice": invoice(total=amount)})).startswith(
        "data.invoice.total:")


def test_float_money_inside_a_line_names_the_line() -> None:
    lines = [{"line_num": 1, "description": None, "amount": 1.5, "quantity": None,
              "unit_price": None, "item_name": None}]

    assert reason_for(envelope(data={"invoice": invoice(lines=lines)})) == (
        "data.invoice.lines.0.amount: float money is not allowed")


def test_unknown_event_type_is_refused() -> None:
    assert reason_for(envelope(type="invoice.exploded")) == "type: unknown event type"


def test_unknown_envelope_attribute_is_refused() -> None:
    assert reason_for(envelope(colour="blue")) == "colour: unknown field"


def test_unknown_data_field_is_refused_at_every_level() -> None:
    assert reason_for(envelope(data={"invoice": invoice(), "extra": 1})) == (
        "data.extra: unknown field")
    assert reason_for(envelope(data={"invoice": invoice(colour="red")})) == (
        "data.invoice.colour: unknown field")


@pytest.mark.parametrize("attribute", ["id", "source", "type", "time", "tenantid", "data",
                                       "specversion"])
def test_missing_envelope_attribute_is_refused(attribute: str) -> None:
    value = envelope()
    del value[attribute]

    assert reason_for(value).startswith(f"{attribute}: missing data for required field")


def test_empty_tenant_is_refused() -> None:
    assert reason_for(envelope(tenantid="")).startswith("tenantid:")


def test_missing_data_field_is_refused() -> None:
    invoice_data = invoice()
    del invoice_data["customer_id"]

    assert reason_for(envelope(data={"invoice": invoice_data})) == (
        "data.invoice.customer_id: missing data for required field")


@pytest.mark.parametrize("field,value", [
    ("status", "lost"), ("lines", "none"), ("sync_token", 1), ("txn_date", "06/01/2025"),
    ("currency", "usd"), ("email", "not-an-email"), ("due_date", "2025-02-30"),
])
def test_wrong_types_and_values_in_data_are_refused(field: str, value: Any) -> None:
    assert reason_for(envelope(data={"invoice": invoice(**{field: value})})).startswith(
        f"data.invoice.{field}:")


def test_naive_time_is_refused() -> None:
    assert "naive time" in reason_for(envelope(time="2025-06-01T17:00:00"))
    assert "naive time" in reason_for(
        envelope(data={"invoice": invoice(updated_at="2025-06-02T18:00:00")}))


def test_naive_datetime_is_refused_by_new_event() -> None:
    with pytest.raises(EventValidationError, match="naive time"):
        new_event("sync.requested", tenant_id=TENANT, source=SOURCE,
                  data=VALID_DATA["sync.requested"], time=datetime(2025, 6, 1, 17, 0))


def test_type_must_match_the_topic_it_arrived_on() -> None:
    assert reason_for(envelope(), topic="payment.recorded") == (
        "type 'invoice.updated' does not match topic 'payment.recorded'")


@pytest.mark.parametrize("payload,expected", [
    (b"{not json", "malformed JSON"),
    (b"\xff\xfe{}", "not valid UTF-8"),
    (b"[]", "must be a JSON object"),
    (b'{"id": "a", "id": "b"}', "duplicate key 'id'"),
    (b'{"specversion": NaN}', "malformed JSON"),
    (b'{"id": ' + b"9" * 5000 + b"}", "number too large"),
    (b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
])
def test_malformed_messages_are_refused(payload: bytes, expected: str) -> None:
    with pytest.raises(EventValidationError) as caught:
        decode_event(payload)

    assert expected in caught.value.reason


def test_deeply_nested_python_data_is_refused_not_crashing() -> None:
    nested: list[object] = []
    for _ in range(5000):
        nested = [nested]

    with pytest.raises(EventValidationError, match="nested too deeply"):
        load_event(envelope(data={"invoice": nested}))


def test_a_deleted_status_is_the_only_way_to_send_a_stub() -> None:
    stub = {"id": "130", "status": "open", "updated_at": "2025-06-03T16:00:00Z"}

    reason = reason_for(envelope(data={"invoice": stub}))

    assert "data.invoice.balance: missing data" in reason and "more" in reason


def test_sync_requested_needs_unique_known_entities() -> None:
    data = dict(VALID_DATA["sync.requested"])
    assert reason_for(envelope("sync.requested", data={**data, "entities": []})).startswith(
        "data.entities:")
    assert reason_for(envelope("sync.requested", data={
        **data, "entities": ["Invoice", "Invoice"]})) == "data.entities: entries must be unique"
    assert reason_for(envelope("sync.requested", data={**data, "entities": ["Vendor"]})
                      ).startswith("data.entities.0:")


def test_counts_must_be_non_negative_integers() -> None:
    data = VALID_DATA["sync.completed"]
    for bad in (-1, 1.0, "3", True):
        value = envelope("sync.completed", data={**data, "counts": {"Invoice": bad}})
        assert reason_for(value).startswith("data.counts.Invoice:")


def test_a_run_cannot_finish_before_it_started() -> None:
    data = {**VALID_DATA["sync.completed"], "finished_at": "2025-06-01T16:00:00Z"}

    assert reason_for(envelope("sync.completed", data=data)).startswith("data.finished_at:")


def test_payment_command_cannot_apply_more_than_its_amount() -> None:
    data = {**VALID_DATA["payment.record.requested"], "amount": "99.99"}

    assert reason_for(envelope("payment.record.requested", data=data)) == (
        "data.applied_to: applied amounts exceed the payment amount")


@pytest.mark.parametrize("topic,change", [
    ("payment.record.requested", {"amount": "0.00"}),
    ("payment.record.requested", {"applied_to": []}),
    ("payment.record.requested", {"command_id": "not-a-uuid"}),
    ("invoice.create.requested", {"lines": []}),
    ("invoice.create.requested", {"lines": [{"description": "x", "amount": "-1.00",
                                             "item_id": None, "quantity": None,
                                             "unit_price": None}]}),
    ("command.failed", {"command_type": "sync.requested"}),
    ("connection.changed", {"status": "paused"}),
    ("qbo.entity.changed", {"operation": "Update"}),
    ("customer.updated", {"customer": {"id": "3"}}),
])
def test_commands_and_notifications_enforce_their_rules(topic: str, change: dict) -> None:
    data = {**VALID_DATA[topic], **change}

    assert reason_for(envelope(topic, data=data)).startswith("data.")


def test_encode_validates_before_serialising() -> None:
    with pytest.raises(EventValidationError):
        encode_event(envelope(data={"invoice": invoice(total=12.5)}))


def test_the_reason_does_not_echo_values() -> None:
    secretish = "sk_live_1234567890"
    reason = reason_for(envelope(data={"invoice": invoice(status=secretish)}))

    assert secretish not in reason


def test_errors_lists_every_problem_by_path() -> None:
    with pytest.raises(EventValidationError) as caught:
        decode_event(raw(envelope(data={"invoice": invoice(total=1.5, balance=2.5)})))

    assert set(caught.value.errors) == {"data.invoice.total", "data.invoice.balance"}

