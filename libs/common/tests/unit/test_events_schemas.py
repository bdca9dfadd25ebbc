from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from clientsynq.common.events import (
    TOPICS,
    Event,
    all_topic_names,
    decode_event,
    dlq_topic,
    encode_event,
    new_event,
)
from event_builders import REALM, SOURCE, TENANT, VALID_DATA, invoice, payment


def test_every_topic_of_the_architecture_has_a_schema_and_valid_example() -> None:
    assert len(TOPICS) == 13
    assert set(VALID_DATA) == set(TOPICS)


@pytest.mark.parametrize("topic", sorted(VALID_DATA))
def test_every_event_type_survives_a_round_trip_through_the_wire(topic: str) -> None:
    built = new_event(topic, tenant_id=TENANT, realm_id=REALM, source=SOURCE,
                      subject="s-1", data=VALID_DATA[topic])

    decoded = decode_event(encode_event(built), topic=topic)

    assert decoded.to_envelope() == built
    assert decoded.type == topic
    assert decoded.tenant_id == TENANT and decoded.realm_id == REALM
    assert decoded.subject == "s-1" and decoded.source == SOURCE
    assert decoded.data == decode_event(json.dumps(built).encode()).data


def test_new_event_fills_id_time_and_content_type() -> None:
    built = new_event("sync.requested", tenant_id=TENANT, source=SOURCE,
                      data=VALID_DATA["sync.requested"])

    assert built["specversion"] == "1.0"
    assert built["datacontenttype"] == "application/json"
    assert len(built["id"]) == 36
    assert built["time"].endswith("Z")
    assert "realmid" not in built and "subject" not in built


def test_money_loads_as_decimal_and_dumps_as_a_two_place_string() -> None:
    built = new_event("invoice.updated", tenant_id=TENANT, source=SOURCE,
                      data={"invoice": invoice(total=Decimal("301.8"), balance="12.5")})
    event = decode_event(encode_event(built))

    loaded = event.data["invoice"]
    assert loaded["total"] == Decimal("301.80") and isinstance(loaded["total"], Decimal)
    assert built["data"]["invoice"]["total"] == "301.80"
    assert built["data"]["invoice"]["balance"] == "12.50"
    assert built["data"]["invoice"]["lines"][0]["unit_price"] == "275.125"


def test_times_load_as_aware_utc_and_dates_as_dates() -> None:
    event = decode_event(encode_event(new_event(
        "invoice.updated", tenant_id=TENANT, source=SOURCE,
        data={"invoice": invoice(created_at="2025-06-01T10:00:00-07:00")})))

    loaded = event.data["invoice"]
    assert loaded["created_at"] == datetime(2025, 6, 1, 17, 0, tzinfo=UTC)
    assert loaded["created_at"].tzinfo is UTC
    assert loaded["txn_date"] == date(2025, 6, 1)
    assert event.to_envelope()["data"]["invoice"]["created_at"] == "2025-06-01T17:00:00Z"


def test_python_values_are_accepted_by_new_event_and_written_in_wire_form() -> None:
    built = new_event(
        "payment.recorded", tenant_id=TENANT, source=SOURCE,
        time=datetime(2025, 6, 15, 16, 0, tzinfo=UTC),
        data={"payment": payment(txn_date=date(2025, 6, 15), total=Decimal("301.82"),
                                 updated_at=datetime(2025, 6, 15, 16, 0, tzinfo=UTC))},
    )

    assert built["time"] == "2025-06-15T16:00:00Z"
    assert built["data"]["payment"]["txn_date"] == "2025-06-15"
    assert built["data"]["payment"]["total"] == "301.82"
    json.dumps(built)  # wire-ready: no Decimal or datetime left


def test_a_deleted_invoice_may_be_a_stub() -> None:
    stub = {"id": "130", "status": "deleted", "updated_at": "2025-06-03T16:00:00Z"}

    event = decode_event(encode_event(new_event(
        "invoice.updated", tenant_id=TENANT, source=SOURCE, data={"invoice": stub})))

    assert event.data["invoice"]["status"] == "deleted"
    assert "total" not in event.data["invoice"]


def test_a_deleted_payment_may_be_a_stub() -> None:
    stub = {"id": "131", "status": "deleted", "updated_at": "2025-06-03T16:00:00Z"}

    event = decode_event(encode_event(new_event(
        "payment.recorded", tenant_id=TENANT, source=SOURCE, data={"payment": stub})))

    assert event.data["payment"]["id"] == "131"


def test_nullable_fields_may_be_omitted_and_load_as_none() -> None:
    data = dict(VALID_DATA["sync.requested"])
    del data["requested_by"]

    built = new_event("sync.requested", tenant_id=TENANT, source=SOURCE, data=data)

    assert built["data"]["requested_by"] is None


def test_event_is_immutable() -> None:
    event = decode_event(encode_event(new_event(
        "sync.requested", tenant_id=TENANT, source=SOURCE, data=VALID_DATA["sync.requested"])))

    with pytest.raises(AttributeError):
        event.type = "other"  # type: ignore[misc]
    assert isinstance(event, Event)


def test_topic_registry_has_the_designed_partitions_and_dead_letters() -> None:
    six = {name for name, spec in TOPICS.items() if spec.partitions == 6}

    assert six == {"customer.updated", "invoice.updated", "payment.recorded",
                   "qbo.entity.changed"}
    assert all(spec.partitions == 3 for name, spec in TOPICS.items() if name not in six)
    assert all(spec.name == name for name, spec in TOPICS.items())
    assert dlq_topic("invoice.updated") == "invoice.updated.dlq"
    assert all_topic_names(include_dlq=False) == list(TOPICS)
    assert len(all_topic_names()) == 26 and "command.failed.dlq" in all_topic_names()
