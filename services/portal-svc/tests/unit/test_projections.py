"""Projections apply each event once, newest snapshot wins, in any order of arrival."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from clientsynq.common.events import Event, load_event, new_event
from clientsynq.common.testing import (
    a_command_succeeded_event,
    a_connection_event,
    a_customer_event,
    a_payment_event,
    a_sync_progress_event,
    an_invoice_event,
)
from clientsynq.portal.domain.model import CommandStatus
from clientsynq.portal.projections.handlers import dispatcher
from clientsynq.portal.readmodels.queries import InvoiceQuery
from clientsynq.portal.services import queries
from portal_fakes import fake_read_models
from prometheus_client import REGISTRY

TENANT = "tenant-1"
T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)


def ev(envelope: dict) -> Event:  # type: ignore[type-arg]
    return load_event(envelope)


def project(read, *envelopes):  # type: ignore[no-untyped-def]
    handle = dispatcher(read, lambda: datetime.now(UTC))
    for envelope in envelopes:
        handle(ev(envelope))


def test_a_redelivered_invoice_event_changes_nothing():
    read = fake_read_models()
    first = an_invoice_event(id="130", updated_at=T0)
    project(read, first)
    before = read.invoices.get(TENANT, "130")
    project(read, first)
    assert read.invoices.get(TENANT, "130") == before
    assert before is not None and before.total == Decimal("269.78")
    assert [line.detail_type for line in before.lines] == [
        "sales_item", "description_only", "subtotal", "discount"]


def test_an_older_snapshot_arriving_late_does_not_replace_the_newer_one():
    read = fake_read_models()
    newer = an_invoice_event(id="130", updated_at=T0 + timedelta(minutes=1), sync_token="2",
                             balance="0.00", status="paid", paid_date="2025-06-20")
    older = an_invoice_event(id="130", updated_at=T0, sync_token="1")
    project(read, newer, older)
    stored = read.invoices.get(TENANT, "130")
    assert stored is not None and stored.balance == Decimal("0.00")
    assert queries.get_invoice(read, TENANT, "130").status == "paid"


def test_a_deleted_invoice_stub_hides_it_and_a_late_live_copy_does_not_revive_it():
    read = fake_read_models()
    project(read, an_invoice_event(id="130", updated_at=T0))
    stub = new_event("invoice.updated", tenant_id=TENANT, source="/t", data={"invoice": {
        "id": "130", "status": "deleted", "updated_at": T0 + timedelta(minutes=1)}})
    project(read, stub, an_invoice_event(id="130", updated_at=T0))
    assert read.invoices.get(TENANT, "130") is None


def test_a_v1_invoice_without_the_v2_fields_is_still_projected():
    read = fake_read_models()
    v1 = new_event("invoice.updated", tenant_id=TENANT, source="/t", data={"invoice": {
        "id": "7", "status": "open", "updated_at": T0, "customer_id": "3",
        "txn_date": "2026-06-01", "currency": "USD", "total": "10.00", "balance": "10.00",
        "lines": [{"amount": "10.00"}], "sync_token": "0"}})
    project(read, v1)
    stored = read.invoices.get(TENANT, "7")
    assert stored is not None and stored.discount_total is None and stored.lines[0].detail_type \
        is None


def test_a_payment_shows_on_the_invoice_it_pays_with_its_method_name():
    read = fake_read_models()
    project(read, an_invoice_event(id="130", balance="169.78"),
            a_payment_event(id="p1", applied_to=[{"invoice_id": "130", "amount": "100.00"}]))
    detail = queries.get_invoice(read, TENANT, "130")
    assert [(p.id, p.method) for p in detail.payments] == [("p1", "Check")]
    assert detail.status == "partially_paid"


def test_customer_connection_and_progress_are_projected():
    read = fake_read_models()
    project(read, a_customer_event(id="3"), a_connection_event(),
            a_sync_progress_event(tenant_id=TENANT))
    assert queries.get_sync_status(read, TENANT).customers_synced == 1
    assert queries.get_connection(read, TENANT).status == "connected"
    running = queries.get_sync_status(read, TENANT).state.running
    assert running is not None and (running.done, running.expected) == (1000, 2500)


def test_a_command_outcome_settles_the_pending_command_once():
    read = fake_read_models()
    command_id = str(uuid.uuid4())
    read.commands.add(CommandStatus(TENANT, command_id, "invoice.create.requested", "pending",  # type: ignore[attr-defined]
                                    T0, "user-1"), {"id": "x"})
    project(read, a_command_succeeded_event(command_id, tenant_id=TENANT))
    project(read, a_command_succeeded_event(command_id, tenant_id=TENANT, qbo_id="999"))
    settled = queries.get_command(read, TENANT, command_id)
    assert (settled.state, settled.entity_id, settled.requested_by) == ("succeeded", "130",
                                                                        "user-1")


def test_freshness_is_observed_only_for_events_that_changed_something():
    read = fake_read_models()
    event = an_invoice_event(id="55")
    count = _freshness_count()
    project(read, event, event)
    assert _freshness_count() == count + 1


def _freshness_count() -> float:
    value = REGISTRY.get_sample_value("clientsynq_portal_readmodel_freshness_seconds_count",
                                      {"projection": "invoices"})
    return value or 0.0


def test_invoices_list_after_projection_is_filtered_by_status():
    read = fake_read_models()
    project(read, an_invoice_event(id="1"), an_invoice_event(id="2", balance="0.00",
                                                             status="paid"))
    page = queries.list_invoices(read, TENANT, InvoiceQuery(statuses=("paid",)))
    assert [v.invoice.id for v in page.items] == ["2"]
