"""Integrators receive the documented v1 payload, whatever the internal events carry."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from clientsynq.common.events import load_event
from clientsynq.common.testing import (
    a_connection_event,
    a_customer_event,
    a_payment_event,
    an_invoice_event,
)
from clientsynq.webhooks.domain.public import PUBLIC_SPECS, ping_payload, public_payload

SCHEMAS = Path(__file__).parents[2] / "schemas" / "v1"
SAMPLES = {"invoice.updated": an_invoice_event, "payment.recorded": a_payment_event,
           "customer.updated": a_customer_event, "connection.changed": a_connection_event}


def schema(event_type: str) -> dict:
    return json.loads((SCHEMAS / f"{event_type}.json").read_text())


def public(envelope: dict) -> dict:
    event = load_event(envelope)
    return json.loads(public_payload(event.type, event.data, event.time))


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_each_payload_matches_its_published_schema(event_type):
    payload = public(SAMPLES[event_type]())
    jsonschema.validate(payload, schema(event_type),
                        format_checker=jsonschema.FormatChecker())
    assert set(payload) == {"type", "version", "timestamp", "data"}


def test_a_deleted_invoice_stub_is_a_valid_payload():
    stub = an_invoice_event(status="deleted")
    for name in ("doc_number", "customer_id", "lines", "total", "balance"):
        stub["data"]["invoice"].pop(name, None)
    jsonschema.validate(public(stub), schema("invoice.updated"))


def test_money_stays_an_exact_decimal_string():
    payload = public(an_invoice_event(total="269.78", balance="0.10"))
    assert payload["data"]["total"] == "269.78" and payload["data"]["balance"] == "0.10"


def test_internal_fields_never_reach_integrators():
    envelope = an_invoice_event()
    payload = public(envelope)
    assert "sync_token" not in payload["data"] and "command_id" not in payload["data"]
    assert "tenantid" not in payload and "realmid" not in payload


def test_a_field_added_to_an_internal_event_changes_nothing_for_integrators():
    event = load_event(an_invoice_event())
    before = public_payload(event.type, event.data, event.time)
    grown = {"invoice": {**event.data["invoice"], "a_new_internal_field": "x"}}
    assert public_payload(event.type, grown, event.time) == before


@pytest.mark.parametrize("event_type", sorted(PUBLIC_SPECS))
def test_every_field_we_send_is_documented_in_the_schema(event_type):
    _key, spec = PUBLIC_SPECS[event_type]
    documented = schema(event_type)["properties"]["data"]["properties"]
    assert set(spec) <= set(documented)


def test_the_test_event_matches_its_schema():
    from datetime import UTC, datetime

    payload = json.loads(ping_payload("ep_1", datetime.now(UTC)))
    jsonschema.validate(payload, schema("webhook.test"))
